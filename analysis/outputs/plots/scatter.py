"""Scatter of problems stated against problems enumerated per notice, with labels placed to not overlap."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from analysis.outputs.plots.style import (
    BLUE,
    GREEN,
    GREY,
    LABEL_SIZE,
    VERMILLION,
    _empty,
    _integer_valued,
    _is_missing,
    _missing_note,
    _new_figure,
    _no_data_figure,
    _require,
    _style_axes,
    wrap_label,
)

# Label offsets (points) tried in turn around a marker, nearest first.
_LABEL_OFFSETS = [(6, 6), (6, -6), (-6, 6), (-6, -6), (9, 0), (-9, 0), (0, 10), (0, -10),
                  (14, 14), (14, -14), (-14, 14), (-14, -14), (22, 0), (-22, 0), (0, 20), (0, -20)]


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
    for px, py, text in points:
        placed = None
        for dx, dy in _LABEL_OFFSETS:
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


def _distinct_points(df: pd.DataFrame, x: str, y: str, label: str | None,
                     count: str | None) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Rows with finite x and y, and one row per distinct (x, y): notices ``n``, ``names``, ``diff``.

    Returns (rows, distinct points, notices dropped for a missing x or y).
    """
    data = pd.DataFrame({"x": pd.to_numeric(df[x], errors="coerce"),
                         "y": pd.to_numeric(df[y], errors="coerce"),
                         "label": df[label].astype(object) if label else "",
                         "w": pd.to_numeric(df[count], errors="coerce").fillna(1) if count else 1})
    dropped = int(data.loc[data[["x", "y"]].isna().any(axis=1), "w"].sum())
    data = data.dropna(subset=["x", "y"])
    data = data[np.isfinite(data["x"]) & np.isfinite(data["y"])]
    if data.empty:
        return data, data, dropped
    grouped = data.groupby(["x", "y"], sort=True).agg(
        n=("w", "sum"), names=("label", lambda s: [str(v) for v in s if not _is_missing(v)])
    ).reset_index()
    grouped["n"] = grouped["n"].astype(int)
    grouped["diff"] = grouped["y"] - grouped["x"]
    return data, grouped, dropped


def _draw_kinds(ax: Axes, grouped: pd.DataFrame, sizes: np.ndarray) -> None:
    """Markers coloured and shaped by whether fewer, as many or more problems are enumerated."""
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


def _discrepancy_labels(grouped: pd.DataFrame, max_labels: int) -> list[tuple[float, float, str]]:
    """Labels of the *max_labels* points furthest from the diagonal: first name (and 等N篇)."""
    ranked = grouped[(grouped["diff"] != 0) & grouped["names"].map(bool)]
    ranked = ranked.reindex(ranked["diff"].abs().sort_values(ascending=False, kind="stable").index)
    points = []
    for _, r in ranked.head(max_labels).iterrows():
        names = r["names"]
        text = wrap_label(names[0], 24, max_lines=1) + (f" 等{r['n']}篇" if r["n"] > 1 else "")
        points.append((float(r["x"]), float(r["y"]), text))
    return points


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
    data, grouped, dropped = _distinct_points(df, x, y, label, count)
    if data.empty:
        return _no_data_figure(title, subtitle)
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
    _draw_kinds(ax, grouped, sizes)
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
        radius = np.sqrt(sizes / np.pi)
        _place_labels(fig, ax, _discrepancy_labels(grouped, max_labels),
                      grouped[["x", "y"]].to_numpy(dtype=float), radius)
    return fig
