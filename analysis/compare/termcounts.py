"""Units × terms count matrices read in row blocks, and the TF-IDF weighting of their rows.

The comparisons never need the token rows themselves, only how often each term occurs in each
unit (clusters, district similarity, category centroids) or in each group (keyness). Two sources
give the same :class:`TermCounts`:

- :func:`frame_counts` — from a token frame (``doc_id, unit_kind, unit_no, position, token…``) held
  in memory: small inputs, tests and notebooks;
- :func:`analysis.pipeline.termcounts.duckdb_counts` — from the warehouse's ``tokens`` table, read
  in blocks (the build's DuckDB glue lives there, so this module stays pure).

Units are numbered 0, 1, … in ``(doc_id, unit_kind, unit_no)`` order; the vocabulary is sorted by
code point; both orders are those of the in-memory path, so the two sources give identical
matrices.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.compare import placeholder_pattern
from analysis.tokens.kinds import token_kind

KEY = ["doc_id", "unit_kind", "unit_no"]


def counts_csr(indptr: np.ndarray, indices: np.ndarray, n_cols: int) -> sparse.csr_matrix:
    """Rows of term ids (with repeats) → a count matrix with sorted, summed indices."""
    data = np.ones(len(indices), dtype=np.float64)
    m = sparse.csr_matrix((data, np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
                          shape=(len(indptr) - 1, n_cols))
    m.sum_duplicates()
    return m


@dataclass
class TermCounts:
    """Count matrix of ``n_units`` units over ``vocab`` (sorted), read by blocks of rows.

    ``df`` is the number of units containing each term. Subclasses provide :meth:`rows` (the rows
    of given unit numbers) and :meth:`blocks` (consecutive rows, start with ``0``).
    """

    n_units: int
    vocab: np.ndarray
    df: np.ndarray

    def rows(self, idx: np.ndarray) -> sparse.csr_matrix:  # pragma: no cover - interface
        raise NotImplementedError

    def blocks(self, size: int) -> Iterator[tuple[int, sparse.csr_matrix]]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


@dataclass
class MatrixTermCounts(TermCounts):
    """All counts in memory (small inputs); ``units`` holds the unit keys."""

    matrix: sparse.csr_matrix = field(default_factory=lambda: sparse.csr_matrix((0, 0)))
    units: pd.DataFrame | None = None

    def rows(self, idx: np.ndarray) -> sparse.csr_matrix:
        return self.matrix[np.asarray(idx, dtype=np.int64)]

    def blocks(self, size: int) -> Iterator[tuple[int, sparse.csr_matrix]]:
        for start in range(0, self.n_units, size):
            yield start, self.matrix[start : start + size]


def row_kinds(tokens: pd.DataFrame) -> np.ndarray:
    """Kind of every token row: the ``kind`` column, else :func:`analysis.tokens.kinds.token_kind` of
    ``token`` and ``pos`` (out of context: a number before 年 stays a number)."""
    if "kind" in tokens.columns:
        return tokens["kind"].to_numpy(dtype=object)
    pos = tokens["pos"] if "pos" in tokens.columns else pd.Series([None] * len(tokens), index=tokens.index)
    pairs = pd.DataFrame({"t": tokens["token"].astype(object), "p": pos.astype(object)})
    uniq = pairs.drop_duplicates()
    kinds = [token_kind(str(t), None if p is None or p != p else str(p)) for t, p in zip(uniq["t"], uniq["p"],
                                                                                          strict=True)]
    table = pd.Series(kinds, index=pd.MultiIndex.from_frame(uniq), dtype=object)
    return table.reindex(pd.MultiIndex.from_frame(pairs)).to_numpy(dtype=object)


def kind_mask(tokens: pd.DataFrame, kinds: tuple[str, ...] | list[str] | None) -> np.ndarray:
    """Rows whose kind is in ``kinds`` (``None``: every row)."""
    if kinds is None:
        return np.ones(len(tokens), dtype=bool)
    return np.isin(row_kinds(tokens), np.asarray(list(kinds), dtype=object))


def drop_tokens(tokens: pd.DataFrame, stop: frozenset[str] | set[str], placeholders: bool = True) -> pd.DataFrame:
    """Token rows that are neither stopwords nor (when ``placeholders``) masking placeholders."""
    t = tokens
    if stop:
        t = t[~t["token"].isin(stop)]
    if placeholders and len(t):
        uniq = pd.Series(pd.unique(t["token"]), dtype=object)
        bad = uniq[uniq.astype(str).str.fullmatch(placeholder_pattern())]
        if len(bad):
            t = t[~t["token"].isin(set(bad))]
    return t


def bags_counts(bags: list[list[str]]) -> MatrixTermCounts:
    """Count matrix of pre-tokenised bags (every bag a unit, empty bags included)."""
    vocab = np.array(sorted({w for b in bags for w in b}), dtype=object)
    index = {w: i for i, w in enumerate(vocab)}
    lengths = np.fromiter((len(b) for b in bags), dtype=np.int64, count=len(bags))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = np.fromiter((index[w] for b in bags for w in b), dtype=np.int32, count=int(indptr[-1]))
    m = counts_csr(indptr, indices, len(vocab))
    df = np.bincount(m.indices, minlength=len(vocab)).astype(np.int64)
    return MatrixTermCounts(len(bags), vocab, df, matrix=m)


def frame_counts(
    tokens: pd.DataFrame, unit_kind: str | None, stop: frozenset[str] | set[str], placeholders: bool = True,
    kinds: tuple[str, ...] | list[str] | None = ("content",),
) -> MatrixTermCounts:
    """Count matrix of the units of ``unit_kind`` (``None``: all) that keep a token after filtering
    (only token rows of ``kinds``, default content words; ``None`` keeps every kind)."""
    t = tokens if unit_kind is None else tokens[tokens["unit_kind"] == unit_kind]
    t = t[kind_mask(t, kinds)]
    t = drop_tokens(t, stop, placeholders)
    if len(t) == 0:
        units = pd.DataFrame({c: pd.Series([], dtype=object) for c in KEY})
        return MatrixTermCounts(0, np.array([], dtype=object), np.zeros(0, dtype=np.int64),
                                matrix=sparse.csr_matrix((0, 0)), units=units)
    keys = t[KEY].reset_index(drop=True)
    codes, units = pd.MultiIndex.from_frame(keys).factorize(sort=True)
    units = units.to_frame(index=False)
    units.columns = KEY
    units["unit_no"] = units["unit_no"].astype(np.int64)
    tok_codes, vocab = pd.factorize(t["token"].to_numpy(dtype=object), sort=True)
    m = sparse.csr_matrix((np.ones(len(codes)), (codes, tok_codes)), shape=(len(units), len(vocab)))
    m.sum_duplicates()
    m.sort_indices()
    df = np.bincount(m.indices, minlength=len(vocab)).astype(np.int64)
    return MatrixTermCounts(len(units), np.asarray(vocab, dtype=object), df, matrix=m.tocsr(), units=units)


@dataclass
class Tfidf:
    """Sublinear, smoothed, L2-normalised TF-IDF over the terms kept by ``min_df`` (scikit-learn's
    ``TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm='l2')`` formula):
    ``w(t, u) = (1 + ln tf) · (ln((1 + N) / (1 + df)) + 1)``, each row divided by its L2 norm."""

    n_units: int
    keep: np.ndarray  # bool per source term
    column: np.ndarray  # new column of each source term (-1 when dropped)
    idf: np.ndarray  # per kept column
    vocab: np.ndarray  # kept terms, sorted

    @classmethod
    def fit(cls, tc: TermCounts, min_df: int = 2) -> Tfidf:
        """Weights for ``tc``; ``min_df`` falls back to 1 when it would leave no term."""
        keep = tc.df >= min_df
        if not keep.any():
            keep = tc.df >= 1
        column = np.full(len(tc.df), -1, dtype=np.int64)
        column[keep] = np.arange(int(keep.sum()))
        df = tc.df[keep].astype(np.float64)
        idf = np.log((1.0 + tc.n_units) / (1.0 + df)) + 1.0
        return cls(tc.n_units, keep, column, idf, tc.vocab[keep])

    def transform(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """TF-IDF rows of a count matrix over the source vocabulary."""
        counts = counts.tocsr()
        mask = self.keep[counts.indices]
        row = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[mask]
        col = self.column[counts.indices[mask]]
        w = (1.0 + np.log(counts.data[mask])) * self.idf[col]
        sq = np.bincount(row, weights=w * w, minlength=counts.shape[0])
        norm = np.sqrt(sq)
        w = w / norm[row]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=counts.shape[0]))])
        return sparse.csr_matrix((w, col.astype(np.int32), indptr), shape=(counts.shape[0], len(self.vocab)))
