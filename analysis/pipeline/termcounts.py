"""Units × terms counts from the warehouse's ``tokens`` table (the DuckDB source of :class:`TermCounts`).

DuckDB groups the tokens of each unit into one list of integer term ids (a low-cardinality
aggregate, cheap), keeps the lists in a temporary table, and Python reads them back in blocks of
rows through Arrow, so memory holds one block at a time, never the corpus' token rows. Units are
numbered in ``(doc_id, unit_kind, unit_no)`` order and the vocabulary is sorted by code point, as
in :func:`analysis.compare.termcounts.frame_counts`, so both sources give identical matrices.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
from scipy import sparse

from analysis.compare import placeholder_pattern
from analysis.compare.termcounts import TermCounts, counts_csr
from analysis.schema.tables import TOKEN_KINDS
from analysis.tokens.kinds import token_kind

_SEQ = itertools.count()



@dataclass
class DuckTermCounts(TermCounts):
    """Counts from the warehouse: temp table ``{table}(u, doc_id, unit_no, terms)`` ordered by ``u``."""

    con: duckdb.DuckDBPyConnection | None = None
    table: str = ""
    vocab_table: str = ""

    def _lists(self, sql: str, params: list | None = None, batch: int = 50_000) -> Iterator[pa.RecordBatch]:
        reader = self.con.execute(sql, params or []).to_arrow_reader(batch)
        for b in reader:
            if b.num_rows:
                yield b

    def _csr(self, b: pa.RecordBatch) -> sparse.csr_matrix:
        col = b.column(b.schema.get_field_index("terms"))
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        offsets = np.asarray(col.offsets, dtype=np.int64)
        values = np.array(col.values.to_numpy(zero_copy_only=False)[offsets[0] : offsets[-1]], dtype=np.int32)
        return counts_csr(offsets - offsets[0], values, len(self.vocab))

    def rows(self, idx: np.ndarray) -> sparse.csr_matrix:
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx) == 0:
            return sparse.csr_matrix((0, len(self.vocab)))
        sel = pa.table({"u": pa.array(idx.astype(np.int32))})
        name = f"_tc_sel_{next(_SEQ)}"
        self.con.register(name, sel)
        try:
            parts = [self._csr(b) for b in
                     self._lists(f"select u, terms from {self.table} semi join {name} using (u) order by u")]
        finally:
            self.con.unregister(name)
        return sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, len(self.vocab)))

    def blocks(self, size: int) -> Iterator[tuple[int, sparse.csr_matrix]]:
        start = 0
        for b in self._lists(f"select u, terms from {self.table} order by u", batch=size):
            m = self._csr(b)
            yield start, m
            start += m.shape[0]

    def close(self) -> None:
        if self.con is not None:
            for t in (self.table, self.vocab_table):
                if t:
                    self.con.execute(f"drop table if exists {t}")


def register_words(con: duckdb.DuckDBPyConnection, words: Iterable[str]) -> str:
    """A temp table ``(token)`` of ``words``; returns its name."""
    name = f"_tc_words_{next(_SEQ)}"
    con.execute(f"create temp table {name} (token varchar)")
    words = sorted(set(words))
    if words:
        con.register(f"{name}_src", pa.table({"token": pa.array(words, pa.string())}))
        con.execute(f"insert into {name} select token from {name}_src")
        con.unregister(f"{name}_src")
    return name


def kinds_sql(kinds: Iterable[str] | None, column: str = "kind") -> str:
    """SQL condition keeping token rows of ``kinds`` (``None``: every row); kinds are checked names."""
    if kinds is None:
        return "true"
    kinds = sorted(set(kinds))
    bad = [k for k in kinds if k not in TOKEN_KINDS]
    if bad:
        raise ValueError(f"unknown token kind(s) {bad}; use {TOKEN_KINDS}")
    return f"{column} in ({', '.join(repr(k) for k in kinds)})" if kinds else "false"


def token_filter_sql(stop_table: str, placeholders: bool = True, column: str = "token",
                     kinds: Iterable[str] | None = None) -> str:
    """SQL condition keeping tokens that are neither in ``stop_table`` nor placeholders, of ``kinds``."""
    cond = f"{column} not in (select token from {stop_table})"
    if placeholders:
        cond += f" and not regexp_full_match({column}, '{placeholder_pattern()}')"
    if kinds is not None:
        cond += f" and {kinds_sql(kinds)}"
    return cond


def duckdb_counts(
    con: duckdb.DuckDBPyConnection,
    unit_kind: str,
    stop: frozenset[str] | set[str],
    placeholders: bool = True,
    *,
    units_sql: str | None = None,
    kinds: Iterable[str] | None = ("content",),
) -> DuckTermCounts:
    """Count matrix of the ``tokens`` of ``unit_kind`` (stopwords and placeholders removed; only token
    rows of ``kinds``, default content words; ``None`` keeps every kind).

    Units are those keeping a token, numbered in ``(doc_id, unit_no)`` order — or, when
    ``units_sql`` is given (a query returning distinct ``doc_id, unit_no``, e.g. every problem),
    exactly those units in the same order, empty ones included. Call :meth:`DuckTermCounts.close` to drop the
    temporary tables.
    """
    seq = next(_SEQ)
    stop_t = register_words(con, stop)
    vocab_t, table = f"_tc_vocab_{seq}", f"_tc_units_{seq}"
    keep = token_filter_sql(stop_t, placeholders, kinds=kinds)
    try:
        con.execute(f"""create temp table {vocab_t} as
            select token, (row_number() over (order by token) - 1)::integer as ti
            from (select distinct token from tokens where unit_kind = ? and {keep})""", [unit_kind])
        lists = f"""select doc_id, unit_no, list(ti) as terms from tokens join {vocab_t} using (token)
                    where unit_kind = ? and {kinds_sql(kinds)} group by doc_id, unit_no"""
        if units_sql is None:
            con.execute(f"""create temp table {table} as
                select (row_number() over (order by doc_id, unit_no) - 1)::integer as u, doc_id, unit_no, terms
                from ({lists}) order by u""", [unit_kind])
        else:
            con.execute(f"""create temp table {table} as
                select (row_number() over (order by doc_id, unit_no) - 1)::integer as u, doc_id, unit_no,
                       coalesce(l.terms, []::integer[]) as terms
                from ({units_sql}) w left join ({lists}) l using (doc_id, unit_no) order by u""", [unit_kind])
    finally:
        con.execute(f"drop table if exists {stop_t}")
    vocab = np.array([r[0] for r in con.execute(f"select token from {vocab_t} order by ti").fetchall()], dtype=object)
    n_units = con.execute(f"select count(*) from {table}").fetchone()[0]
    tc = DuckTermCounts(int(n_units), vocab, np.zeros(len(vocab), dtype=np.int64), con=con, table=table,
                        vocab_table=vocab_t)
    df = np.zeros(len(vocab), dtype=np.int64)
    for _, m in tc.blocks(100_000):
        df += np.bincount(m.indices, minlength=len(vocab))
    tc.df = df
    return tc


# ---------------------------------------------------------------- TF-IDF




def _modal_pos_kinds(rows: list[tuple]) -> dict[str, str]:
    """token → kind at its most frequent POS (ties: the smaller POS string) from (token, pos, n) rows."""
    best: dict[str, tuple[int, str]] = {}
    for tok, pos, n in rows:
        key = (-int(n), pos or "")
        if tok not in best or key < best[tok]:
            best[tok] = key
    return {tok: token_kind(tok, pos or None) for tok, (_, pos) in best.items()}


def fill_vocabulary_kinds(con: duckdb.DuckDBPyConnection) -> None:
    """Set ``vocabulary.kind``: the token's kind (:func:`analysis.tokens.kinds.token_kind`, out of
    context) at its most frequent POS in ``tokens`` — what :func:`analysis.tokens.segment.vocabulary`
    computes from a token frame."""
    rows = con.execute("select token, pos, count(*) from tokens group by token, pos").fetchall()
    kinds = _modal_pos_kinds(rows)
    if not kinds:
        return
    con.register("_vocab_kinds_src", pa.table({"token": pa.array(list(kinds), pa.string()),
                                               "kind": pa.array(list(kinds.values()), pa.string())}))
    try:
        con.execute("create or replace temp table _vocab_kinds as select * from _vocab_kinds_src")
    finally:
        con.unregister("_vocab_kinds_src")
    con.execute("update vocabulary set kind = k.kind from _vocab_kinds k where vocabulary.token = k.token")
    con.execute("drop table _vocab_kinds")


def names_report(con: duckdb.DuckDBPyConnection, top: int = 100) -> dict:
    """What the name lexicon changed in this build (recorded in ``analysis_runs`` by the vocabulary
    stage): tokens it made (merged or retagged) and how many jieba tokens they replaced, the most
    frequent of them, the token counts by kind, and a fingerprint of the lexicon's rules."""
    from analysis.tokens.names import lexicon_fingerprint
    from analysis.tokens.segment import segment_text

    named = con.execute("""select token, kind, count(*)::bigint as n from tokens where named
                           group by token, kind order by n desc, token, kind""").fetchall()
    pieces = {t: len(segment_text(t)) for t in {r[0] for r in named}}
    by_kind = dict(con.execute("select kind, count(*)::bigint from tokens group by kind order by kind").fetchall())
    return {
        "lexicon": lexicon_fingerprint(),
        "n_named_tokens": int(sum(r[2] for r in named)),
        "n_named_distinct": len(pieces),
        "n_merged_tokens": int(sum(r[2] for r in named if pieces[r[0]] > 1)),
        "n_jieba_tokens_replaced": int(sum(r[2] * pieces[r[0]] for r in named if pieces[r[0]] > 1)),
        "n_retagged_tokens": int(sum(r[2] for r in named if pieces[r[0]] == 1)),
        "top_named": [[t, k, int(n)] for t, k, n in named[:top]],
        "tokens_by_kind": {k: int(v) for k, v in by_kind.items()},
    }
