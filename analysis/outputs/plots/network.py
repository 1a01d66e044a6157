"""Co-occurrence network of the top terms (KH Coder style): nodes are terms, edges their strongest pairs.

The layout is a force-directed (Fruchterman & Reingold 1991) spring layout in numpy started from a
seeded random position, so the same edges always give the same picture; labels are Chinese, drawn
with the shared font set-up of :func:`analysis.outputs.plots.style._new_figure`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.outputs.plots.style import (
    BLUE,
    GREY,
    LABEL_SIZE,
    _empty,
    _new_figure,
    _no_data_figure,
    _require,
)

LAYOUT_SEED = 0
"""Seed of the layout's starting positions."""


def spring_layout(n: int, edges: np.ndarray, weights: np.ndarray, *, seed: int = LAYOUT_SEED,
                  iterations: int = 200) -> np.ndarray:
    """(n, 2) positions in [-1, 1]² of a weighted Fruchterman–Reingold layout, deterministic for a seed.

    ``edges`` is an (m, 2) array of node indices and ``weights`` their (positive) strengths.
    """
    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1, 1, size=(n, 2))
    if n <= 1:
        return np.zeros((n, 2))
    k = 2.0 / np.sqrt(n)   # ideal edge length in a [-1, 1]² frame
    w = np.asarray(weights, dtype=float)
    w = w / w.max() if len(w) and w.max() > 0 else w
    t = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=-1), 1e-3)
        disp = ((k * k / dist**2)[:, :, None] * delta).sum(axis=1)          # repulsion between all nodes
        if len(edges):
            d = pos[edges[:, 0]] - pos[edges[:, 1]]
            dl = np.maximum(np.linalg.norm(d, axis=1), 1e-3)
            f = (dl / k * w)[:, None] * d                                    # attraction along edges
            np.add.at(disp, edges[:, 0], -f)
            np.add.at(disp, edges[:, 1], f)
        disp -= 0.05 * pos * np.linalg.norm(pos, axis=1, keepdims=True) / k    # weak gravity keeps components near
        length = np.maximum(np.linalg.norm(disp, axis=1), 1e-9)
        pos += disp / length[:, None] * np.minimum(length, t)[:, None]
        t = max(t * 0.98, 0.002)
    pos -= pos.mean(axis=0)
    scale = np.abs(pos).max()
    return pos / scale if scale > 0 else pos


def cooccurrence_network(df: pd.DataFrame, source: str = "term1", target: str = "term2",
                         weight: str = "g2", *, top_edges: int = 60, title: str | None = None,
                         subtitle: str | None = None, seed: int = LAYOUT_SEED) -> Figure:
    """Network of the *top_edges* strongest pairs of *df* (one row per pair); node size ∝ weighted degree.

    """
    if _empty(df):
        return _no_data_figure(title, subtitle)
    _require(df, source, target, weight)
    e = (df[[source, target, weight]].dropna().sort_values([weight, source, target], ascending=[False, True, True],
                                                          kind="mergesort").head(top_edges))
    e = e[e[weight] > 0]
    if e.empty:
        return _no_data_figure(title, subtitle)
    nodes = sorted(set(e[source]) | set(e[target]))
    ix = {v: i for i, v in enumerate(nodes)}
    edges = np.array([[ix[a], ix[b]] for a, b in zip(e[source], e[target], strict=True)], dtype=np.int64)
    w = e[weight].to_numpy(dtype=float)
    pos = spring_layout(len(nodes), edges, w, seed=seed)
    degree = np.zeros(len(nodes))
    np.add.at(degree, edges[:, 0], w)
    np.add.at(degree, edges[:, 1], w)
    fig = _new_figure(8.0, 6.5, title, subtitle)
    ax = fig.add_subplot()
    ax.set_axis_off()
    for (a, b), wi in zip(edges, w / w.max(), strict=True):
        ax.plot(pos[[a, b], 0], pos[[a, b], 1], color=GREY, linewidth=0.5 + 2.5 * wi, alpha=0.35 + 0.4 * wi,
                zorder=1)
    size = 80 + 900 * degree / degree.max()
    ax.scatter(pos[:, 0], pos[:, 1], s=size, color=BLUE, alpha=0.25, edgecolor=BLUE, zorder=2)
    for i, name in enumerate(nodes):
        ax.text(pos[i, 0], pos[i, 1], str(name), ha="center", va="center", fontsize=LABEL_SIZE, zorder=3)
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.15, 1.15)
    return fig
