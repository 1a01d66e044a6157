"""Two-group term plot (after scattertext, Kessler 2017), static: every term of two groups placed by
its frequency rank in each, coloured by the group that over-uses it; the strongest terms labelled.

The table is :func:`analysis.compare.keyness.two_group_terms`; write it next to the chart
(``df.to_csv``) so every point can be read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.outputs.plots.scatter import _place_labels
from analysis.outputs.plots.style import (
    BLUE,
    GREY,
    LABEL_SIZE,
    VERMILLION,
    _empty,
    _new_figure,
    _no_data_figure,
    _require,
    _style_axes,
)


def term_plot(
    df: pd.DataFrame,
    group_a: str,
    group_b: str,
    *,
    n_labels: int = 12,
    alpha: float = 0.05,
    title: str | None = None,
    subtitle: str | None = None,
) -> Figure:
    """Terms of two groups: x = frequency rank in ``group_a``, y = in ``group_b`` (both scaled to
    [0, 1]); blue = significantly over-used in A (``p_adj < alpha``, log ratio > 0), vermillion = in B,
    grey = neither. The ``n_labels`` terms with the largest G² on each side are labelled."""
    title = title if title is not None else f"{group_a} 与 {group_b} 的用词对比"
    subtitle = subtitle if subtitle is not None else (
        "Term plot: frequency rank in each group (scattertext-style); colour = significantly over-used")
    if _empty(df):
        return _no_data_figure(title, subtitle)
    _require(df, "token", "rank_a", "rank_b", "g2", "log_ratio", "p_adj")
    data = df.copy()
    sig = pd.to_numeric(data["p_adj"], errors="coerce") < alpha
    lr = pd.to_numeric(data["log_ratio"], errors="coerce")
    side = np.where(sig & (lr > 0), "a", np.where(sig & (lr < 0), "b", "n"))
    colours = {"a": BLUE, "b": VERMILLION, "n": GREY}
    handles = [
        Line2D([], [], marker="o", linestyle="", color=BLUE, label=f"{group_a} 多用 over-used"),
        Line2D([], [], marker="o", linestyle="", color=VERMILLION, label=f"{group_b} 多用 over-used"),
        Line2D([], [], marker="o", linestyle="", color=GREY, label=f"不显著 n.s. (p_adj ≥ {alpha:g})"),
    ]
    fig = _new_figure(8.0, 6.4, title, subtitle, f"{len(data)} 个词 / terms", legend=handles)
    ax = fig.subplots()
    # small deterministic jitter so terms of equal ranks do not hide each other
    rng = np.random.RandomState(0)
    x = data["rank_a"].to_numpy(dtype=float) + rng.uniform(-0.006, 0.006, len(data))
    y = data["rank_b"].to_numpy(dtype=float) + rng.uniform(-0.006, 0.006, len(data))
    for key in ("n", "b", "a"):
        m = side == key
        ax.scatter(x[m], y[m], s=14 if key == "n" else 22, color=colours[key], alpha=0.45 if key == "n" else 0.85,
                   linewidths=0)
    ax.plot([0, 1], [0, 1], color="#BBBBBB", linewidth=0.8, linestyle="--")
    ax.set_xlim(-0.04, 1.04)
    ax.set_ylim(-0.04, 1.04)
    ax.set_xlabel(f"{group_a} 词频排名 frequency rank", fontsize=LABEL_SIZE)
    ax.set_ylabel(f"{group_b} 词频排名 frequency rank", fontsize=LABEL_SIZE)
    _style_axes(ax, None)
    g2 = pd.to_numeric(data["g2"], errors="coerce").to_numpy()
    points = []
    for key in ("a", "b"):
        idx = np.flatnonzero(side == key)
        idx = idx[np.lexsort((data["token"].to_numpy(dtype=object)[idx].astype(str), -g2[idx]))][:n_labels]
        points += [(x[i], y[i], str(data["token"].iloc[i])) for i in idx]
    if points:
        _place_labels(fig, ax, points, np.column_stack([x, y]), np.full(len(x), 3.0))
    return fig
