"""Keyness: every group (district) against the rest of the corpus at once.

For a token with ``a`` occurrences in the target group (``c`` tokens in all) and ``b`` in the
reference = all other groups (``d`` tokens), ``N = c + d``:

- log-likelihood G² (Dunning 1993; Rayson & Garside 2000) over the 2×2 contingency table
  ``[[a, b], [c−a, d−b]]``: ``G² = 2 Σ O·ln(O/E)`` with ``E = row total × column total / N`` and
  ``0·ln 0 = 0`` (``cells=4``, default). ``cells=2`` gives the two-cell form of Rayson & Garside's
  wizard, ``G² = 2 (a ln(a/E1) + b ln(b/E2))``, ``E1 = c(a+b)/N``, ``E2 = d(a+b)/N``.
- p-value from χ² with 1 degree of freedom; Benjamini–Hochberg (1995) adjusted p-values over the
  family of reported tests (``correction='all'``: every row of the table; ``'group'``: each group's
  rows separately): ``p_adj(i) = min_{j≥i} min(1, m·p(j)/j)`` for p sorted ascending.
- effect size: Hardie's (2014) Log Ratio ``log2((a/c) / (b/d))``; a zero count is replaced by 0.5
  (a common adjustment for Log Ratio) so the ratio stays finite; other counts are not changed.
- relative frequencies per 10,000 tokens, and raw counts.

``direction`` is ``'over'`` when the token is relatively more frequent in the target than in the
reference, ``'under'`` when less, ``'equal'`` otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2

from analysis.compare import DEFAULT_GROUP, group_labels
from analysis.segment import StopLevel, stopwords

KEYNESS_COLUMNS = [
    "group",
    "token",
    "count_target",
    "count_reference",
    "per10k_target",
    "per10k_reference",
    "g2",
    "log_ratio",
    "p_value",
    "p_adj",
    "direction",
]

ZERO_SMOOTHING = 0.5


def _xlogx_over(o: np.ndarray, e: np.ndarray) -> np.ndarray:
    o = np.asarray(o, dtype=float)
    e = np.asarray(e, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = o * np.log(o / e)
    return np.where(o > 0, term, 0.0)


def log_likelihood(a, b, c, d, cells: int = 4) -> np.ndarray:
    """G² of counts ``a`` (target) and ``b`` (reference) in corpora of ``c`` and ``d`` tokens."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = c + d
    k = a + b
    e1 = c * k / n
    e2 = d * k / n
    g = _xlogx_over(a, e1) + _xlogx_over(b, e2)
    if cells == 4:
        e3 = c * (n - k) / n
        e4 = d * (n - k) / n
        g = g + _xlogx_over(c - a, e3) + _xlogx_over(d - b, e4)
    elif cells != 2:
        raise ValueError("cells must be 2 or 4")
    return np.maximum(2.0 * g, 0.0)


def log_ratio(a, b, c, d, smoothing: float = ZERO_SMOOTHING) -> np.ndarray:
    """Hardie's Log Ratio ``log2((a/c)/(b/d))``, zero counts replaced by ``smoothing``."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    a = np.where(a == 0, smoothing, a)
    b = np.where(b == 0, smoothing, b)
    return np.log2((a / c) / (b / d))


def bh_adjust(p) -> np.ndarray:
    """Benjamini–Hochberg step-up adjusted p-values (same order as ``p``)."""
    p = np.asarray(p, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="mergesort")
    ranked = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def describe_comparison(
    group: str = DEFAULT_GROUP,
    stopword_level: StopLevel = "function",
    min_count: int = 5,
    cells: int = 4,
    correction: str = "all",
    include_absent: bool = False,
) -> str:
    """Plain-language definition of a keyness table built with these parameters."""
    return (
        f"Each {group} (target) against all other {group}s pooled (reference); tokens after removing "
        f"stopwords of level '{stopword_level}'; corpus sizes are the remaining token counts. Tokens with "
        f"fewer than {min_count} occurrences in the whole corpus are not tested"
        + ("" if include_absent else "; only tokens the target uses are reported")
        + f". G² ({cells}-cell log-likelihood, Dunning 1993 / Rayson & Garside 2000), p from χ²(1), "
        f"Benjamini–Hochberg adjusted over {'all rows' if correction == 'all' else 'each group'}; "
        f"Log Ratio (Hardie 2014) = log2 of the ratio of relative frequencies, zero counts → "
        f"{ZERO_SMOOTHING}; frequencies per 10,000 tokens."
    )


def _empty() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series([], dtype=float) for c in KEYNESS_COLUMNS})
    for c in ("group", "token", "direction"):
        out[c] = out[c].astype(object)
    for c in ("count_target", "count_reference"):
        out[c] = out[c].astype("int64")
    return out


def keyness(
    tokens: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    group: str = DEFAULT_GROUP,
    *,
    stopword_level: StopLevel = "function",
    min_count: int = 5,
    cells: int = 4,
    correction: str = "all",
    include_absent: bool = False,
) -> pd.DataFrame:
    """Keyness table (columns ``KEYNESS_COLUMNS``) of every group against the rest.

    ``tokens`` is the output of :func:`analysis.segment.tokenize_units`. Rows are sorted by group,
    then G² descending, then token. The definition is in ``result.attrs['comparison']``.
    """
    if correction not in ("all", "group"):
        raise ValueError("correction must be 'all' or 'group'")
    desc = describe_comparison(group, stopword_level, min_count, cells, correction, include_absent)
    stop = stopwords(stopword_level)
    t = tokens[["doc_id", "token"]]
    if stop:
        t = t[~t["token"].isin(stop)]
    if len(t) == 0:
        out = _empty()
        out.attrs["comparison"] = desc
        return out
    g = group_labels(documents, t["doc_id"], group).to_numpy()
    counts = (
        pd.DataFrame({"group": g, "token": t["token"].to_numpy()}).value_counts().rename("a").reset_index()
    )
    sizes = counts.groupby("group")["a"].sum()
    totals = counts.groupby("token")["a"].sum()
    n_all = int(sizes.sum())
    if len(sizes) < 2:
        out = _empty()
        out.attrs["comparison"] = desc
        return out
    keep_tokens = totals.index[totals >= min_count]
    if include_absent:
        idx = pd.MultiIndex.from_product([sizes.index, keep_tokens], names=["group", "token"])
        counts = counts.set_index(["group", "token"])["a"].reindex(idx, fill_value=0).reset_index()
    else:
        counts = counts[counts["token"].isin(keep_tokens)].reset_index(drop=True)
    if len(counts) == 0:
        out = _empty()
        out.attrs["comparison"] = desc
        return out
    a = counts["a"].to_numpy(dtype=float)
    c = counts["group"].map(sizes).to_numpy(dtype=float)
    b = counts["token"].map(totals).to_numpy(dtype=float) - a
    d = n_all - c
    g2 = log_likelihood(a, b, c, d, cells=cells)
    p = chi2.sf(g2, 1)
    out = pd.DataFrame(
        {
            "group": counts["group"].astype(str).to_numpy(dtype=object),
            "token": counts["token"].to_numpy(dtype=object),
            "count_target": a.astype("int64"),
            "count_reference": b.astype("int64"),
            "per10k_target": a / c * 10_000,
            "per10k_reference": np.where(d > 0, b / np.where(d > 0, d, 1) * 10_000, 0.0),
            "g2": g2,
            "log_ratio": log_ratio(a, b, c, d),
            "p_value": p,
        }
    )
    if correction == "all":
        out["p_adj"] = bh_adjust(p)
    else:
        out["p_adj"] = 0.0
        for _, idx in out.groupby("group").indices.items():
            out.loc[out.index[idx], "p_adj"] = bh_adjust(p[idx])
    rel_t = a / c
    rel_r = b / d
    out["direction"] = np.where(rel_t > rel_r, "over", np.where(rel_t < rel_r, "under", "equal"))
    out = out.sort_values(["group", "g2", "token"], ascending=[True, False, True], kind="mergesort")
    out = out.reset_index(drop=True)[KEYNESS_COLUMNS]
    out.attrs["comparison"] = desc
    return out
