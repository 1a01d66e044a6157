"""Charts of a matrix: a heatmap of values by row × column, and a dendrogram of similarities."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from analysis.outputs.plots.style import (
    BLUE,
    DIVERGING_CMAP,
    GREEN,
    GREY,
    LABEL_SIZE,
    MAX_ROWS,
    ORANGE,
    PURPLE,
    SEQUENTIAL_CMAP,
    SKY,
    VERMILLION,
    _columns,
    _empty,
    _format_number,
    _new_figure,
    _no_data_figure,
    _order,
    _require,
    _row_height,
    _style_axes,
    _text_colour,
    other_label,
    wrap_label,
)

# ---------------------------------------------------------------------------------------- heatmap


def _heatmap_matrix(data: pd.DataFrame, row: str, col: str, value: str, rows: list[Any], cols: list[Any],
                    max_rows: int | None, other: Any | None,
                    aggfunc: str | Callable) -> tuple[pd.DataFrame, Any]:
    """The row × column matrix, rows beyond *max_rows* pooled into a bucket row drawn last.

    Returns (matrix, the bucket's label or None).
    """
    bucket = other if other is not None and other in rows else None
    keep = [r for r in rows if bucket is None or r != bucket]
    if max_rows is not None and len(keep) > max_rows:
        bucket = other if other is not None else other_label(len(keep) - max_rows)
        keep = keep[:max_rows]
        data[row] = data[row].astype(object).where(data[row].isin(keep), bucket)
    rows = keep + ([bucket] if bucket is not None else [])
    matrix = data.groupby([row, col], sort=False)[value].agg(aggfunc).unstack(col)
    return matrix.reindex(index=rows, columns=cols).astype(float), bucket


def _colour_scale(finite: np.ndarray, vmin: float | None, vmax: float | None,
                  cmap: str | None) -> tuple[Normalize, Colormap]:
    """Sequential from min to max, or diverging centred on 0 when the values change sign."""
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
    return norm, mpl.colormaps[cmap or (DIVERGING_CMAP if signed else SEQUENTIAL_CMAP)]


def _column_labels(cols: list[Any], cell_w: float) -> tuple[list[str], bool, float]:
    """Column labels, whether they must be slanted to fit *cell_w*, and their height in inches."""
    labels = [wrap_label(c, 12, max_lines=2) for c in cols]
    width = max((max(_columns(s) for s in lab.split("\n")) for lab in labels), default=4)
    rotate = width * LABEL_SIZE * 0.5 / 72 > cell_w * 0.92
    if rotate:  # slanted labels read best on one line
        labels = [wrap_label(c, 28, max_lines=2) for c in cols]
        width = max((max(_columns(s) for s in lab.split("\n")) for lab in labels), default=4)
    height = (width * LABEL_SIZE * 0.5 / 72 * 0.72 + 0.2) if rotate else 0.45
    return labels, rotate, height


def _label_grid(ax: Axes, row_labels: list[str], col_labels: list[str], rotate: bool, bucket: bool) -> None:
    """Row labels at left, column labels on top (slanted if *rotate*); a rule above a bucket row."""
    n_rows, n_cols = len(row_labels), len(col_labels)
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
    if bucket and n_rows > 1:
        ax.axhline(n_rows - 1, color="#333333", linewidth=1.2)
        ax.get_yticklabels()[-1].set_color("#555555")


def _annotate_cells(ax: Axes, values: np.ndarray, fmt: str, colormap: Colormap, norm: Normalize) -> None:
    """Write each finite value in its cell, black or white to contrast with the cell colour."""
    n_rows, n_cols = values.shape
    for i in range(n_rows):
        for j in range(n_cols):
            v = values[i, j]
            if np.isfinite(v):
                ax.text(j + 0.5, i + 0.5, _format_number(v, fmt), ha="center", va="center",
                        fontsize=7.5, color=_text_colour(colormap(norm(v))))


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
    cols = _order(data[col], col_order)
    matrix, bucket = _heatmap_matrix(data, row, col, value, _order(data[row], row_order), cols,
                                     max_rows, other, aggfunc)
    values = matrix.to_numpy()
    values[~np.isfinite(values)] = np.nan
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return _no_data_figure(title, subtitle)
    norm, colormap = _colour_scale(finite, vmin, vmax, cmap)

    n_rows, n_cols = values.shape
    if annotate is None:
        annotate = n_rows * n_cols <= 900
    row_labels = [wrap_label(r, 16) for r in matrix.index]
    cell_text = max((_columns(_format_number(v, fmt)) for v in finite), default=4)
    cell_w = max(0.42, cell_text * 7.5 * 0.62 / 72 + 0.14) if annotate else 0.35
    col_labels, rotate, label_h = _column_labels(cols, cell_w)
    row_h = _row_height(row_labels)
    width = min(max(5.0, 2.6 + n_cols * cell_w + 1.3), 18.0)
    note = "灰色格 = 无数据 / grey = no data" if np.isnan(values).any() else None
    fig = _new_figure(width, max(2.2, n_rows * row_h + label_h + 0.3), title, subtitle, note)
    ax = fig.add_subplot()
    ax.set_facecolor("#E6E6E6")
    mesh = ax.pcolormesh(np.ma.masked_invalid(values), cmap=colormap, norm=norm,
                         edgecolors="white", linewidth=0.6)
    _label_grid(ax, row_labels, col_labels, rotate, bucket is not None)
    if annotate:
        _annotate_cells(ax, values, fmt, colormap, norm)
    shrink = min(1.0, 3.5 / max(n_rows * row_h, 1.0))
    bar = fig.colorbar(mesh, ax=ax, shrink=shrink, aspect=18, pad=0.02,
                       format=FuncFormatter(lambda v, _: _format_number(v, fmt)))
    bar.set_label(colorbar_label or str(value), fontsize=LABEL_SIZE)
    bar.ax.tick_params(labelsize=8)
    bar.outline.set_visible(False)
    return fig


# ---------------------------------------------------------------------------------------- dendrogram


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
