"""The look shared by every chart: palette, sizes, labels, and the figure every chart starts from.

:func:`_new_figure` is the one place a chart figure is created, so it is also where the Chinese
font is set up (once per process, see :mod:`analysis.outputs.plots.fonts`). The small ``_``
helpers here check and order the input frames the same way in every chart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from analysis.outputs.plots.fonts import setup_fonts

# Okabe & Ito (2008) colour-blind-safe qualitative palette, black last.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
BLUE, VERMILLION, GREEN, ORANGE, SKY, PURPLE = "#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7"
GREY = "#7F7F7F"
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu"
NO_DATA = "无数据 / no data"
OTHER_LABEL = "其他 / other"
MISSING_LABEL = "（缺失）"
# Default bound on bars, heatmap rows and boxes per chart: beyond it the rest are merged into one
# "其他" row (bars, heatmaps) or box, so a chart stays readable on any corpus.
MAX_ROWS = 60

TITLE_SIZE = 13.0
SUBTITLE_SIZE = 9.5
NOTE_SIZE = 8.0
LABEL_SIZE = 9.0
_NO_LINE_START = set("，。、；：？！）》」』”’%,.;:?!)")


# ---------------------------------------------------------------------------------------- labels


def _columns(text: str) -> int:
    """Display width: CJK and full-width characters count two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(np.ndim(value) == 0 and pd.isna(value)))


def wrap_label(text: Any, width: int = 20, max_lines: int = 3) -> str:
    """Wrap a label to lines of at most *width* columns; CJK breaks anywhere, Latin at spaces."""
    if _is_missing(text):
        return MISSING_LABEL
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


def other_label(n: int, what: str = "项") -> str:
    """Label of the bucket that merges *n* categories: 其他 N 项 (or 其他 N 个区县 …)."""
    return f"其他 {n} {what}"


def _format_number(value: float, fmt: str | None = None) -> str:
    if _is_missing(value):
        return "–"
    if fmt:
        return fmt.format(value) if "{" in fmt else format(value, fmt)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def _missing_note(dropped: int, what: str = "行") -> str | None:
    if not dropped:
        return None
    return f"注：已忽略 {dropped} {what}缺失值 / {dropped} row(s) with missing values omitted."


def _text_colour(rgba: tuple[float, float, float, float]) -> str:
    """Black or white, whichever reads better on a cell of colour *rgba*."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3])
    return "#FFFFFF" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.2 else "#000000"


# ---------------------------------------------------------------------------------------- figures


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

    *legend* handles, if any, are laid out in one row under the subtitle. Sets up the Chinese font
    first (once per process), so every text of the chart has its glyphs.
    """
    setup_fonts()
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


# ---------------------------------------------------------------------------------------- input


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


def _integer_valued(values: pd.Series) -> bool:
    finite = values[np.isfinite(values)]
    return bool(len(finite)) and bool(np.all(np.equal(np.mod(finite, 1), 0)))
