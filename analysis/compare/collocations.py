"""Collocations: bigrams and window co-occurrences with log-likelihood and PMI, for the corpus and per group.

Input is the token sequence of every unit (problem or measure) as integer codes, with the kind of
every code; only tokens of the chosen kinds (content words by default) take part, at their original
positions, so a bigram is two kept tokens next to each other and a window pair two kept tokens at
most ``window`` positions apart within one unit.

For a pair (x, y) over N pair occurrences the 2×2 contingency table is

    O11 = f(x, y)      O12 = f(x, ·) − O11
    O21 = f(·, y) − O11  O22 = N − f(x, ·) − f(·, y) + O11

with expected counts E_ij = row_i · col_j / N, and

    PMI = log2(O11 / E11)                              (Church & Hanks 1990)
    G²  = 2 Σ_ij O_ij ln(O_ij / E_ij)   (0 ln 0 = 0)    (Dunning 1993)

with p from the chi-square distribution with 1 degree of freedom (Evert 2005, *The Statistics of
Word Cooccurrences*, ch. 3, for both measures on positional co-occurrence). Bigrams are ordered
(x first, y second; marginals are first- and second-position counts). Window pairs are counted in
both orders, so the table is symmetric and each unordered pair is reported once (term1 < term2);
its count is the number of position pairs at most ``window`` apart holding the two tokens.
Only pairs seen at least ``min_count`` times are kept. Everything is counted, nothing sampled,
so the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2

from analysis.compare.params import COLLOCATIONS

DEFAULTS = COLLOCATIONS
"""Default parameters (:mod:`analysis.compare.params`)."""

COLUMNS = ["scope", "group", "method", "window", "term1", "term2", "count", "count1", "count2", "n_pairs",
           "expected", "pmi", "g2", "p_value", "rank"]


def kinds_filter_sql(kinds: Sequence[str] | None, have_kind: bool, column: str = "t.kind") -> str:
    """A SQL condition keeping tokens of ``kinds`` (``true`` for None, or when tokens have no kind yet)."""
    if kinds is None or not have_kind:
        return "true"
    return f"{column} in ({', '.join(quote_sql(k) for k in kinds)})"


def quote_sql(s: str) -> str:
    """A SQL string literal."""
    return "'" + str(s).replace("'", "''") + "'"


def association(o11: np.ndarray, r1: np.ndarray, c1: np.ndarray, n: np.ndarray | float) -> dict[str, np.ndarray]:
    """Expected count, PMI, G² and p of each pair from O11, its row and column totals and N."""
    o11, r1, c1 = (np.asarray(a, dtype=float) for a in (o11, r1, c1))
    n = np.broadcast_to(np.asarray(n, dtype=float), o11.shape)
    obs = np.stack([o11, r1 - o11, c1 - o11, n - r1 - c1 + o11])
    rows = np.stack([r1, r1, n - r1, n - r1])
    cols = np.stack([c1, n - c1, c1, n - c1])
    with np.errstate(divide="ignore", invalid="ignore"):
        exp = rows * cols / n
        terms = np.where(obs > 0, obs * np.log(obs / exp), 0.0)
        pmi = np.log2(o11 / exp[0])
    g2 = np.maximum(2.0 * terms.sum(axis=0), 0.0)
    return {"expected": exp[0], "pmi": pmi, "g2": g2, "p_value": chi2.sf(g2, 1)}


def count_pairs(blocks: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]], keep: np.ndarray, n_vocab: int,
                window: int, ordered: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Counts of (group, first, second) over blocks of (codes, offsets, group of each unit).

    ``window`` 1 with ``ordered`` gives bigrams; otherwise pairs at distance 1..window in both orders.
    Returns unique (group, first, second) arrays and their counts, sorted.
    """
    parts = []
    for codes, offsets, groups in blocks:
        codes = np.asarray(codes, dtype=np.int64)
        offsets = np.asarray(offsets, dtype=np.int64)
        unit = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
        unit_group = np.asarray(groups, dtype=np.int64)[unit]
        for d in range(1, window + 1):
            if len(codes) <= d:
                break
            ok = (unit[:-d] == unit[d:]) & keep[codes[:-d]] & keep[codes[d:]]
            a, b, g = codes[:-d][ok], codes[d:][ok], unit_group[:-d][ok]
            if not len(a):
                continue
            keys = [(g * n_vocab + a) * n_vocab + b]
            if not ordered:
                keys.append((g * n_vocab + b) * n_vocab + a)
            k, c = np.unique(np.concatenate(keys), return_counts=True)
            parts.append((k, c))
    if not parts:
        z = np.zeros(0, np.int64)
        return z, z, z, z
    keys = np.concatenate([p[0] for p in parts])
    counts = np.concatenate([p[1] for p in parts])
    k, inv = np.unique(keys, return_inverse=True)
    total = np.bincount(inv, weights=counts).astype(np.int64)
    return k // (n_vocab * n_vocab), (k // n_vocab) % n_vocab, k % n_vocab, total


def score_pairs(g: np.ndarray, a: np.ndarray, b: np.ndarray, o11: np.ndarray, n_groups: int,
                min_count: int) -> pd.DataFrame:
    """Association of every pair within its group (marginals and N of that group), count ≥ min_count.

    Columns: g, a, b, count, count1, count2, n_pairs, expected, pmi, g2, p_value.
    """
    if not len(o11):
        return pd.DataFrame(columns=["g", "a", "b", "count", "count1", "count2", "n_pairs", "expected", "pmi",
                                     "g2", "p_value"])
    n = np.bincount(g, weights=o11, minlength=n_groups)
    df = pd.DataFrame({"g": g, "a": a, "b": b, "count": o11})
    r1 = df.groupby(["g", "a"])["count"].transform("sum").to_numpy()
    c1 = df.groupby(["g", "b"])["count"].transform("sum").to_numpy()
    df["count1"], df["count2"], df["n_pairs"] = r1, c1, n[g].astype(np.int64)
    df = df[df["count"] >= min_count].reset_index(drop=True)
    scores = association(df["count"].to_numpy(), df["count1"].to_numpy(), df["count2"].to_numpy(),
                         df["n_pairs"].to_numpy())
    for k, v in scores.items():
        df[k] = v
    return df


def collocation_table(blocks_fn, vocab: np.ndarray, group_names: np.ndarray, *,
                      window: int = DEFAULTS["window"], min_count: int = DEFAULTS["min_count"],
                      methods: Sequence[str] = DEFAULTS["methods"]) -> pd.DataFrame:
    """The ``collocations`` table: bigram and window pairs for the corpus and for every group.

    ``blocks_fn()`` yields (codes, offsets, group code of each unit) blocks of units, called once per
    method and scope; a code ``>= len(vocab)`` is a token left out (another kind), which keeps its
    position but pairs with nothing. ``group_names[g]`` names the groups. Rows are ranked by G²
    (then count, then terms) within (scope, group, method).
    """
    vocab = np.asarray(vocab, dtype=object)
    nv = len(vocab) + 1
    keep = np.ones(nv, dtype=bool)
    keep[-1] = False
    frames = []
    for method in methods:
        w, ordered = (1, True) if method == "bigram" else (window, False)
        for scope in ("corpus", "group"):
            def blocks(scope=scope):
                for c, o, gr in blocks_fn():
                    c = np.minimum(np.asarray(c, dtype=np.int64), nv - 1)
                    yield c, o, (np.zeros(len(o) - 1, np.int64) if scope == "corpus" else gr)
            ng = 1 if scope == "corpus" else len(group_names)
            g, a, b, o = count_pairs(blocks(), keep, nv, w, ordered)
            df = score_pairs(g, a, b, o, ng, min_count)   # marginals over the whole (symmetric) table
            if not ordered:
                df = df[vocab[df["a"].to_numpy(dtype=np.int64)] < vocab[df["b"].to_numpy(dtype=np.int64)]]
            if df.empty:
                continue
            gi = df["g"].to_numpy(dtype=np.int64)
            df = df.assign(scope=scope, method=method, window=w,
                           group=None if scope == "corpus" else np.asarray(group_names, dtype=object)[gi],
                           term1=vocab[df["a"].to_numpy(dtype=np.int64)], term2=vocab[df["b"].to_numpy(dtype=np.int64)])
            df = df.sort_values(["g", "g2", "count", "term1", "term2"], ascending=[True, False, False, True, True],
                                kind="mergesort")
            df["rank"] = df.groupby("g").cumcount() + 1
            frames.append(df[COLUMNS])
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    for c in ("window", "count", "count1", "count2", "n_pairs", "rank"):
        out[c] = out[c].astype(np.int64)
    return out


def collocations(tokens: pd.DataFrame, groups: pd.Series | None = None, *,
                 kinds: Sequence[str] | None = DEFAULTS["kinds"], window: int = DEFAULTS["window"],
                 min_count: int = DEFAULTS["min_count"], methods: Sequence[str] = DEFAULTS["methods"]) -> pd.DataFrame:
    """:func:`collocation_table` over a token frame (doc_id, unit_kind, unit_no, position, token and,
    when present, kind). ``groups`` maps doc_id to group (None: every document its own group is not
    wanted, so one group "all"). ``kinds`` None keeps every kind; without a kind column all are kept.
    """
    t = tokens.sort_values(["doc_id", "unit_kind", "unit_no", "position"], kind="mergesort")
    kept = np.ones(len(t), dtype=bool) if kinds is None or "kind" not in t else t["kind"].isin(list(kinds)).to_numpy()
    vocab = np.array(sorted(set(t["token"][kept])), dtype=object)
    index = {v: i for i, v in enumerate(vocab)}
    codes = np.array([index.get(x, len(vocab)) if k else len(vocab) for x, k in zip(t["token"], kept, strict=True)],
                     dtype=np.int64)
    unit_keys = list(zip(t["doc_id"], t["unit_kind"], t["unit_no"], strict=True))
    starts = [i for i in range(len(unit_keys)) if i == 0 or unit_keys[i] != unit_keys[i - 1]]
    offsets = np.array([*starts, len(unit_keys)], dtype=np.int64)
    docs = [unit_keys[i][0] for i in starts]
    gmap = groups if groups is not None else pd.Series("all", index=pd.Index(sorted(set(docs))))
    names = np.array(sorted(set(gmap.loc[docs])) if docs else [], dtype=object)
    gi = np.searchsorted(names, np.array(list(gmap.loc[docs]), dtype=object)) if docs else np.zeros(0, np.int64)
    return collocation_table(lambda: iter([(codes, offsets, gi)]), vocab, names, window=window,
                             min_count=min_count, methods=methods)
