"""The chart font: find a font with Chinese glyphs, give it TrueType outlines, register it once.

:func:`setup_fonts` prefers Noto Sans SC from the pinned ``pylopdf-fonts-zh-cn`` package (the same
glyphs on every machine) and falls back to an installed system CJK font. That font has PostScript
(CFF) outlines, which matplotlib would embed in PDFs as if they were TrueType; a TrueType-outline
copy is therefore converted once and cached (see :func:`_truetype_copy`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import matplotlib as mpl
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from matplotlib import font_manager, ft2font

from analysis.paths import font_cache_dir

log = logging.getLogger(__name__)

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
SVG_HASHSALT = "analysis-plots"  # fixed ids in SVG output, so exports are byte-stable
_CJK_PROBE = "巡察整改情况通报区县市"
_CONVERTER_VERSION = "1"  # bump to invalidate cached TrueType copies
_font_family: str | None = None  # the family registered in this process, once set up


# ------------------------------------------------------------------------------------ finding a font


def _packaged_font_file() -> Path | None:
    """Noto Sans SC inside the installed ``pylopdf_fonts_zh_cn`` package, or None."""
    try:
        import pylopdf_fonts_zh_cn as pkg  # optional: without it a system font is used
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


# ------------------------------------------------------------------------- CFF → TrueType conversion


def _font_cache_dir() -> Path:
    """Where converted fonts are cached: matplotlib's cache directory, or ``$ANALYSIS_FONT_CACHE``."""
    return font_cache_dir(Path(mpl.get_cachedir()) / "analysis-fonts")


def _is_cff(path: Path, index: int) -> bool:
    """Whether the font face has PostScript (CFF) outlines."""
    with open(path, "rb") as fh:
        tag = fh.read(4)
    if tag == b"OTTO":
        return True
    if tag == b"ttcf":
        with TTFont(path, fontNumber=index, lazy=True) as font:
            return font.sfntVersion == "OTTO"
    return False


def _quadratic_glyphs(font: TTFont, order: list[str]) -> dict[str, Any]:
    """Every glyph of *font* redrawn with quadratic (TrueType) curves."""
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    return glyphs


def _truetype_tables(font: TTFont, order: list[str]) -> None:
    """Adjust the tables that describe TrueType outlines (``maxp``, ``post``, ``head``)."""
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


def _convert_to_truetype(src: Path, index: int, dst: Path) -> None:
    """Write a copy of *src* with quadratic (TrueType) outlines; names and metrics unchanged."""
    font = TTFont(src, fontNumber=index, recalcTimestamp=False)
    order = font.getGlyphOrder()
    glyphs = _quadratic_glyphs(font, order)
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
    _truetype_tables(font, order)
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dst.stem, suffix=".tmp", dir=dst.parent)
    os.close(fd)
    try:
        font.save(tmp)
        os.replace(tmp, dst)  # atomic: a parallel process never sees half a font
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


# ------------------------------------------------------------------------------------- registration


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


def _chosen_font() -> tuple[Path, int]:
    """The packaged font, else a system CJK font; RuntimeError if there is neither."""
    source = _packaged_font_file()
    if source is not None:
        return source, 0
    log.warning("pylopdf-fonts-zh-cn is not installed; looking for a system CJK font")
    chosen = _system_cjk_font()
    if chosen is None:
        raise RuntimeError(
            "No font with Chinese glyphs found: install the pinned package "
            "'pylopdf-fonts-zh-cn' (make setup) or a system CJK font such as fonts-noto-cjk."
        )
    return chosen


def setup_fonts(*, force: bool = False) -> str:
    """Register a CJK font with matplotlib, set rcParams, and return the family name used.

    Prefers the packaged Noto Sans SC (reproducible on any machine); falls back to an installed
    CJK font; raises RuntimeError if neither exists. Runs once per process (every chart and
    export calls it; later calls return the cached family) unless *force*.
    """
    global _font_family
    if _font_family is not None and not force:
        return _font_family
    chosen = _chosen_font()
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
    mpl.rcParams["svg.hashsalt"] = SVG_HASHSALT
    _font_family = family
    return family
