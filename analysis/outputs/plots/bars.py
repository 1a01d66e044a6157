"""Horizontal bar chart of counts per category, bounded: the smallest categories pool into "其他"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.outputs.plots.style import (
    BLUE,
    GREY,
    LABEL_SIZE,
    MAX_ROWS,
    MISSING_LABEL,
    OKABE_ITO,
    OTHER_LABEL,
    _empty,
    _format_number,
    _integer_valued,
    _missing_note,
    _new_figure,
    _no_data_figure,
    _order,
    _require,
    _row_height,
    _style_axes,
    other_label,
    wrap_label,
)


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


def _bar_frame(df: pd.DataFrame, x: str, y: str, hue: str | None) -> tuple[pd.DataFrame, str, str, int]:
    """The category, value (and hue) columns with numeric values; rows missing either are dropped.

    Returns (data, category column, value column, rows dropped); *x* and *y* are swapped when *x*
    is the numeric one.
    """
    cat, val = x, y
    if pd.api.types.is_numeric_dtype(df[x]) and not pd.api.types.is_numeric_dtype(df[y]):
        cat, val = y, x
    data = df[[c for c in (cat, val, hue) if c is not None]].copy()
    data[val] = pd.to_numeric(data[val], errors="coerce")
    dropped = int(data[cat].isna().sum() + data[val].isna().sum())
    return data.dropna(subset=[cat, val]), cat, val, dropped


def _hue_levels(data: pd.DataFrame, hue: str, val: str, dtype: Any, max_hue: int) -> list[Any]:
    """Hue levels in legend order (categorical order, else largest first), at most *max_hue*.

    Missing hue values become "（缺失）"; beyond *max_hue* levels the smallest are relabelled
    "其他 / other" in *data*.
    """
    data[hue] = data[hue].astype(object).where(data[hue].notna(), MISSING_LABEL)
    totals = data.groupby(hue, sort=False)[val].sum().sort_values(ascending=False, kind="stable")
    if isinstance(dtype, pd.CategoricalDtype):
        levels = [lv for lv in dtype.categories if lv in set(totals.index)]
        levels += [lv for lv in totals.index if lv not in set(levels)]  # the missing-value label
    else:
        levels = list(totals.index)
    if len(levels) > max_hue:
        keep = set(totals.index[: max_hue - 1])
        data[hue] = data[hue].where(data[hue].isin(keep), OTHER_LABEL)
        levels = [lv for lv in levels if lv in keep] + [OTHER_LABEL]
    return levels


def _pool_bars(table: pd.DataFrame, ordered: bool, top_n: int | None,
               other: Any | None) -> tuple[pd.DataFrame, list[Any], Any]:
    """Rows in display order (largest first unless *ordered*), the excess summed into a bucket.

    Returns (table, the categories shown on their own, the bucket's label or None).
    """
    total = table.sum(axis=1)
    if not ordered:
        total = total.sort_values(ascending=False, kind="stable")
    shown, merged, bucket = _top_with_other(total, top_n, other)
    if bucket is not None:
        extra = table.loc[merged].sum() if merged else 0.0
        base = table.loc[bucket] if bucket in table.index else 0.0
        table.loc[bucket] = base + extra
    return table.loc[shown + ([bucket] if bucket is not None else [])], shown, bucket


def _draw_cut_bucket(ax: Axes, position: float, value: float, largest: float) -> None:
    """A bucket that would squash every other bar: cut at the axis edge, its value written on it."""
    right = largest * 1.3
    ax.barh(position, value, height=0.72, color=to_rgba(GREY, 0.35), edgecolor=GREY,
            linewidth=0.6, hatch="///")
    ax.set_xlim(right=right)
    ax.annotate(f"{_format_number(value)} →", (right, position), xytext=(-3, 0),
                textcoords="offset points", va="center", ha="right", fontsize=8, color="#222222",
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": GREY, "linewidth": 0.5})


def _draw_bars(ax: Axes, table: pd.DataFrame, n_shown: int, bucket: Any, colours: list[str],
               labels: list[str], annotate: bool) -> list[BarContainer]:
    """Stacked bars, first row on top, the bucket last under a dashed rule; returns legend handles."""
    positions = np.arange(len(table))[::-1]  # first (largest) on top
    values = table.sum(axis=1).to_numpy(dtype=float)
    largest = float(values[:n_shown].max()) if n_shown else 0.0
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
    if cut:
        _draw_cut_bucket(ax, positions[-1], values[-1], largest)
    if bucket is not None:
        ax.axhline(positions[-1] + 0.5, color=GREY, linewidth=0.6, linestyle=(0, (3, 2)))
        ax.get_yticklabels()[-1].set_color("#555555")
    return handles


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
    data, cat, val, dropped = _bar_frame(df, x, y, hue)
    if data.empty:
        return _no_data_figure(title, subtitle)
    cats = _order(data[cat], order)
    data[cat] = data[cat].astype(object)
    if hue is None:
        table = data.groupby(cat, sort=False)[val].sum().to_frame(val)
        levels: list[Any] = [val]
    else:
        levels = _hue_levels(data, hue, val, df[hue].dtype, max_hue)
        table = data.groupby([cat, hue], sort=False)[val].sum().unstack(hue)
        table = table.reindex(columns=levels)
    table = table.reindex(pd.Index(cats, dtype=object)).fillna(0.0)
    table, shown, bucket = _pool_bars(table, order is not None, top_n, other)
    labels = [wrap_label(c, 20) for c in table.index]
    legend_w = 1.8 if hue is not None else 0.0
    fig = _new_figure(8.0 + legend_w, max(2.2, _row_height(labels) * len(table) + 0.9), title, subtitle,
                      _missing_note(dropped))
    ax = fig.add_subplot()
    colours = [BLUE] if hue is None else [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(levels))]
    handles = _draw_bars(ax, table, len(shown), bucket, colours, labels, annotate)
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
