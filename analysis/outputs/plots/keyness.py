"""Keyness chart: the terms a group over- and under-uses, as diverging bars, one panel per group."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.outputs.plots.style import (
    BLUE,
    GREY,
    LABEL_SIZE,
    VERMILLION,
    _empty,
    _format_number,
    _new_figure,
    _no_data_figure,
    _order,
    _require,
    _style_axes,
    wrap_label,
)


def _keyness_frame(df: pd.DataFrame, group: str | None, token: str, log_ratio: str, p_adj: str,
                   count: str | None) -> pd.DataFrame:
    """Columns group, token, lr, p, n with numeric values; rows without a term or a ratio dropped."""
    data = pd.DataFrame({
        "group": df[group].astype(object) if group else "",
        "token": df[token],
        "lr": pd.to_numeric(df[log_ratio], errors="coerce"),
        "p": pd.to_numeric(df[p_adj], errors="coerce"),
        "n": pd.to_numeric(df[count], errors="coerce") if count else np.nan,
    }).dropna(subset=["token", "lr", "group"])
    return data[data["lr"] != 0]


def _keyness_top(part: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The *top_n* strongest terms in each direction, positive first, in plotting order."""
    up = part[part["lr"] > 0].sort_values("lr", ascending=False, kind="stable").head(top_n)
    down = part[part["lr"] < 0].sort_values("lr", ascending=True, kind="stable").head(top_n)
    return pd.concat([up, down.iloc[::-1]])


def _keyness_panel(ax: Axes, shown: pd.DataFrame, cap: float, alpha: float) -> None:
    """One group's bars: filled if significant, hatched if not; ratios beyond *cap* drawn at it."""
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


def _ratio_cap(shown: dict[Any, pd.DataFrame]) -> float:
    """The largest finite |log ratio| drawn (a little more when ±inf ratios are drawn at it)."""
    every = pd.concat(shown.values())["lr"]
    finite = every[np.isfinite(every)]
    return (float(finite.abs().max()) if len(finite) else 1.0) * (1.15 if len(finite) < len(every) else 1.0)


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
    data = _keyness_frame(df, group, token, log_ratio, p_adj, count)
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
    cap = _ratio_cap(shown)
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
