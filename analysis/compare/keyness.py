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

Which tokens: content words only by default (``tokens.kind``, :mod:`analysis.tokens.kinds`), so
digits, dates, placeholders, names of places, organisations and persons, function words, formulae
and one-character fragments are not compared; ``kinds`` adds other kinds.

Reference: ``reference=None`` compares each group with all other groups pooled (``reference`` column
``'(rest)'``); ``reference='某区'`` compares every other group with that one group (``b``, ``d`` are
then that group's counts and size).

Typical terms: a term is *typical* of a group when it is over-used (``direction = 'over'``),
significant (``p_adj < alpha``) and used in at least ``min_docs`` (2) of the group's notices
(``docs_target``): a word of one notice is that notice's, not the group's. A group with a single
notice is flagged ``single_notice`` and has no typical terms. ``docs_target`` / ``docs_reference`` are
the document frequencies, ``n_docs_target`` the group's notices.

References: Dunning, T. (1993) Accurate methods for the statistics of surprise and coincidence,
*Computational Linguistics* 19(1); Rayson, P. & Garside, R. (2000) Comparing corpora using frequency
profiling, *WCC workshop*; Hardie, A. (2014) Log Ratio — an informal introduction, CASS blog;
Benjamini, Y. & Hochberg, Y. (1995) Controlling the false discovery rate, *JRSS B* 57(1).

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
from analysis.compare.termcounts import drop_tokens, row_kinds
from analysis.schema import TABLES
from analysis.tokens.kinds import KINDS
from analysis.tokens.segment import StopLevel, stopwords

KEYNESS_COLUMNS = TABLES["keyness"].column_names
REST = "(rest)"

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
    *,
    kinds: tuple[str, ...] = tuple(KEYNESS["kinds"]),
    reference: str | None = KEYNESS["reference"],
    min_docs: int = KEYNESS["min_docs"],
    alpha: float = KEYNESS["alpha"],
) -> str:
    """Plain-language definition of a keyness table built with these parameters."""
    target = (f"Each {group} (target) against all other {group}s pooled (reference)" if reference is None
              else f"Each {group} (target) against the {group} {reference} (reference)")
    return (
        f"{target}; tokens of kind {', '.join(kinds)} (analysis.tokens.kinds), stopwords of level "
        f"'{stopword_level}' and placeholder tokens removed; corpus sizes are the remaining token counts. Tokens with "
        f"fewer than {min_count} occurrences in the whole corpus are not tested"
        + ("" if include_absent else "; only tokens the target uses are reported")
        + f". G² ({cells}-cell log-likelihood, Dunning 1993 / Rayson & Garside 2000), p from χ²(1), "
        f"Benjamini–Hochberg adjusted over {'all rows' if correction == 'all' else 'each group'}; "
        f"Log Ratio (Hardie 2014) = log2 of the ratio of relative frequencies, zero counts → "
        f"{ZERO_SMOOTHING}; frequencies per 10,000 tokens. Typical = over-used, p_adj < {alpha:g} and used in at "
        f"least {min_docs} of the group's notices; a group of one notice is flagged single_notice."
    )


_INT_COLUMNS = ("count_target", "count_reference", "docs_target", "docs_reference", "n_docs_target")


def _empty() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series([], dtype=float) for c in KEYNESS_COLUMNS})
    for c in ("group", "token", "reference", "kind", "direction"):
        out[c] = out[c].astype(object)
    for c in _INT_COLUMNS:
        out[c] = out[c].astype("int64")
    for c in ("single_notice", "typical"):
        out[c] = out[c].astype(bool)
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
    docs: np.ndarray | None = None,
    n_docs: np.ndarray | None = None,
    reference: int | None = None,
    min_count: int = KEYNESS["min_count"],
    min_docs: int = KEYNESS["min_docs"],
    alpha: float = KEYNESS["alpha"],
    cells: int = 4,
    correction: str = "all",
    include_absent: bool = False,
) -> dict[str, np.ndarray] | None:
    """The keyness table as arrays, from aggregated counts: ``a[r]`` occurrences of token ``ti[r]`` in
    group ``gi[r]`` (codes into sorted group names and vocabulary; one row per pair with ``a > 0``,
    any order), ``docs[r]`` the group's notices using it and ``n_docs[g]`` the notices of each group
    (both optional: without them the document frequencies are 0 and no term is typical).
    ``reference`` is the code of the reference group (None: the rest of the corpus). ``group``,
    ``token`` and ``direction`` are codes (direction into ``DIRECTIONS``). ``None`` when there is
    nothing to compare (fewer than two groups, no token left).
    """
    if correction not in ("all", "group"):
        raise ValueError("correction must be 'all' or 'group'")
    gi = np.asarray(gi, dtype=np.int64)
    ti = np.asarray(ti, dtype=np.int64)
    a = np.asarray(a, dtype=np.float64)
    dd = np.zeros(len(a)) if docs is None else np.asarray(docs, dtype=np.float64)
    nd = np.zeros(n_groups) if n_docs is None else np.asarray(n_docs, dtype=np.float64)
    sizes = np.bincount(gi, weights=a, minlength=n_groups)
    totals = np.bincount(ti, weights=a, minlength=n_vocab)
    if int((sizes > 0).sum()) < 2 or (reference is not None and sizes[reference] == 0):
        return None
    n_all = float(sizes.sum())
    keep = totals >= min_count
    doc_totals = np.bincount(ti, weights=dd, minlength=n_vocab)
    ref_a = ref_d = None
    if reference is not None:
        on_ref = gi == reference
        ref_a = np.zeros(n_vocab)
        ref_a[ti[on_ref]] = a[on_ref]
        ref_d = np.zeros(n_vocab)
        ref_d[ti[on_ref]] = dd[on_ref]
    if include_absent:
        g_ok = np.flatnonzero(sizes > 0)
        t_ok = np.flatnonzero(keep)
        full = np.zeros((n_groups, n_vocab))
        np.add.at(full, (gi, ti), a)
        fdocs = np.zeros((n_groups, n_vocab))
        np.add.at(fdocs, (gi, ti), dd)
        gi = np.repeat(g_ok, len(t_ok))
        ti = np.tile(t_ok, len(g_ok))
        a = full[gi, ti]
        dd = fdocs[gi, ti]
    else:
        sel = keep[ti]
        gi, ti, a, dd = gi[sel], ti[sel], a[sel], dd[sel]
    if reference is not None:
        sel = gi != reference
        gi, ti, a, dd = gi[sel], ti[sel], a[sel], dd[sel]
    if len(a) == 0:
        return None
    c = sizes[gi]
    if reference is None:
        b = totals[ti] - a
        d = n_all - c
        db = doc_totals[ti] - dd
    else:
        b = ref_a[ti]
        d = np.full(len(a), sizes[reference])
        db = ref_d[ti]
    g2 = log_likelihood(a, b, c, d, cells=cells)
    order = _table_order(gi, g2, ti, n_vocab)
    gi, ti, a, b, c, d, g2, dd, db = (x[order] for x in (gi, ti, a, b, c, d, g2, dd, db))
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
    single = nd[gi] == 1
    return {
        "group": gi,
        "token": ti,
        "count_target": a.astype("int64"),
        "count_reference": b.astype("int64"),
        "docs_target": dd.astype("int64"),
        "docs_reference": db.astype("int64"),
        "n_docs_target": nd[gi].astype("int64"),
        "single_notice": single,
        "typical": (direction == 2) & (p_adj < alpha) & (dd >= min_docs) & ~single,
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
    *,
    kinds: np.ndarray | None = None,
    reference: str | None = None,
    **options,
) -> pd.DataFrame | None:
    """:func:`keyness_arrays` as a frame (columns ``KEYNESS_COLUMNS``) whose ``group``, ``token`` and
    ``direction`` are categoricals of ``groups``, ``vocab`` (both sorted) and ``DIRECTIONS``;
    ``kinds`` is the kind of each vocabulary entry (default content) and ``reference`` a group name."""
    ref = None
    if reference is not None:
        hit = np.flatnonzero(np.asarray(groups, dtype=object) == reference)
        if len(hit) == 0:
            raise ValueError(f"reference group {reference!r} is not among the groups")
        ref = int(hit[0])
    arr = keyness_arrays(len(groups), len(vocab), gi, ti, a, reference=ref, **options)
    if arr is None:
        return None
    out = pd.DataFrame(arr)
    out["group"] = pd.Categorical.from_codes(arr["group"], categories=pd.Index(groups, dtype=object))
    out["token"] = pd.Categorical.from_codes(arr["token"], categories=pd.Index(vocab, dtype=object))
    out["direction"] = pd.Categorical.from_codes(arr["direction"], categories=list(DIRECTIONS))
    out["reference"] = REST if reference is None else reference
    kv = np.full(len(vocab), "content", dtype=object) if kinds is None else np.asarray(kinds, dtype=object)
    out["kind"] = kv[arr["token"]]
    return out[KEYNESS_COLUMNS]


def modal_kinds(tokens: np.ndarray, kinds: np.ndarray, vocab: np.ndarray) -> np.ndarray:
    """The most frequent kind of each ``vocab`` token among rows (ties: the first in ``KINDS`` order)."""
    f = pd.DataFrame({"token": tokens, "kind": kinds}).value_counts().reset_index()
    f["order"] = f["kind"].map({k: i for i, k in enumerate(KINDS)})
    f = f.sort_values(["token", "count", "order"], ascending=[True, False, True], kind="mergesort")
    first = f.drop_duplicates("token").set_index("token")["kind"]
    return first.reindex(pd.Index(vocab, dtype=object)).to_numpy(dtype=object)


def keyness(
    tokens: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    group: str = DEFAULT_GROUP,
    *,
    stopword_level: StopLevel = KEYNESS["stopword_level"],
    kinds: tuple[str, ...] | list[str] = tuple(KEYNESS["kinds"]),
    reference: str | None = KEYNESS["reference"],
    min_count: int = KEYNESS["min_count"],
    min_docs: int = KEYNESS["min_docs"],
    alpha: float = KEYNESS["alpha"],
    cells: int = 4,
    correction: str = "all",
    include_absent: bool = False,
) -> pd.DataFrame:
    """Keyness table (columns ``KEYNESS_COLUMNS``) of every group against the rest, or against the
    group ``reference``.

    ``tokens`` is a token frame (``doc_id, token`` and ``kind``, or ``pos`` from which the kind is
    computed out of context). Only tokens of ``kinds`` (default: content words) are counted. Rows
    are sorted by group, then G² descending, then token. The definition is in
    ``result.attrs['comparison']``.
    """
    if correction not in ("all", "group"):
        raise ValueError("correction must be 'all' or 'group'")
    kinds = tuple(kinds)
    desc = describe_comparison(group, stopword_level, min_count, cells, correction, include_absent,
                               kinds=kinds, reference=reference, min_docs=min_docs, alpha=alpha)
    rk = row_kinds(tokens)
    keep = np.isin(rk, np.asarray(kinds, dtype=object))
    t = drop_tokens(tokens[["doc_id", "token"]][keep].assign(_kind=rk[keep]), stopwords(stopword_level))
    out = None
    if len(t):
        g = group_labels(documents, t["doc_id"], group).to_numpy()
        gi, groups = pd.factorize(g, sort=True)
        ti, vocab = pd.factorize(t["token"].to_numpy(dtype=object), sort=True)
        pair = pd.DataFrame({"g": gi, "t": ti}).value_counts(sort=False).reset_index()
        dpair = pd.DataFrame({"g": gi, "t": ti, "d": t["doc_id"].to_numpy(dtype=object)}).drop_duplicates()
        docs = dpair.groupby(["g", "t"]).size()
        n_docs = pd.DataFrame({"g": gi, "d": t["doc_id"].to_numpy(dtype=object)}).drop_duplicates()
        n_docs = n_docs.groupby("g").size().reindex(range(len(groups)), fill_value=0).to_numpy()
        out = keyness_counts(np.asarray(groups, dtype=object), np.asarray(vocab, dtype=object),
                             pair["g"].to_numpy(), pair["t"].to_numpy(), pair["count"].to_numpy(),
                             docs=docs.reindex(pd.MultiIndex.from_frame(pair[["g", "t"]])).to_numpy(),
                             n_docs=n_docs, kinds=modal_kinds(t["token"].to_numpy(dtype=object), t["_kind"].to_numpy(dtype=object),
                                                              np.asarray(vocab, dtype=object)),
                             reference=reference, min_count=min_count, min_docs=min_docs, alpha=alpha,
                             cells=cells, correction=correction, include_absent=include_absent)
    if out is None:
        out = _empty()
    else:
        for col in ("group", "token", "direction"):
            out[col] = out[col].astype(object)
        out["group"] = out["group"].astype(str).astype(object)
    out.attrs["comparison"] = desc
    return out


def typical_terms(table: pd.DataFrame, top_n: int = 20) -> pd.DataFrame:
    """The ``top_n`` typical terms of each group (``typical`` rows by G² descending, then token)."""
    t = table[table["typical"].astype(bool)]
    t = t.sort_values(["group", "g2", "token"], ascending=[True, False, True], kind="mergesort")
    return t.groupby("group", sort=True).head(top_n).reset_index(drop=True)


def _rank_share(x: np.ndarray) -> np.ndarray:
    """Dense rank of ``x`` scaled to [0, 1] (0 for the lowest value; scattertext's axis)."""
    ranks = pd.Series(x).rank(method="dense").to_numpy()
    top = ranks.max() if len(ranks) else 1.0
    return (ranks - 1) / (top - 1) if top > 1 else np.zeros(len(x))


def two_group_terms(
    tokens: pd.DataFrame,
    documents: pd.DataFrame | None,
    group_a: str,
    group_b: str,
    group: str = DEFAULT_GROUP,
    *,
    kinds: tuple[str, ...] | list[str] = tuple(KEYNESS["kinds"]),
    stopword_level: StopLevel = KEYNESS["stopword_level"],
    min_count: int = KEYNESS["min_count"],
    min_docs: int = KEYNESS["min_docs"],
    alpha: float = KEYNESS["alpha"],
) -> pd.DataFrame:
    """Every term of two groups side by side (the table behind a scattertext-style term plot,
    Kessler 2017): ``token, kind, count_a, count_b, docs_a, docs_b, per10k_a, per10k_b, rank_a,
    rank_b, g2, log_ratio, p_value, p_adj, typical_a, typical_b``.

    A against B as in :func:`keyness` with ``reference=group_b`` (G², Log Ratio log2(A/B), BH over
    the terms); ``rank_*`` is the dense frequency rank in the group scaled to [0, 1] (the plot's
    axes); ``typical_a`` = over-used in A, p_adj < alpha, in at least ``min_docs`` notices of A (and
    the same for B). Terms with fewer than ``min_count`` occurrences in the two groups are left out.
    """
    labels = group_labels(documents, tokens["doc_id"], group).to_numpy()
    sel = np.isin(labels, [group_a, group_b])
    rk = row_kinds(tokens)
    sel &= np.isin(rk, np.asarray(list(kinds), dtype=object))
    t = drop_tokens(tokens[["doc_id", "token"]][sel].assign(_g=labels[sel], _kind=rk[sel]),
                    stopwords(stopword_level))
    cols = ["token", "kind", "count_a", "count_b", "docs_a", "docs_b", "per10k_a", "per10k_b", "rank_a", "rank_b",
            "g2", "log_ratio", "p_value", "p_adj", "typical_a", "typical_b"]
    if len(t) == 0:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    counts = t.groupby(["token", "_g"]).size().unstack(fill_value=0).reindex(columns=[group_a, group_b],
                                                                             fill_value=0)
    docs = t.drop_duplicates(["token", "_g", "doc_id"]).groupby(["token", "_g"]).size().unstack(fill_value=0)
    docs = docs.reindex(index=counts.index, columns=[group_a, group_b], fill_value=0)
    keep = counts.sum(axis=1) >= min_count
    counts, docs = counts[keep], docs[keep]
    a = counts[group_a].to_numpy(dtype=float)
    b = counts[group_b].to_numpy(dtype=float)
    c, d = float(counts[group_a].sum()), float(counts[group_b].sum())
    if c == 0 or d == 0:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    g2 = log_likelihood(a, b, np.full(len(a), c), np.full(len(a), d))
    p = chi2_sf_1(g2)
    p_adj = bh_adjust(p)
    lr = log_ratio(a, b, np.full(len(a), c), np.full(len(a), d))
    vocab = counts.index.to_numpy(dtype=object)
    out = pd.DataFrame({
        "token": vocab,
        "kind": modal_kinds(t["token"].to_numpy(dtype=object), t["_kind"].to_numpy(dtype=object), vocab),
        "count_a": a.astype("int64"), "count_b": b.astype("int64"),
        "docs_a": docs[group_a].to_numpy(dtype="int64"), "docs_b": docs[group_b].to_numpy(dtype="int64"),
        "per10k_a": a / c * 10_000, "per10k_b": b / d * 10_000,
        "rank_a": _rank_share(a), "rank_b": _rank_share(b),
        "g2": g2, "log_ratio": lr, "p_value": p, "p_adj": p_adj,
    })
    out["typical_a"] = (out["per10k_a"] > out["per10k_b"]) & (out["p_adj"] < alpha) & (out["docs_a"] >= min_docs)
    out["typical_b"] = (out["per10k_b"] > out["per10k_a"]) & (out["p_adj"] < alpha) & (out["docs_b"] >= min_docs)
    out = out.sort_values(["g2", "token"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    out.attrs["comparison"] = (f"{group_a} (A) against {group_b} (B): "
                               + describe_comparison(group, stopword_level, min_count, kinds=tuple(kinds),
                                                     reference=group_b, min_docs=min_docs, alpha=alpha))
    return out[cols]
