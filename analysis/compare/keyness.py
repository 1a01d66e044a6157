"""Keyness: every group (district) against the rest of the corpus at once.

For a token with ``a`` occurrences in the target group (``c`` tokens in all) and ``b`` in the
reference = all other groups (``d`` tokens), ``N = c + d``:

- log-likelihood G² (Dunning 1993; Rayson & Garside 2000) over the 2×2 contingency table
  ``[[a, b], [c−a, d−b]]``: ``G² = 2 Σ O·ln(O/E)`` with ``E = row total × column total / N`` and
  ``0·ln 0 = 0`` (``cells=4``, default). ``cells=2`` gives the two-cell form of Rayson & Garside's
  wizard, ``G² = 2 (a ln(a/E1) + b ln(b/E2))``, ``E1 = c(a+b)/N``, ``E2 = d(a+b)/N``.
- p-value from χ² with 1 degree of freedom (``erfc(√(G²/2))``); Benjamini–Hochberg (1995) adjusted p-values over the
  family of reported tests (``correction='all'``: every row of the table; ``'group'``: each group's
  rows separately): ``p_adj(i) = min_{j≥i} min(1, m·p(j)/j)`` for p sorted ascending.
- effect size: Hardie's (2014) Log Ratio ``log2((a/c) / (b/d))``; a zero count is replaced by 0.5
  (a common adjustment for Log Ratio) so the ratio stays finite; other counts are not changed.
- relative frequencies per 10,000 tokens, and raw counts.

``direction`` is ``'over'`` when the token is relatively more frequent in the target than in the
reference, ``'under'`` when less, ``'equal'`` otherwise.

Tokens made only of placeholder characters (``X``, ``XX``, ``××``… of anonymised templates;
``analysis/data/placeholder_chars.txt``) are masked names, not words, and are not counted.

The table needs only the counts ``a`` of every group × token pair: :func:`keyness_counts` takes
them already aggregated (the warehouse stage aggregates the ``tokens`` table in DuckDB), and
:func:`keyness` aggregates a token frame in memory and calls it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import erfc

from analysis.compare import DEFAULT_GROUP, group_labels
from analysis.compare.params import KEYNESS
from analysis.compare.termcounts import drop_tokens
from analysis.schema import TABLES
from analysis.tokens.segment import StopLevel, stopwords

KEYNESS_COLUMNS = TABLES["keyness"].column_names

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


def chi2_sf_1(x) -> np.ndarray:
    """Upper tail of χ² with one degree of freedom: ``P(χ²₁ > x) = P(|Z| > √x) = erfc(√(x/2))``."""
    return erfc(np.sqrt(np.maximum(np.asarray(x, dtype=float), 0.0) / 2.0))


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
    stopword_level: StopLevel = KEYNESS["stopword_level"],
    min_count: int = KEYNESS["min_count"],
    cells: int = 4,
    correction: str = "all",
    include_absent: bool = False,
) -> str:
    """Plain-language definition of a keyness table built with these parameters."""
    return (
        f"Each {group} (target) against all other {group}s pooled (reference); tokens after removing "
        f"stopwords of level '{stopword_level}' and placeholder tokens (X, XX… of anonymised notices); corpus sizes are the remaining token counts. Tokens with "
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


def _table_order(gi: np.ndarray, g2: np.ndarray, ti: np.ndarray, n_vocab: int) -> np.ndarray:
    """Row order by group, then G² descending, then token, with one integer sort: G² is replaced by
    its dense rank (ties kept equal) and the three packed into one key (pairs are unique)."""
    if len(g2) == 0:
        return np.zeros(0, dtype=np.int64)
    o = np.argsort(-g2, kind="quicksort")
    s = g2[o]
    rank = np.empty(len(g2), dtype=np.int64)
    rank[o] = np.cumsum(np.concatenate([[0], (s[1:] != s[:-1]).astype(np.int64)]))
    n_rank = int(rank.max()) + 1
    if (int(gi.max()) + 1) * n_rank * max(n_vocab, 1) < 2**62:
        return np.argsort((gi * n_rank + rank) * max(n_vocab, 1) + ti, kind="quicksort")
    return np.lexsort((ti, rank, gi))


def keyness_arrays(
    n_groups: int,
    n_vocab: int,
    gi: np.ndarray,
    ti: np.ndarray,
    a: np.ndarray,
    *,
    min_count: int = KEYNESS["min_count"],
    cells: int = 4,
    correction: str = "all",
    include_absent: bool = False,
) -> dict[str, np.ndarray] | None:
    """The keyness table as arrays, from aggregated counts: ``a[r]`` occurrences of token ``ti[r]`` in
    group ``gi[r]`` (codes into sorted group names and vocabulary; one row per pair with ``a > 0``,
    any order). ``group``, ``token`` and ``direction`` are codes (direction into
    ``DIRECTIONS``). ``None`` when there is nothing to compare (fewer than two groups, no token left).
    """
    if correction not in ("all", "group"):
        raise ValueError("correction must be 'all' or 'group'")
    gi = np.asarray(gi, dtype=np.int64)
    ti = np.asarray(ti, dtype=np.int64)
    a = np.asarray(a, dtype=np.float64)
    sizes = np.bincount(gi, weights=a, minlength=n_groups)
    totals = np.bincount(ti, weights=a, minlength=n_vocab)
    if int((sizes > 0).sum()) < 2:
        return None
    n_all = float(sizes.sum())
    keep = totals >= min_count
    if include_absent:
        g_ok = np.flatnonzero(sizes > 0)
        t_ok = np.flatnonzero(keep)
        full = np.zeros((n_groups, n_vocab))
        np.add.at(full, (gi, ti), a)
        gi = np.repeat(g_ok, len(t_ok))
        ti = np.tile(t_ok, len(g_ok))
        a = full[gi, ti]
    else:
        sel = keep[ti]
        gi, ti, a = gi[sel], ti[sel], a[sel]
    if len(a) == 0:
        return None
    c = sizes[gi]
    b = totals[ti] - a
    d = n_all - c
    g2 = log_likelihood(a, b, c, d, cells=cells)
    order = _table_order(gi, g2, ti, n_vocab)
    gi, ti, a, b, c, d, g2 = (x[order] for x in (gi, ti, a, b, c, d, g2))
    p = chi2_sf_1(g2)
    if correction == "all":
        p_adj = bh_adjust(p)
    else:
        p_adj = np.empty_like(p)
        bounds = np.flatnonzero(np.diff(gi)) + 1
        for idx in np.split(np.arange(len(p)), bounds):
            p_adj[idx] = bh_adjust(p[idx])
    with np.errstate(divide="ignore", invalid="ignore"):
        rel_t = a / c
        rel_r = b / d
    direction = np.where(rel_t > rel_r, 2, np.where(rel_t < rel_r, 1, 0)).astype(np.int8)
    return {
        "group": gi,
        "token": ti,
        "count_target": a.astype("int64"),
        "count_reference": b.astype("int64"),
        "per10k_target": a / c * 10_000,
        "per10k_reference": np.where(d > 0, b / np.where(d > 0, d, 1) * 10_000, 0.0),
        "g2": g2,
        "log_ratio": log_ratio(a, b, c, d),
        "p_value": p,
        "p_adj": p_adj,
        "direction": direction,
    }


DIRECTIONS = ("equal", "under", "over")


def keyness_counts(
    groups: np.ndarray,
    vocab: np.ndarray,
    gi: np.ndarray,
    ti: np.ndarray,
    a: np.ndarray,
    **options,
) -> pd.DataFrame | None:
    """:func:`keyness_arrays` as a frame whose ``group``, ``token`` and ``direction`` are categoricals
    of ``groups``, ``vocab`` (both sorted) and ``DIRECTIONS``."""
    arr = keyness_arrays(len(groups), len(vocab), gi, ti, a, **options)
    if arr is None:
        return None
    out = pd.DataFrame(arr)
    out["group"] = pd.Categorical.from_codes(arr["group"], categories=pd.Index(groups, dtype=object))
    out["token"] = pd.Categorical.from_codes(arr["token"], categories=pd.Index(vocab, dtype=object))
    out["direction"] = pd.Categorical.from_codes(arr["direction"], categories=list(DIRECTIONS))
    return out


def keyness(
    tokens: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    group: str = DEFAULT_GROUP,
    *,
    stopword_level: StopLevel = KEYNESS["stopword_level"],
    min_count: int = KEYNESS["min_count"],
    cells: int = 4,
    correction: str = "all",
    include_absent: bool = False,
) -> pd.DataFrame:
    """Keyness table (columns ``KEYNESS_COLUMNS``) of every group against the rest.

    ``tokens`` is the output of :func:`analysis.tokens.segment.tokenize_units`. Rows are sorted by group,
    then G² descending, then token. The definition is in ``result.attrs['comparison']``. Tokens made
    only of placeholder characters (``X``, ``XX``… of anonymised notices) are not counted.
    """
    if correction not in ("all", "group"):
        raise ValueError("correction must be 'all' or 'group'")
    desc = describe_comparison(group, stopword_level, min_count, cells, correction, include_absent)
    t = drop_tokens(tokens[["doc_id", "token"]], stopwords(stopword_level))
    out = None
    if len(t):
        g = group_labels(documents, t["doc_id"], group).to_numpy()
        gi, groups = pd.factorize(g, sort=True)
        ti, vocab = pd.factorize(t["token"].to_numpy(dtype=object), sort=True)
        pair = pd.DataFrame({"g": gi, "t": ti}).value_counts(sort=False).reset_index()
        out = keyness_counts(np.asarray(groups, dtype=object), np.asarray(vocab, dtype=object),
                             pair["g"].to_numpy(), pair["t"].to_numpy(), pair["count"].to_numpy(),
                             min_count=min_count, cells=cells, correction=correction,
                             include_absent=include_absent)
    if out is None:
        out = _empty()
    else:
        for col in ("group", "token", "direction"):
            out[col] = out[col].astype(object)
        out["group"] = out["group"].astype(str).astype(object)
    out.attrs["comparison"] = desc
    return out
