"""Box plots of a value per group, from raw values or from statistics computed in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from matplotlib import cbook
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from analysis.outputs.plots.style import (
    BLUE,
    GREY,
    LABEL_SIZE,
    MAX_ROWS,
    SKY,
    _empty,
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

BOX_STAT_COLUMNS = ("n", "q1", "med", "q3", "whislo", "whishi")


class _Boxes(NamedTuple):
    """What the chart draws: statistics per group, the points, the groups in order, the bucket."""

    boxes: dict[Any, dict[str, Any]]
    points: pd.DataFrame  # columns g (group), v (value)
    groups: list[Any]
    bucket: Any  # the pooled "其他" group, or None
    dropped: int  # rows with a missing group or value
    centre: float | None  # the overall median


def _box_stats(values: np.ndarray) -> dict[str, Any]:
    """Box statistics as matplotlib computes them (quartiles, whiskers at 1.5 IQR, fliers)."""
    stats = cbook.boxplot_stats(values, whis=1.5)[0]
    stats["n"] = len(values)
    return stats


def _boxes_from_stats(stats: pd.DataFrame, df: pd.DataFrame | None, group: str, value: str,
                      order: Sequence[Any] | None, other: Any | None,
                      overall_median: float | None) -> _Boxes | None:
    """Boxes from precomputed statistics; *df* holds only points to draw. None if nothing to draw."""
    _require(stats, group, *BOX_STAT_COLUMNS)
    st = stats.dropna(subset=[group, "med"]).drop_duplicates(group)
    if st.empty:
        return None
    boxes = {g: {**{c: float(r[c]) for c in BOX_STAT_COLUMNS}, "fliers": []}
             for g, r in st.set_index(group).iterrows()}
    points = pd.DataFrame(columns=["g", "v"])
    if not _empty(df):
        _require(df, group, value)
        points = pd.DataFrame({"g": df[group], "v": pd.to_numeric(df[value], errors="coerce")}).dropna()
    bucket = other if other is not None and other in boxes else None
    return _Boxes(boxes, points, _order(st[group], order), bucket, 0, overall_median)


def _boxes_from_values(df: pd.DataFrame, group: str, value: str, order: Sequence[Any] | None,
                       other: Any | None, max_groups: int | None) -> _Boxes | None:
    """Boxes computed from every value; beyond *max_groups* the smallest groups pool into a bucket."""
    _require(df, group, value)
    points = pd.DataFrame({"g": df[group].astype(object), "v": pd.to_numeric(df[value], errors="coerce")})
    dropped = int(points["v"].isna().sum() + points["g"].isna().sum())
    points = points.dropna()
    if points.empty:
        return None
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
    return _Boxes(boxes, points, groups, bucket, dropped, float(points["v"].median()))


def _drawn_groups(b: _Boxes, order: Sequence[Any] | None, max_groups: int | None) -> tuple[list[Any], int]:
    """Groups top to bottom (by median unless *order*), the bucket last; and how many were omitted.

    Precomputed statistics cannot be pooled, so beyond *max_groups* the smallest groups are omitted.
    """
    own = [g for g in b.groups if b.bucket is None or g != b.bucket]
    omitted = 0
    if max_groups is not None and len(own) > max_groups:
        keep = set(sorted(own, key=lambda g: -b.boxes[g]["n"])[:max_groups])
        omitted = len(own) - max_groups
        own = [g for g in own if g in keep]
    if order is None:
        own = sorted(own, key=lambda g: -b.boxes[g]["med"])  # stable: ties keep their order
    return own + ([b.bucket] if b.bucket is not None else []), omitted


def _point_samples(b: _Boxes, groups: list[Any], show_points: bool, max_points: int | None,
                   rng: np.random.Generator) -> tuple[list[np.ndarray], bool]:
    """The points drawn per group (a seeded sample beyond *max_points*); and whether any is a sample."""
    samples, sampled = [], False
    for g in groups:
        sample = b.points.loc[b.points["g"] == g, "v"].to_numpy() if show_points else np.array([])
        if max_points is not None and len(sample) > max_points:
            sample = sample[np.sort(rng.choice(len(sample), max_points, replace=False))]
            sampled = True
        sampled = sampled or (show_points and len(sample) < b.boxes[g]["n"])
        samples.append(sample)
    return samples, sampled


def _box_note(b: _Boxes, sampled: bool, max_points: int | None, seed: int, omitted: int) -> str | None:
    notes = []
    if b.centre is not None and np.isfinite(b.centre):
        notes.append("虚线 = 全部数据的中位数 / dashed line = overall median.")
    if sampled:
        notes.append(f"每组最多随机显示 {max_points} 个点（种子 {seed}）/ up to {max_points} random points per "
                     f"group shown (seed {seed}).")
    if omitted:
        notes.append(f"另有 {omitted} 组未显示 / {omitted} smaller group(s) not shown.")
    if b.dropped:
        notes.append(_missing_note(b.dropped) or "")
    return " ".join(notes) or None


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
        b = None if _empty(stats) else _boxes_from_stats(stats, df, group, value, order, other, overall_median)
    else:
        b = None if _empty(df) else _boxes_from_values(df, group, value, order, other, max_groups)
    if b is None:
        return _no_data_figure(title, subtitle)
    groups, omitted = _drawn_groups(b, order, max_groups)
    rng = np.random.default_rng(seed)
    samples, sampled = _point_samples(b, groups, show_points, max_points, rng)
    labels = [f"{wrap_label(g, 16)} (n={int(b.boxes[g]['n'])})" for g in groups]
    row_h = max(0.32, _row_height(labels))
    fig = _new_figure(8.0, max(2.2, row_h * len(groups) + 0.9), title, subtitle,
                      _box_note(b, sampled, max_points, seed, omitted))
    ax = fig.add_subplot()
    positions = np.arange(len(groups))[::-1] + 1.0
    ax.bxp([{**b.boxes[g], "label": lab} for g, lab in zip(groups, labels, strict=True)], positions=positions,
           widths=0.6, orientation="horizontal", patch_artist=True, showfliers=not show_points,
           boxprops={"facecolor": to_rgba(SKY, 0.45), "edgecolor": BLUE, "linewidth": 1.0},
           medianprops={"color": BLUE, "linewidth": 1.8},
           whiskerprops={"color": BLUE}, capprops={"color": BLUE},
           flierprops={"marker": "o", "markersize": 3, "markerfacecolor": GREY, "markeredgecolor": "none"})
    if show_points:
        for pos, sample in zip(positions, samples, strict=True):
            jitter = rng.uniform(-0.17, 0.17, len(sample))
            ax.scatter(sample, pos + jitter, s=9, color="#000000", alpha=0.45, linewidths=0, zorder=3)
    if b.centre is not None and np.isfinite(b.centre):
        ax.axvline(float(b.centre), color=GREY, linestyle="--", linewidth=0.9, zorder=0)
    if b.bucket is not None and len(groups) > 1:
        ax.axhline(1.5, color=GREY, linewidth=0.6, linestyle=(0, (3, 2)))
    ax.set_ylim(0.4, len(groups) + 0.6)
    ax.set_xlabel(xlabel or str(value), fontsize=LABEL_SIZE)
    _style_axes(ax, "x")
    return fig
