"""Charts for the notices analytics: Chinese text that renders anywhere, reproducible exports.

Importing this module calls :func:`setup_fonts`, which registers the Noto Sans SC font shipped by
the pinned ``pylopdf-fonts-zh-cn`` package with matplotlib (falling back to an installed system
CJK font), so notebooks need no font set-up of their own.

The packaged font has PostScript (CFF) outlines; matplotlib writes those into PDFs as if they were
TrueType (``FontFile2``), which strict readers such as Acrobat reject. A TrueType-outline copy is
therefore built once (about half a minute) and cached under matplotlib's cache directory, or
``$ANALYSIS_FONT_CACHE``; every chart and export uses that copy.

Chart functions take tidy DataFrames and return a :class:`matplotlib.figure.Figure` (created
without pyplot, so nothing accumulates in notebooks); empty or all-missing inputs give a figure
with a centred "无数据 / no data" message instead of an exception. :func:`export_figure` writes
PNG/SVG/PDF, the CSV behind the chart and a JSON sidecar, byte-identical from run to run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import font_manager, ft2font
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize, TwoSlopeNorm, to_rgba
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis import __version__

__all__ = [
    "MAX_ROWS",
    "OKABE_ITO",
    "bar_counts",
    "box_by_group",
    "dendrogram_chart",
    "export_figure",
    "heatmap",
    "keyness_chart",
    "line_curve",
    "other_label",
    "scatter_stated_vs_found",
    "setup_fonts",
    "slugify",
    "timeline_intervals",
    "wrap_label",
]

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------

LATIN_FALLBACK = "DejaVu Sans"  # ships with matplotlib, so it is always there
# Installed CJK families tried, in order, when the packaged font is unavailable.
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Sarasa Gothic SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "SimHei",
    "Noto Serif CJK SC",
    "SimSun",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)
_CJK_PROBE = "巡察整改情况通报区县市"
_CONVERTER_VERSION = "1"  # bump to invalidate cached TrueType copies
_font_family: str | None = None


def _packaged_font_file() -> Path | None:
    """Noto Sans SC inside the installed ``pylopdf_fonts_zh_cn`` package, or None."""
    try:
        import pylopdf_fonts_zh_cn as pkg
    except ImportError:
        return None
    accessor = getattr(pkg, "sans_path", None)
    if accessor is not None:
        path = Path(accessor())
        if path.is_file():
            return path
    found = sorted(Path(pkg.__file__).parent.glob("NotoSansSC*.[ot]tf"))
    return found[0] if found else None


def _covers(path: str, index: int, text: str) -> bool:
    """Whether the font face has a glyph for every character of *text*."""
    try:
        charmap = ft2font.FT2Font(path, face_index=index).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in text)


def _system_cjk_font() -> tuple[Path, int] | None:
    """An installed font (file, face index) that covers Chinese, or None."""
    entries = [e for e in font_manager.fontManager.ttflist if e.style == "normal"]
    by_name: dict[str, list[Any]] = {}
    for entry in entries:
        by_name.setdefault(entry.name, []).append(entry)
    for family in SYSTEM_CJK_FAMILIES:
        for entry in sorted(by_name.get(family, []), key=lambda e: abs(_weight(e.weight) - 400)):
            if _covers(entry.fname, entry.index, _CJK_PROBE):
                return Path(entry.fname), entry.index
    seen: set[tuple[str, int]] = set()
    for entry in entries:
        key = (entry.fname, entry.index)
        if key in seen or entry.name in (LATIN_FALLBACK, "Last Resort High-Efficiency"):
            continue
        seen.add(key)
        if _covers(entry.fname, entry.index, _CJK_PROBE):
            return Path(entry.fname), entry.index
    return None


def _weight(value: str | int) -> int:
    return value if isinstance(value, int) else font_manager.weight_dict.get(value, 400)


def _font_cache_dir() -> Path:
    env = os.environ.get("ANALYSIS_FONT_CACHE")
    return Path(env) if env else Path(mpl.get_cachedir()) / "analysis-fonts"


def _is_cff(path: Path, index: int) -> bool:
    with open(path, "rb") as fh:
        tag = fh.read(4)
    if tag == b"OTTO":
        return True
    if tag == b"ttcf":
        from fontTools.ttLib import TTFont

        with TTFont(path, fontNumber=index, lazy=True) as font:
            return font.sfntVersion == "OTTO"
    return False


def _convert_to_truetype(src: Path, index: int, dst: Path) -> None:
    """Write a copy of *src* with quadratic (TrueType) outlines; names and metrics unchanged."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(src, fontNumber=index, recalcTimestamp=False)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG", "DSIG"):
        if tag in font:
            del font[tag]
    glyf.compile(font)  # computes the glyph bounding boxes used below
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dst.stem, suffix=".tmp", dir=dst.parent)
    os.close(fd)
    try:
        font.save(tmp)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _truetype_copy(path: Path, index: int = 0) -> tuple[Path, int]:
    """The font itself if it has TrueType outlines, else a cached converted copy."""
    if not _is_cff(path, index):
        return path, index
    digest = hashlib.sha256(path.read_bytes())
    digest.update(f"|{index}|{_CONVERTER_VERSION}".encode())
    dst = _font_cache_dir() / f"{path.stem}-{index}-{digest.hexdigest()[:16]}.ttf"
    if not dst.is_file():
        log.warning("Converting %s to TrueType outlines for PDF embedding (once; cached in %s)",
                    path.name, dst.parent)
        _convert_to_truetype(path, index, dst)
    return dst, 0


def _register(path: Path, index: int) -> str:
    """Add the font to matplotlib (once) and make it win over same-named fonts; return its family."""
    manager = font_manager.fontManager
    fname = str(path)
    if not any(e.fname == fname for e in manager.ttflist):
        manager.addfont(fname)
    ours = [e for e in manager.ttflist if e.fname == fname and e.index == index]
    if not ours:
        raise RuntimeError(f"matplotlib could not read the font {path}")
    family = ours[0].name
    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    if Path(found) != path:  # a system copy of the same family would be picked first
        manager.ttflist[:] = ours + [e for e in manager.ttflist if e not in ours]
        cache = getattr(manager, "_findfont_cached", None)
        if cache is not None:
            cache.cache_clear()
    return family


def setup_fonts(*, force: bool = False) -> str:
    """Register a CJK font with matplotlib, set rcParams, and return the family name used.

    Prefers the packaged Noto Sans SC (reproducible on any machine); falls back to an installed
    CJK font; raises RuntimeError if neither exists. Idempotent unless *force*.
    """
    global _font_family
    if _font_family is not None and not force:
        return _font_family
    source = _packaged_font_file()
    if source is not None:
        chosen = (source, 0)
    else:
        log.warning("pylopdf-fonts-zh-cn is not installed; looking for a system CJK font")
        chosen = _system_cjk_font()
        if chosen is None:
            raise RuntimeError(
                "No font with Chinese glyphs found: install the pinned package "
                "'pylopdf-fonts-zh-cn' (make setup) or a system CJK font such as fonts-noto-cjk."
            )
    try:
        path, index = _truetype_copy(*chosen)
    except Exception as exc:  # conversion is an improvement, never a reason to fail
        log.warning("TrueType conversion failed (%s); PDFs will embed CFF outlines", exc)
        path, index = chosen
    family = _register(path, index)
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [family, LATIN_FALLBACK]
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["pdf.fonttype"] = 42
    mpl.rcParams["ps.fonttype"] = 42
    mpl.rcParams["svg.fonttype"] = "path"  # SVG text as outlines: renders without the font
    mpl.rcParams["svg.hashsalt"] = _SVG_HASHSALT
    _font_family = family
    return family


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

DEFAULT_OUTDIR = Path("reports/figures")
_SVG_HASHSALT = "analysis-plots"
_EXPORT_RC = {"svg.hashsalt": _SVG_HASHSALT, "svg.fonttype": "path", "pdf.fonttype": 42,
              "ps.fonttype": 42, "pdf.compression": 6}


def slugify(name: str) -> str:
    """A stable file stem: NFKC, lower case, runs of non-word characters become '-' (CJK kept)."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    text = re.sub(r"[^\w]+", "-", text).strip("-_")
    return text[:80].rstrip("-_") or "figure"


def _jsonable(value: Any) -> Any:
    """Convert params to plain JSON types, deterministically."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=repr)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def export_figure(
    fig: Figure,
    name: str,
    data: pd.DataFrame,
    *,
    params: dict | None = None,
    query: str | None = None,
    corpus_hash: str | None = None,
    outdir: Path = DEFAULT_OUTDIR,
) -> dict[str, Path]:
    """Write ``<slug>.png`` (300 dpi), ``.svg``, ``.pdf``, ``.csv`` and ``.json`` under *outdir*.

    Output is byte-identical across runs: no timestamps in any file; the CSV is UTF-8 with BOM
    (Excel); the sidecar records name, query, params, corpus hash, files (with SHA-256) and
    versions. Returns the paths keyed by extension.
    """
    family = setup_fonts()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    slug = slugify(name)
    paths = {ext: outdir / f"{slug}.{ext}" for ext in ("png", "svg", "pdf", "csv", "json")}
    metadata = {
        "png": {"Software": None, "Title": str(name)},
        "svg": {"Date": None, "Title": str(name)},
        "pdf": {"CreationDate": None, "ModDate": None, "Title": str(name),
                "Creator": f"analysis {__version__}"},
    }
    with mpl.rc_context(_EXPORT_RC):
        # Lay the figure out and find its tight box once, then write the three formats with the layout
        # frozen: savefig would otherwise redo the constrained layout and an extra draw per format.
        engine, dpi = fig.get_layout_engine(), fig.get_dpi()
        try:
            fig.set_dpi(300)
            fig.draw_without_rendering()
            box = fig.get_tightbbox().padded(0.1)
            fig.set_layout_engine(None)
            for ext in ("png", "svg", "pdf"):
                fig.savefig(paths[ext], format=ext, dpi=300, metadata=metadata[ext],
                            bbox_inches=box, facecolor="white")
        finally:
            fig.set_layout_engine(engine)
            fig.set_dpi(dpi)

    table = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    if not (isinstance(table.index, pd.RangeIndex) and table.index.name is None):
        table = table.reset_index()
    table.to_csv(paths["csv"], index=False, encoding="utf-8-sig", lineterminator="\n")

    files = {
        ext: {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        for ext, p in paths.items() if ext != "json"
    }
    sidecar = {
        "name": str(name),
        "slug": slug,
        "query": query,
        "params": _jsonable(params or {}),
        "corpus_hash": corpus_hash,
        "files": files,
        "data": {"rows": len(table), "columns": [str(c) for c in table.columns]},
        "package": {"name": "analysis", "version": __version__},
        "matplotlib": mpl.__version__,
        "font_family": family,
    }
    text = json.dumps(sidecar, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    paths["json"].write_text(text, encoding="utf-8", newline="\n")
    return paths


# --------------------------------------------------------------------------------------------
# Shared chart helpers
# --------------------------------------------------------------------------------------------

# Okabe & Ito (2008) colour-blind-safe qualitative palette, black last.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
BLUE, VERMILLION, GREEN, ORANGE, SKY, PURPLE = "#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7"
GREY = "#7F7F7F"
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu"
NO_DATA = "无数据 / no data"
OTHER_LABEL = "其他 / other"
# Default bound on bars, heatmap rows and boxes per chart: beyond it the rest are merged into one
# "其他" row (bars, heatmaps) or box, so a chart stays readable on any corpus.
MAX_ROWS = 60

TITLE_SIZE = 13.0
SUBTITLE_SIZE = 9.5
NOTE_SIZE = 8.0
LABEL_SIZE = 9.0
_NO_LINE_START = set("，。、；：？！）》」』”’%,.;:?!)")


def _columns(text: str) -> int:
    """Display width: CJK and full-width characters count two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(np.ndim(value) == 0 and pd.isna(value)))


def wrap_label(text: Any, width: int = 20, max_lines: int = 3) -> str:
    """Wrap a label to lines of at most *width* columns; CJK breaks anywhere, Latin at spaces."""
    if _is_missing(text):
        return "（缺失）"
    source = str(text).strip()
    tokens = re.findall(r"[A-Za-z0-9_.\-/%()]+|\s+|.", source)
    lines: list[str] = []
    line, used = "", 0
    for token in tokens:
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        size = _columns(token)
        if used + size > width and line.strip() and token not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = token, size
        else:
            line, used = line + token, used + size
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return "\n".join(lines) or source


def _text_block(text: str | None, width_in: float, size: float) -> tuple[str, float]:
    """Wrap *text* to the figure width; return it and its height in inches."""
    if not text:
        return "", 0.0
    columns = max(10, int(2 * (width_in - 0.3) * 72 / size * 0.95))
    wrapped = "\n".join(wrap_label(part, columns, max_lines=4) for part in str(text).split("\n"))
    return wrapped, (wrapped.count("\n") + 1) * size * 1.35 / 72


def _new_figure(width: float, body_height: float, title: str | None, subtitle: str | None,
                note: str | None = None, legend: Sequence[Any] = ()) -> Figure:
    """A constrained-layout figure with a left-aligned title/subtitle header and optional footnote.

    *legend* handles, if any, are laid out in one row under the subtitle.
    """
    title_text, title_h = _text_block(title, width, TITLE_SIZE)
    sub_text, sub_h = _text_block(subtitle, width, SUBTITLE_SIZE)
    note_text, note_h = _text_block(note, width, NOTE_SIZE)
    top_pad, gap = 0.12, (0.06 if title_text and sub_text else 0.0)
    legend_h = 0.32 if legend else 0.0
    header = top_pad + title_h + gap + sub_h + legend_h + (0.1 if title_h or sub_h or legend_h else 0.0)
    footer = note_h + (0.1 if note_h else 0.0)
    height = body_height + header + footer
    engine = ConstrainedLayoutEngine(rect=(0, footer / height, 1, body_height / height))
    fig = Figure(figsize=(width, height), layout=engine)
    x = 0.12 / width
    y = 1 - top_pad / height
    if title_text:
        fig.text(x, y, title_text, ha="left", va="top", fontsize=TITLE_SIZE, linespacing=1.25)
        y -= (title_h + gap) / height
    if sub_text:
        fig.text(x, y, sub_text, ha="left", va="top", fontsize=SUBTITLE_SIZE, color="#444444",
                 linespacing=1.25)
        y -= sub_h / height
    if legend:
        box = fig.legend(handles=list(legend), loc="upper left", bbox_to_anchor=(x * 0.5, y),
                         ncols=len(legend), frameon=False, fontsize=8.5, borderaxespad=0.2)
        box.set_in_layout(False)
    if note_text:
        fig.text(x, 0.06 / height, note_text, ha="left", va="bottom", fontsize=NOTE_SIZE,
                 color="#555555", linespacing=1.25)
    return fig


def _no_data_figure(title: str | None, subtitle: str | None, message: str = NO_DATA) -> Figure:
    """The figure returned for empty input: the titles and a centred message."""
    fig = _new_figure(6.4, 2.6, title, subtitle)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=14, color="#666666",
            transform=ax.transAxes)
    return fig


def _empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


def _require(df: pd.DataFrame, *columns: str | None) -> None:
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise KeyError(f"columns not in DataFrame: {missing}; available: {list(df.columns)}")


def _order(values: pd.Series, order: Sequence[Any] | None = None) -> list[Any]:
    """Explicit order, else categorical order, else order of first appearance (missing dropped)."""
    present = list(pd.unique(values.dropna()))
    if order is not None:
        return [v for v in order if v in set(present)]
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [v for v in values.cat.categories if v in set(present)]
    return present


def _row_height(labels: Iterable[str]) -> float:
    """Inches per horizontal row so multi-line labels never collide."""
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return max(0.27, 0.155 * lines + 0.1)


def _style_axes(ax: Axes, grid_axis: str | None = "x") -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=LABEL_SIZE)
    if grid_axis:
        ax.grid(axis=grid_axis, color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)


def _format_number(value: float, fmt: str | None = None) -> str:
    if _is_missing(value):
        return "–"
    if fmt:
        return fmt.format(value) if "{" in fmt else format(value, fmt)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def _integer_valued(values: pd.Series) -> bool:
    finite = values[np.isfinite(values)]
    return bool(len(finite)) and bool(np.all(np.equal(np.mod(finite, 1), 0)))


def _missing_note(dropped: int, what: str = "行") -> str | None:
    if not dropped:
        return None
    return f"注：已忽略 {dropped} {what}缺失值 / {dropped} row(s) with missing values omitted."


def _text_colour(rgba: tuple[float, float, float, float]) -> str:
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3])
    return "#FFFFFF" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.2 else "#000000"


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------


def other_label(n: int, what: str = "项") -> str:
    """Label of the bucket that merges *n* categories: 其他 N 项 (or 其他 N 个区县 …)."""
    return f"其他 {n} {what}"


def _top_with_other(totals: pd.Series, top_n: int | None, other: Any | None) -> tuple[list[Any], list[Any], Any]:
    """Split categories (already in display order) into the *top_n* shown and the rest.

    Returns (shown, merged, label of the bucket or None). A category equal to *other* is the
    caller's own bucket: it is never shown among the top and the rest are merged into it.
    """
    keys = [k for k in totals.index if other is None or k != other]
    if top_n is None or len(keys) <= top_n:
        return keys, [], (other if other is not None and other in totals.index else None)
    merged = keys[top_n:]
    return keys[:top_n], merged, (other if other is not None else other_label(len(merged)))


def bar_counts(
    df: pd.DataFrame,
    x: str,
    y: str,
    hue: str | None = None,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    xlabel: str = "数量 / count",
    ylabel: str | None = None,
    order: Sequence[Any] | None = None,
    top_n: int | None = MAX_ROWS,
    other: Any | None = None,
    max_hue: int = len(OKABE_ITO),
    annotate: bool = True,
    legend_title: str | None = None,
) -> Figure:
    """Horizontal bars of a count per category, largest on top; stacked by *hue* when given.

    *x* is the category column (district, action; drawn on the vertical axis) and *y* the count
    column; if *x* is numeric and *y* is not, they are swapped. Repeated rows are summed. Beyond
    *max_hue* hue levels, the smallest are merged into "其他 / other".

    At most *top_n* categories get a bar of their own (None = all); the rest are summed into one
    "其他 N 项" bar, so the chart stays readable however many categories come in and the bars still
    add up to the total. *other* names a category that already is such a bucket (e.g. merged in
    SQL): it is drawn last, set apart, and excess categories are added to it. A bucket much longer
    than the largest bar is cut at the axis edge, with its value written on it.
    """
    if _empty(df):
        return _no_data_figure(title, subtitle)
    _require(df, x, y, hue)
    cat, val = x, y
    if pd.api.types.is_numeric_dtype(df[x]) and not pd.api.types.is_numeric_dtype(df[y]):
        cat, val = y, x
    data = df[[c for c in (cat, val, hue) if c is not None]].copy()
    data[val] = pd.to_numeric(data[val], errors="coerce")
    dropped = int(data[cat].isna().sum() + data[val].isna().sum())
    data = data.dropna(subset=[cat, val])
    if data.empty:
        return _no_data_figure(title, subtitle)
    cats = _order(data[cat], order)
    data[cat] = data[cat].astype(object)
    if hue is None:
        table = data.groupby(cat, sort=False)[val].sum().to_frame(val)
        levels: list[Any] = [val]
    else:
        data[hue] = data[hue].astype(object).where(data[hue].notna(), "（缺失）")
        totals = data.groupby(hue, sort=False)[val].sum().sort_values(ascending=False, kind="stable")
        if isinstance(df[hue].dtype, pd.CategoricalDtype):
            levels = [lv for lv in df[hue].cat.categories if lv in set(totals.index)]
            levels += [lv for lv in totals.index if lv not in set(levels)]  # the missing-value label
        else:
            levels = list(totals.index)
        if len(levels) > max_hue:
            keep = set(totals.index[: max_hue - 1])
            data[hue] = data[hue].where(data[hue].isin(keep), OTHER_LABEL)
            levels = [lv for lv in levels if lv in keep] + [OTHER_LABEL]
        table = data.groupby([cat, hue], sort=False)[val].sum().unstack(hue)
        table = table.reindex(columns=levels)
    table = table.reindex(pd.Index(cats, dtype=object)).fillna(0.0)
    total = table.sum(axis=1)
    if order is None:
        total = total.sort_values(ascending=False, kind="stable")
    shown, merged, bucket = _top_with_other(total, top_n, other)
    if bucket is not None:
        extra = table.loc[merged].sum() if merged else 0.0
        base = table.loc[bucket] if bucket in table.index else 0.0
        table.loc[bucket] = base + extra
    table = table.loc[shown + ([bucket] if bucket is not None else [])]
    total = table.sum(axis=1)
    labels = [wrap_label(c, 20) for c in table.index]
    row_h = _row_height(labels)
    legend_w = 1.8 if hue is not None else 0.0
    fig = _new_figure(8.0 + legend_w, max(2.2, row_h * len(table) + 0.9), title, subtitle,
                      _missing_note(dropped))
    ax = fig.add_subplot()
    positions = np.arange(len(table))[::-1]  # first (largest) on top
    colours = [BLUE] if hue is None else [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(levels))]
    values = total.to_numpy(dtype=float)
    largest = float(values[:len(shown)].max()) if shown else 0.0
    cut = bucket is not None and largest > 0 and values[-1] > 2.5 * largest
    drawn = table.iloc[:-1] if cut else table  # a cut bucket is drawn as one grey bar below
    left = np.zeros(len(drawn))
    handles = []
    for level, colour in zip(drawn.columns, colours, strict=True):
        segment = drawn[level].to_numpy(dtype=float)
        handles.append(ax.barh(positions[:len(drawn)], segment, left=left, height=0.72, color=colour,
                               label=str(level), edgecolor="white", linewidth=0.5))
        left = left + segment
    if annotate:
        for pos, value in zip(positions[:len(drawn)], values, strict=False):
            ax.annotate(_format_number(value), (value, pos), xytext=(3, 0), textcoords="offset points",
                        va="center", ha="left", fontsize=8, color="#333333")
    ax.set_yticks(positions, labels)
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.margins(x=0.08)
    ax.set_xlim(left=min(0.0, float(np.nanmin(left)) if len(left) else 0.0))
    if cut:  # the bucket would squash every other bar: cut it at the edge, say its value on it
        right = largest * 1.3
        ax.barh(positions[-1], values[-1], height=0.72, color=to_rgba(GREY, 0.35), edgecolor=GREY,
                linewidth=0.6, hatch="///")
        ax.set_xlim(right=right)
        ax.annotate(f"{_format_number(values[-1])} →", (right, positions[-1]), xytext=(-3, 0),
                    textcoords="offset points", va="center", ha="right", fontsize=8, color="#222222",
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": GREY, "linewidth": 0.5})
    if bucket is not None:
        ax.axhline(positions[-1] + 0.5, color=GREY, linewidth=0.6, linestyle=(0, (3, 2)))
        ax.get_yticklabels()[-1].set_color("#555555")
    if _integer_valued(pd.Series(table.to_numpy().ravel())):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    _style_axes(ax, "x")
    if hue is not None:
        ax.legend(handles, [wrap_label(lv, 16) for lv in levels], title=legend_title or str(hue), loc="upper left",
                  bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8.5, title_fontsize=9)
    return fig


def heatmap(
    df: pd.DataFrame,
    row: str,
    col: str,
    value: str,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    fmt: str = ".2f",
    cmap: str | None = None,
    annotate: bool | None = None,
    row_order: Sequence[Any] | None = None,
    col_order: Sequence[Any] | None = None,
    colorbar_label: str | None = None,
    aggfunc: str | Callable = "mean",
    vmin: float | None = None,
    vmax: float | None = None,
    max_rows: int | None = MAX_ROWS,
    other: Any | None = None,
) -> Figure:
    """Matrix of *value* by *row* × *col* (e.g. category share per district).

    Sequential viridis by default; diverging RdBu centred on 0 when values change sign. Cells are
    annotated with ``format(v, fmt)`` (or ``fmt.format(v)``) when the grid is small enough to read
    (``annotate=None``); missing cells are grey. Repeated (row, col) pairs are combined by *aggfunc*.

    At most *max_rows* rows are drawn (None = all): rows after the first *max_rows* (in row order)
    are combined by *aggfunc* into one "其他 N 项" row. *other* names a row that already is such a
    bucket (e.g. merged in SQL, with shares computed over the pooled rows); it is drawn last, under
    a rule, and excess rows go into it.
    """
    if _empty(df):
        return _no_data_figure(title, subtitle)
    _require(df, row, col, value)
    data = df[[row, col, value]].copy()
    data[value] = pd.to_numeric(data[value], errors="coerce")
    data = data.dropna(subset=[row, col])
    if data.empty or data[value].isna().all():
        return _no_data_figure(title, subtitle)
    rows, cols = _order(data[row], row_order), _order(data[col], col_order)
    bucket = other if other is not None and other in rows else None
    keep = [r for r in rows if bucket is None or r != bucket]
    if max_rows is not None and len(keep) > max_rows:
        bucket = other if other is not None else other_label(len(keep) - max_rows)
        keep = keep[:max_rows]
        data[row] = data[row].astype(object).where(data[row].isin(keep), bucket)
    rows = keep + ([bucket] if bucket is not None else [])
    matrix = data.groupby([row, col], sort=False)[value].agg(aggfunc).unstack(col)
    matrix = matrix.reindex(index=rows, columns=cols).astype(float)
    values = matrix.to_numpy()
    values[~np.isfinite(values)] = np.nan
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return _no_data_figure(title, subtitle)
    lo = float(finite.min()) if vmin is None else vmin
    hi = float(finite.max()) if vmax is None else vmax
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0) * 1e-6 + 1e-12
    signed = lo < 0 < hi
    if signed:
        bound = max(abs(lo), abs(hi))
        norm: Normalize = TwoSlopeNorm(0.0, -bound, bound)
    else:
        norm = Normalize(lo, hi)
    colormap = mpl.colormaps[cmap or (DIVERGING_CMAP if signed else SEQUENTIAL_CMAP)]

    n_rows, n_cols = values.shape
    if annotate is None:
        annotate = n_rows * n_cols <= 900
    row_labels = [wrap_label(r, 16) for r in rows]
    cell_text = max((_columns(_format_number(v, fmt)) for v in finite), default=4)
    cell_w = max(0.42, cell_text * 7.5 * 0.62 / 72 + 0.14) if annotate else 0.35
    col_labels = [wrap_label(c, 12, max_lines=2) for c in cols]
    col_w = max((max(_columns(s) for s in lab.split("\n")) for lab in col_labels), default=4)
    rotate = col_w * LABEL_SIZE * 0.5 / 72 > cell_w * 0.92
    if rotate:  # slanted labels read best on one line
        col_labels = [wrap_label(c, 28, max_lines=2) for c in cols]
        col_w = max((max(_columns(s) for s in lab.split("\n")) for lab in col_labels), default=4)
    label_h = (col_w * LABEL_SIZE * 0.5 / 72 * 0.72 + 0.2) if rotate else 0.45
    row_h = _row_height(row_labels)
    width = min(max(5.0, 2.6 + n_cols * cell_w + 1.3), 18.0)
    note = "灰色格 = 无数据 / grey = no data" if np.isnan(values).any() else None
    fig = _new_figure(width, max(2.2, n_rows * row_h + label_h + 0.3), title, subtitle, note)
    ax = fig.add_subplot()
    ax.set_facecolor("#E6E6E6")
    mesh = ax.pcolormesh(np.ma.masked_invalid(values), cmap=colormap, norm=norm,
                         edgecolors="white", linewidth=0.6)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks(np.arange(n_cols) + 0.5, col_labels, fontsize=LABEL_SIZE)
    ax.set_yticks(np.arange(n_rows) + 0.5, row_labels, fontsize=LABEL_SIZE)
    ax.xaxis.tick_top()
    if rotate:
        for label in ax.get_xticklabels():
            label.set(rotation=45, ha="left", rotation_mode="anchor")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if bucket is not None and n_rows > 1:
        ax.axhline(n_rows - 1, color="#333333", linewidth=1.2)
        ax.get_yticklabels()[-1].set_color("#555555")
    if annotate:
        for i in range(n_rows):
            for j in range(n_cols):
                v = values[i, j]
                if np.isfinite(v):
                    ax.text(j + 0.5, i + 0.5, _format_number(v, fmt), ha="center", va="center",
                            fontsize=7.5, color=_text_colour(colormap(norm(v))))
    shrink = min(1.0, 3.5 / max(n_rows * row_h, 1.0))
    bar = fig.colorbar(mesh, ax=ax, shrink=shrink, aspect=18, pad=0.02,
                       format=FuncFormatter(lambda v, _: _format_number(v, fmt)))
    bar.set_label(colorbar_label or str(value), fontsize=LABEL_SIZE)
    bar.ax.tick_params(labelsize=8)
    bar.outline.set_visible(False)
    return fig


def line_curve(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str | None = "不同聚类数 k 的轮廓系数",
    subtitle: str | None = "Silhouette score by number of clusters k",
    highlight: float | None = None,
    xlabel: str | None = "聚类数 k / number of clusters",
    ylabel: str | None = "平均轮廓系数 / mean silhouette",
) -> Figure:
    """Line with markers of *y* against *x* (silhouette per k); *highlight* marks the chosen x."""
    if _empty(df):
        return _no_data_figure(title, subtitle)
    _require(df, x, y)
    data = pd.DataFrame({"x": pd.to_numeric(df[x], errors="coerce"),
                         "y": pd.to_numeric(df[y], errors="coerce")})
    dropped = int(data.isna().any(axis=1).sum())
    data = data.dropna(subset=["x"])
    if data.empty or data["y"].isna().all():
        return _no_data_figure(title, subtitle)
    data = data.groupby("x", sort=True)["y"].mean().reset_index()
    fig = _new_figure(7.0, 3.8, title, subtitle, _missing_note(dropped))
    ax = fig.add_subplot()
    ax.plot(data["x"], data["y"], color=BLUE, marker="o", markersize=5, linewidth=1.8, zorder=2)
    if _integer_valued(data["x"]):
        if len(data) <= 25:
            ax.set_xticks(data["x"], [str(int(v)) for v in data["x"]])
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(x=0.06, y=0.18)
    if highlight is not None and np.isfinite(highlight):
        ax.axvline(highlight, color=VERMILLION, linestyle="--", linewidth=1.1, zorder=1)
        hit = data.loc[np.isclose(data["x"], highlight) & data["y"].notna(), "y"]
        label = f"k = {highlight:g}"
        right_half = highlight > data["x"].min() + 0.6 * (data["x"].max() - data["x"].min())
        if len(hit):
            hy = float(hit.iloc[0])
            ax.scatter([highlight], [hy], s=90, color=VERMILLION, edgecolor="black", zorder=3)
            label += f"\n{hy:.3f}"
            ax.annotate(label, (highlight, hy), xytext=(-10 if right_half else 10, 10),
                        textcoords="offset points", ha="right" if right_half else "left",
                        va="bottom", fontsize=9, color=VERMILLION)
        else:
            ax.annotate(label, (highlight, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(4, -4), textcoords="offset points", va="top", fontsize=9,
                        color=VERMILLION)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    _style_axes(ax, "y")
    return fig


def _similarity_matrix(df: pd.DataFrame, a: str, b: str, value: str) -> pd.DataFrame:
    """Symmetric similarity matrix from pair rows, or *df* itself when it is already square."""
    if {a, b, value} <= set(df.columns):
        pairs = df[[a, b, value]].dropna(subset=[a, b]).astype({a: object, b: object})
        pairs[value] = pd.to_numeric(pairs[value], errors="coerce").where(lambda v: np.isfinite(v))
        labels = list(pd.unique(pd.concat([pairs[a], pairs[b]], ignore_index=True)))
        matrix = pairs.groupby([a, b], sort=False)[value].mean().unstack(b)
        matrix = matrix.reindex(index=labels, columns=labels).astype(float)
        return matrix.combine_first(matrix.T).reindex(index=labels, columns=labels)
    if list(df.index) != list(df.columns):
        _require(df, a, b, value)  # neither pair rows nor a square matrix: raises KeyError
    return df.apply(pd.to_numeric, errors="coerce")


def dendrogram_chart(
    similarity_df: pd.DataFrame,
    *,
    title: str | None = "各组文本相似度聚类",
    subtitle: str | None = "Hierarchical clustering (average linkage) on 1 - cosine similarity",
    a: str = "group_a",
    b: str = "group_b",
    value: str = "cosine",
    method: str = "average",
    color_threshold: float | None = None,
) -> Figure:
    """Dendrogram of groups from pairwise cosine similarities (rows *a*, *b*, *value*).

    Distance is ``1 - cosine`` clipped to [0, 2]; pairs that are missing count as unrelated
    (distance 1). A square similarity matrix (index == columns) is accepted too.
    """
    from scipy.cluster import hierarchy
    from scipy.spatial.distance import squareform

    if _empty(similarity_df):
        return _no_data_figure(title, subtitle)
    sim = _similarity_matrix(similarity_df, a, b, value)
    if len(sim) < 2:
        return _no_data_figure(title, subtitle, "至少需要两个组 / need at least two groups")
    dist = (1.0 - sim.to_numpy(dtype=float)).clip(0.0, 2.0)
    unknown = int(np.isnan(dist[np.triu_indices(len(sim), 1)]).sum())
    dist = np.nan_to_num(np.minimum(dist, dist.T), nan=1.0)  # symmetric even if input is not
    np.fill_diagonal(dist, 0.0)
    linkage = hierarchy.linkage(squareform(dist, checks=False), method=method, optimal_ordering=True)
    labels = [wrap_label(s, 18) for s in sim.index]
    note = f"注：{unknown} 对组缺少相似度，按距离 1 处理 / {unknown} missing pair(s) set to distance 1." \
        if unknown else None
    fig = _new_figure(8.0, max(2.4, _row_height(labels) * len(labels) + 0.9), title, subtitle, note)
    ax = fig.add_subplot()
    palette = [BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY]
    hierarchy.set_link_color_palette(palette)
    try:
        hierarchy.dendrogram(linkage, labels=labels, orientation="right", ax=ax,
                             color_threshold=color_threshold, above_threshold_color=GREY,
                             leaf_font_size=LABEL_SIZE)
    finally:
        hierarchy.set_link_color_palette(None)
    ax.set_xlabel("距离 (1 - 余弦相似度) / distance (1 - cosine)", fontsize=LABEL_SIZE)
    ax.set_xlim(left=0)
    _style_axes(ax, "x")
    ax.spines["left"].set_visible(False)
    return fig


def _keyness_top(part: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The *top_n* strongest terms in each direction, positive first, in plotting order."""
    up = part[part["lr"] > 0].sort_values("lr", ascending=False, kind="stable").head(top_n)
    down = part[part["lr"] < 0].sort_values("lr", ascending=True, kind="stable").head(top_n)
    return pd.concat([up, down.iloc[::-1]])


def _keyness_panel(ax: Axes, shown: pd.DataFrame, cap: float, alpha: float) -> None:
    shown = shown.assign(plot=shown["lr"].clip(-cap, cap))
    positions = np.arange(len(shown))[::-1]
    for pos, (_, r) in zip(positions, shown.iterrows(), strict=True):
        colour = BLUE if r["lr"] > 0 else VERMILLION
        significant = bool(r["p"] < alpha) if np.isfinite(r["p"]) else False
        ax.barh(pos, r["plot"], height=0.7, color=colour if significant else "white",
                edgecolor=colour, linewidth=1.0, hatch=None if significant else "////")
        text = f"n={_format_number(r['n'])}" if np.isfinite(r["n"]) else ""
        if not np.isfinite(r["lr"]):
            text = (text + " ∞").strip()
        if text:
            ax.annotate(text, (r["plot"], pos), xytext=(3 if r["lr"] > 0 else -3, 0),
                        textcoords="offset points", va="center",
                        ha="left" if r["lr"] > 0 else "right", fontsize=7.5, color="#333333")
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(positions, [wrap_label(t, 16, max_lines=2) for t in shown["token"]])
    ax.set_ylim(-0.6, len(shown) - 0.4)
    ax.set_xlim(-cap * 1.3, cap * 1.3)
    ax.set_xlabel("对数比 log ratio (log2)", fontsize=LABEL_SIZE)
    _style_axes(ax, "x")


def keyness_chart(
    df: pd.DataFrame,
    *,
    group: str | None = None,
    token: str = "token",
    log_ratio: str = "log_ratio",
    p_adj: str = "p_adj",
    count: str | None = None,
    top_n: int = 15,
    alpha: float = 0.05,
    groups: Sequence[Any] | None = None,
    title: str | None = "各组特征词（关键性）",
    subtitle: str | None = "Keyness: top terms over- and under-used vs. the reference corpus",
    max_groups: int | None = 12,
) -> Figure:
    """Diverging bars of log ratio for the top *top_n* terms in each direction, one panel per group.

    Filled bars are significant (``p_adj < alpha``), hatched ones are not; bar ends show the
    count. ±inf log ratios (term absent on one side) are drawn at the axis cap and marked ∞.
    *group* defaults to a ``group`` column when present; *groups* selects/orders panels;
    *count* defaults to ``count`` or ``count_target`` (as in ``analysis.compare.keyness``).
    At most *max_groups* panels are drawn (the first in order; None = all); a footnote says how
    many were left out. Select the groups in SQL first for large tables (:func:`analysis.outputs.nb.keyness_top`).
    """
    if _empty(df):
        return _no_data_figure(title, subtitle)
    if group is None and "group" in df.columns:
        group = "group"
    if count is None:
        count = next((c for c in ("count", "count_target") if c in df.columns), None)
    _require(df, group, token, log_ratio, p_adj, count)
    data = pd.DataFrame({
        "group": df[group].astype(object) if group else "",
        "token": df[token],
        "lr": pd.to_numeric(df[log_ratio], errors="coerce"),
        "p": pd.to_numeric(df[p_adj], errors="coerce"),
        "n": pd.to_numeric(df[count], errors="coerce") if count else np.nan,
    }).dropna(subset=["token", "lr", "group"])
    data = data[data["lr"] != 0]
    if data.empty:
        return _no_data_figure(title, subtitle)
    panels = _order(data["group"], groups)
    if not panels:
        return _no_data_figure(title, subtitle)
    left_out = len(panels) - max_groups if max_groups is not None and len(panels) > max_groups else 0
    if left_out:
        panels = panels[:max_groups]
    shown = {name: _keyness_top(data[data["group"] == name], top_n) for name in panels}
    sizes = [len(shown[name]) for name in panels]
    every = pd.concat(shown.values())["lr"]
    finite = every[np.isfinite(every)]
    cap = (float(finite.abs().max()) if len(finite) else 1.0) * (1.15 if len(finite) < len(every) else 1.0)
    ncols = 1 if len(panels) == 1 else 2
    nrows = math.ceil(len(panels) / ncols)
    grid_rows = [max(sizes[i:i + ncols]) for i in range(0, len(panels), ncols)]
    body = sum(max(1.6, 0.27 * n + 0.9) for n in grid_rows) + 0.35
    handles = [
        Patch(facecolor=BLUE, edgecolor=BLUE, label="本组多用 overused"),
        Patch(facecolor=VERMILLION, edgecolor=VERMILLION, label="本组少用 underused"),
        Patch(facecolor="white", edgecolor=GREY, hatch="////", label=f"不显著 n.s. (p_adj ≥ {alpha:g})"),
    ]
    note = f"另有 {left_out} 组未显示 / {left_out} more group(s) not shown." if left_out else None
    fig = _new_figure(7.5 if ncols == 1 else 11.0, body, title, subtitle, note, legend=handles)
    axes = fig.subplots(nrows, ncols, squeeze=False,
                        gridspec_kw={"height_ratios": [max(1.6, 0.27 * n + 0.9) for n in grid_rows]})
    show_names = group is not None and (len(panels) > 1 or str(panels[0]) not in str(title or ""))
    for ax, name in zip(axes.ravel(), panels, strict=False):
        _keyness_panel(ax, shown[name], cap, alpha)
        if show_names:
            ax.set_title(wrap_label(name, 40), fontsize=10.5, loc="left")
    for ax in axes.ravel()[len(panels):]:
        ax.set_axis_off()
    return fig


def _naive_dates(values: pd.Series) -> pd.Series:
    """Parse to datetime64 without time zone; unparseable values become NaT."""
    parsed = pd.to_datetime(values, errors="coerce")
    return parsed.dt.tz_localize(None) if parsed.dt.tz is not None else parsed


def timeline_intervals(
    df: pd.DataFrame,
    *,
    label: str | None = None,
    start: str = "inspection_start",
    end: str = "inspection_end",
    feedback: str = "feedback_date",
    publish: str = "publish_date",
    title: str | None = "巡察、反馈与整改通报时间线",
    subtitle: str | None = "Per notice: inspection period (bar), then feedback and publication of the report",
    sort: bool = True,
    max_rows: int | None = MAX_ROWS,
    seed: int = 0,
) -> Figure:
    """One row per notice: inspection bar, line to the feedback date, line to publication.

    The right margin gives the days from end of inspection to feedback and from feedback to
    publication. *label* defaults to the first of label/doc_label/doc/doc_id/title present.
    With more than *max_rows* notices (None = no limit), a random sample of *max_rows* (seeded by
    *seed*) is drawn and the footnote says so; sample in SQL first for large tables
    (``order by md5(seed || doc_id) limit n``).
    """
    if _empty(df):
        return _no_data_figure(title, subtitle)
    if label is None:
        label = next((c for c in ("label", "doc_label", "doc", "doc_id", "title") if c in df.columns), None)
        if label is None:
            raise KeyError("no label column: pass label= (tried label, doc_label, doc, doc_id, title)")
    _require(df, label, start, end, feedback, publish)
    dates = {k: _naive_dates(df[c]) for k, c in (("s", start), ("e", end), ("f", feedback), ("p", publish))}
    data = pd.DataFrame({"label": df[label].to_numpy(), **{k: v.to_numpy() for k, v in dates.items()}})
    data = data.dropna(subset=["label"])
    no_dates = data[["s", "e", "f", "p"]].isna().all(axis=1)
    if data.empty or no_dates.all():
        return _no_data_figure(title, subtitle)
    n_all = len(data)
    if max_rows is not None and n_all > max_rows:
        data = data.iloc[np.sort(np.random.default_rng(seed).choice(n_all, max_rows, replace=False))]
    if sort:
        first = data[["s", "e", "f", "p"]].min(axis=1)
        data = data.assign(_k=first).sort_values(["_k", "label"], kind="stable", na_position="last")
    labels = [wrap_label(s, 24, max_lines=2) for s in data["label"]]
    row_h = _row_height(labels)
    note = "右侧数字：巡察结束→反馈 / 反馈→通报 天数；“?” 表示日期缺失。 " \
           "Right: days from end of inspection to feedback / feedback to publication; ? = missing date."
    if len(data) < n_all:
        note += f"\n随机抽样 {len(data)} / {n_all} 篇（种子 {seed}）/ random sample of {len(data)} of {n_all} (seed {seed})."
    handles = [
        Patch(color=BLUE, label="巡察期 inspection"),
        Line2D([], [], color=ORANGE, marker="D", markersize=5, linewidth=1.6, label="反馈 feedback"),
        Line2D([], [], color=GREEN, marker="o", markersize=6, linewidth=1.6, label="整改通报 publication"),
    ]
    fig = _new_figure(10.0, max(2.4, row_h * len(data) + 1.0), title, subtitle, note, legend=handles)
    ax = fig.add_subplot()
    num = {k: mdates.date2num(data[k]) for k in ("s", "e", "f", "p")}  # NaT becomes nan
    positions = np.arange(len(data))[::-1]
    for i, pos in enumerate(positions):
        s, e, f, p = (num[k][i] for k in ("s", "e", "f", "p"))
        if np.isfinite(s) and np.isfinite(e):
            ax.barh(pos, e - s, left=s, height=0.5, color=BLUE, zorder=2)
        elif np.isfinite(s) or np.isfinite(e):
            ax.plot([s if np.isfinite(s) else e], [pos], marker="|", color=BLUE, markersize=9, zorder=2)
        last = e if np.isfinite(e) else s
        if np.isfinite(last) and np.isfinite(f):
            ax.plot([last, f], [pos, pos], color=ORANGE, linewidth=1.6, zorder=1)
        if np.isfinite(f):
            ax.plot([f], [pos], marker="D", color=ORANGE, markersize=5, zorder=3)
        before_p = f if np.isfinite(f) else last
        if np.isfinite(before_p) and np.isfinite(p):
            ax.plot([before_p, p], [pos, pos], color=GREEN, linewidth=1.6, zorder=1)
        if np.isfinite(p):
            ax.plot([p], [pos], marker="o", color=GREEN, markersize=6, zorder=3)
        if not any(np.isfinite(v) for v in (s, e, f, p)):
            ax.text(0.005, pos, "日期缺失 / no dates", transform=ax.get_yaxis_transform(),
                    va="center", fontsize=8, color=GREY)
        days = [f - e if np.isfinite(e) and np.isfinite(f) else np.nan,
                p - f if np.isfinite(f) and np.isfinite(p) else np.nan]
        ax.text(1.01, pos, " / ".join("?" if np.isnan(d) else f"{d:.0f}" for d in days) + " 天",
                transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=8, color="#333333")
    ax.set_yticks(positions, labels)
    ax.set_ylim(-0.7, len(data) - 0.3)
    every = np.concatenate([v[np.isfinite(v)] for v in num.values()])
    span = float(every.max() - every.min()) if len(every) else 0.0
    pad = max(span * 0.03, 3.0)
    ax.set_xlim(every.min() - pad, every.max() + pad)
    if span > 120:
        months = max(1, math.ceil(span / 30.4 / 9))
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=months))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=8))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    for tick in ax.get_xticklabels():
        tick.set(rotation=30, ha="right", rotation_mode="anchor")
    _style_axes(ax, "x")
    return fig


BOX_STAT_COLUMNS = ("n", "q1", "med", "q3", "whislo", "whishi")


def _box_stats(values: np.ndarray) -> dict[str, Any]:
    """Box statistics as matplotlib computes them (quartiles, whiskers at 1.5 IQR, fliers)."""
    from matplotlib import cbook

    stats = cbook.boxplot_stats(values, whis=1.5)[0]
    stats["n"] = len(values)
    return stats


def box_by_group(
    df: pd.DataFrame | None,
    group: str,
    value: str,
    *,
    stats: pd.DataFrame | None = None,
    overall_median: float | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    xlabel: str | None = None,
    order: Sequence[Any] | None = None,
    show_points: bool = True,
    max_groups: int | None = MAX_ROWS,
    max_points: int | None = 200,
    other: Any | None = None,
    seed: int = 0,
) -> Figure:
    """Horizontal box plots of *value* per *group* (sorted by median, highest on top), with points.

    Labels carry the group size; a dashed line marks the overall median. Point jitter and point
    sampling use *seed*, so the output is reproducible.

    Bounded for large inputs: at most *max_points* points per group are drawn (a seeded random
    sample; None = all), and at most *max_groups* boxes: the groups with fewest values are pooled
    into one "其他 N 组" box drawn last (named *other* when the input already has such a bucket).

    *stats* takes precomputed statistics instead (one row per *group* with columns ``n, q1, med,
    q3, whislo, whishi``, as :func:`analysis.outputs.nb.box_data` computes them in SQL); *df* then holds only
    the points to draw (a sample is fine, or None) and *overall_median* the median of all values.
    """
    if stats is not None:
        if _empty(stats):
            return _no_data_figure(title, subtitle)
        _require(stats, group, *BOX_STAT_COLUMNS)
        st = stats.dropna(subset=[group, "med"]).drop_duplicates(group)
        if st.empty:
            return _no_data_figure(title, subtitle)
        boxes = {g: {**{c: float(r[c]) for c in BOX_STAT_COLUMNS}, "fliers": []}
                 for g, r in st.set_index(group).iterrows()}
        points = pd.DataFrame(columns=["g", "v"])
        if not _empty(df):
            _require(df, group, value)
            points = pd.DataFrame({"g": df[group], "v": pd.to_numeric(df[value], errors="coerce")}).dropna()
        groups = _order(st[group], order)
        bucket = other if other is not None and other in boxes else None
        dropped, centre = 0, overall_median
    else:
        if _empty(df):
            return _no_data_figure(title, subtitle)
        _require(df, group, value)
        points = pd.DataFrame({"g": df[group].astype(object), "v": pd.to_numeric(df[value], errors="coerce")})
        dropped = int(points["v"].isna().sum() + points["g"].isna().sum())
        points = points.dropna()
        if points.empty:
            return _no_data_figure(title, subtitle)
        groups = _order(points["g"], order)
        sizes = points.groupby("g", sort=False).size()
        bucket = other if other is not None and other in set(groups) else None
        own = [g for g in groups if g != bucket]
        if max_groups is not None and len(own) > max_groups:
            keep = set(sizes.reindex(own).sort_values(ascending=False, kind="stable").index[:max_groups])
            bucket = other if other is not None else other_label(len(own) - max_groups, "组")
            points["g"] = points["g"].where(points["g"].isin(keep), bucket)
            groups = [g for g in groups if g in keep] + [bucket]
        boxes = {g: _box_stats(part.to_numpy()) for g, part in points.groupby("g", sort=False)["v"]}
        centre = float(points["v"].median())
    own = [g for g in groups if bucket is None or g != bucket]
    omitted = 0
    if max_groups is not None and len(own) > max_groups:  # precomputed statistics cannot be pooled
        keep = set(sorted(own, key=lambda g: -boxes[g]["n"])[:max_groups])
        omitted = len(own) - max_groups
        own = [g for g in own if g in keep]
    if order is None:
        own = sorted(own, key=lambda g: -boxes[g]["med"])  # stable: ties keep their order
    groups = own + ([bucket] if bucket is not None else [])
    rng = np.random.default_rng(seed)
    samples, sampled = [], False
    for g in groups:
        sample = points.loc[points["g"] == g, "v"].to_numpy() if show_points else np.array([])
        if max_points is not None and len(sample) > max_points:
            sample = sample[np.sort(rng.choice(len(sample), max_points, replace=False))]
            sampled = True
        sampled = sampled or (show_points and len(sample) < boxes[g]["n"])
        samples.append(sample)
    labels = [f"{wrap_label(g, 16)} (n={int(boxes[g]['n'])})" for g in groups]
    row_h = max(0.32, _row_height(labels))
    notes = []
    if centre is not None and np.isfinite(centre):
        notes.append("虚线 = 全部数据的中位数 / dashed line = overall median.")
    if sampled:
        notes.append(f"每组最多随机显示 {max_points} 个点（种子 {seed}）/ up to {max_points} random points per "
                     f"group shown (seed {seed}).")
    if omitted:
        notes.append(f"另有 {omitted} 组未显示 / {omitted} smaller group(s) not shown.")
    if dropped:
        notes.append(_missing_note(dropped) or "")
    fig = _new_figure(8.0, max(2.2, row_h * len(groups) + 0.9), title, subtitle, " ".join(notes) or None)
    ax = fig.add_subplot()
    positions = np.arange(len(groups))[::-1] + 1.0
    ax.bxp([{**boxes[g], "label": lab} for g, lab in zip(groups, labels, strict=True)], positions=positions,
           widths=0.6, orientation="horizontal", patch_artist=True, showfliers=not show_points,
           boxprops={"facecolor": to_rgba(SKY, 0.45), "edgecolor": BLUE, "linewidth": 1.0},
           medianprops={"color": BLUE, "linewidth": 1.8},
           whiskerprops={"color": BLUE}, capprops={"color": BLUE},
           flierprops={"marker": "o", "markersize": 3, "markerfacecolor": GREY, "markeredgecolor": "none"})
    if show_points:
        for pos, sample in zip(positions, samples, strict=True):
            jitter = rng.uniform(-0.17, 0.17, len(sample))
            ax.scatter(sample, pos + jitter, s=9, color="#000000", alpha=0.45, linewidths=0, zorder=3)
    if centre is not None and np.isfinite(centre):
        ax.axvline(float(centre), color=GREY, linestyle="--", linewidth=0.9, zorder=0)
    if bucket is not None and len(groups) > 1:
        ax.axhline(1.5, color=GREY, linewidth=0.6, linestyle=(0, (3, 2)))
    ax.set_ylim(0.4, len(groups) + 0.6)
    ax.set_xlabel(xlabel or str(value), fontsize=LABEL_SIZE)
    _style_axes(ax, "x")
    return fig


def _place_labels(fig: Figure, ax: Axes, points: list[tuple[float, float, str]],
                  obstacles: np.ndarray, radius_px: np.ndarray) -> None:
    """Greedy label placement: first candidate offset that overlaps neither labels nor points."""
    canvas = FigureCanvasAgg(fig)  # a renderer to measure text with
    fig.draw_without_rendering()  # run the layout so positions are final
    renderer = canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    taken: list[Any] = []
    trans = ax.transData
    centres = trans.transform(obstacles) if len(obstacles) else np.zeros((0, 2))
    scale = fig.dpi / 72
    offsets = [(6, 6), (6, -6), (-6, 6), (-6, -6), (9, 0), (-9, 0), (0, 10), (0, -10),
               (14, 14), (14, -14), (-14, 14), (-14, -14), (22, 0), (-22, 0), (0, 20), (0, -20)]
    for px, py, text in points:
        placed = None
        for dx, dy in offsets:
            ann = ax.annotate(text, (px, py), xytext=(dx, dy), textcoords="offset points",
                              ha="left" if dx > 0 else "right" if dx < 0 else "center",
                              va="bottom" if dy > 0 else "top" if dy < 0 else "center",
                              fontsize=7.5, color="#222222", annotation_clip=False,
                              arrowprops={"arrowstyle": "-", "color": GREY, "linewidth": 0.5,
                                          "shrinkA": 0, "shrinkB": 2})
            ann.update_positions(renderer)
            box = Text.get_window_extent(ann, renderer).expanded(1.04, 1.15)  # text only, no leader
            inside = axes_box.contains(box.x0, box.y0) and axes_box.contains(box.x1, box.y1)
            near = np.clip(centres, [box.x0, box.y0], [box.x1, box.y1])
            hits_point = bool(np.any(np.hypot(*(near - centres).T) < radius_px * scale + 1))
            if inside and not hits_point and not any(box.overlaps(t) for t in taken):
                placed = ann
                taken.append(box)
                break
            ann.remove()
        if placed is not None:
            placed.set_in_layout(False)


def scatter_stated_vs_found(
    df: pd.DataFrame,
    x: str,
    y: str,
    label: str | None = None,
    *,
    title: str | None = "通报所述问题数与逐条列举问题数",
    subtitle: str | None = "Problems stated in the notice vs. problems enumerated; on the line they agree",
    xlabel: str | None = "通报所述问题数 / stated",
    ylabel: str | None = "逐条列举问题数 / enumerated",
    max_labels: int = 20,
    count: str | None = None,
) -> Figure:
    """Scatter of *y* against *x* with the y = x diagonal; marker area grows with identical points.

    Colour and shape say whether a notice enumerates fewer, as many or more problems than it
    states; the *max_labels* largest discrepancies are labelled where there is room.
    *count* names a column of pre-aggregated rows (notices with that x and y, e.g. from a SQL
    ``group by``; *label* is then one of them): the chart draws one marker per distinct point either
    way, with area proportional to the number of notices (capped, so the largest stays readable).
    """
    if _empty(df):
        return _no_data_figure(title, subtitle)
    _require(df, x, y, label, count)
    data = pd.DataFrame({"x": pd.to_numeric(df[x], errors="coerce"),
                         "y": pd.to_numeric(df[y], errors="coerce"),
                         "label": df[label].astype(object) if label else "",
                         "w": pd.to_numeric(df[count], errors="coerce").fillna(1) if count else 1})
    dropped = int(data.loc[data[["x", "y"]].isna().any(axis=1), "w"].sum())
    data = data.dropna(subset=["x", "y"])
    data = data[np.isfinite(data["x"]) & np.isfinite(data["y"])]
    if data.empty:
        return _no_data_figure(title, subtitle)
    grouped = data.groupby(["x", "y"], sort=True).agg(
        n=("w", "sum"), names=("label", lambda s: [str(v) for v in s if not _is_missing(v)])
    ).reset_index()
    grouped["n"] = grouped["n"].astype(int)
    grouped["diff"] = grouped["y"] - grouped["x"]
    n_max = int(grouped["n"].max())
    note = _missing_note(dropped)
    if n_max > 1:
        size_note = f"点面积 ∝ 通报篇数（最多 {n_max} 篇）/ marker area ∝ notices at that point (max {n_max})."
        note = f"{size_note} {note}" if note else size_note
    fig = _new_figure(7.0, 6.2, title, subtitle, note)
    ax = fig.add_subplot()
    hi = float(max(grouped["x"].max(), grouped["y"].max(), 1.0)) * 1.08
    lo = float(min(grouped["x"].min(), grouped["y"].min(), 0.0))
    lo = lo - 0.04 * (hi - lo) if lo < 0 else -0.02 * hi
    ax.plot([lo, hi], [lo, hi], color=GREY, linestyle="--", linewidth=1.0, zorder=1,
            label="y = x（所述 = 列举）")
    sizes = 28 + min(22.0, 372.0 / max(n_max - 1, 1)) * (grouped["n"].to_numpy() - 1)  # at most 400
    kinds = [
        (grouped["diff"] < 0, VERMILLION, "v", "列举少于所述 fewer enumerated"),
        (grouped["diff"] == 0, GREEN, "o", "一致 agree"),
        (grouped["diff"] > 0, BLUE, "^", "列举多于所述 more enumerated"),
    ]
    for mask, colour, marker, name in kinds:
        m = mask.to_numpy()
        count = int(grouped.loc[m, "n"].sum())
        if count:
            ax.scatter(grouped.loc[m, "x"], grouped.loc[m, "y"], s=sizes[m], color=colour, marker=marker,
                       alpha=0.8, edgecolor="white", linewidth=0.6, zorder=3, label=f"{name} ({count})")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal", adjustable="box")
    if _integer_valued(data["x"]) and _integer_valued(data["y"]):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    _style_axes(ax, "both")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.1), ncols=2, fontsize=8, frameon=False)
    if label and max_labels > 0:
        ranked = grouped[(grouped["diff"] != 0) & grouped["names"].map(bool)]
        ranked = ranked.reindex(ranked["diff"].abs().sort_values(ascending=False, kind="stable").index)
        points = []
        for _, r in ranked.head(max_labels).iterrows():
            names = r["names"]
            text = wrap_label(names[0], 24, max_lines=1) + (f" 等{r['n']}篇" if r["n"] > 1 else "")
            points.append((float(r["x"]), float(r["y"]), text))
        radius = np.sqrt(sizes / np.pi)
        _place_labels(fig, ax, points, grouped[["x", "y"]].to_numpy(dtype=float), radius)
    return fig


setup_fonts()
