"""Incremental maintenance: what the previous warehouse holds, removing changed documents' rows,
the vocabulary by difference, and per-problem/measure results for added documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analysis import schema
from analysis.compare.categories import classify_problems
from analysis.compare.specificity import measure_specificity
from analysis.pipeline.search_index import add_documents
from analysis.pipeline.termcounts import fill_vocabulary_kinds
from analysis.warehouse.db import doc_id_list, insert_frame


@dataclass
class _OldState:
    """What an incremental build needs from the previous warehouse."""

    fingerprints: dict[str, str] = field(default_factory=dict)        # doc_id → fingerprint
    content_keys: dict[str, str] = field(default_factory=dict)        # doc_id → content_key
    files: dict[str, tuple] = field(default_factory=dict)  # file → size, mtime, ctime, sha, doc_id
    info: dict[str, str] = field(default_factory=dict)                 # build_info
    problems: list[str] = field(default_factory=list)


def _old_state(db: Path, version: str) -> _OldState:
    """The previous warehouse's documents, files and build info (empty when absent, unreadable or stale)."""
    old = _OldState()
    if not db.exists():
        return old
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as e:
        old.problems.append(f"previous {db.name} is unreadable ({str(e).splitlines()[0]}); doing a full rebuild")
        return old
    try:
        have = {r[0] for r in con.execute("select table_name from information_schema.tables "
                                          "where table_schema = 'main'").fetchall()}
        if not set(schema.TABLES) <= have:
            return old
        info = dict(con.execute("select key, value from build_info").fetchall())
        if info.get("pipeline_version") != version:
            return old
        old.info = info
        old.fingerprints = dict(con.execute("select doc_id, fingerprint from documents").fetchall())
        old.content_keys = dict(con.execute("select doc_id, content_key from documents").fetchall())
        old.files = {r[0]: r[1:] for r in con.execute(
            "select source_file, size_bytes, mtime_ns, ctime_ns, sha256, doc_id from corpus_files "
            "where sha256 is not null and doc_id is not null").fetchall()}
    except duckdb.Error as e:
        old = _OldState(problems=[f"previous {db.name} could not be read ({str(e).splitlines()[0]}); "
                                  "doing a full rebuild"])
    finally:
        con.close()
    return old


def _doc_tables() -> list[str]:
    """Every table with a doc_id column: rows of a removed or changed document are deleted from all."""
    return [t.name for t in schema.TABLES.values() if "doc_id" in t.column_names and t.name != "load_issues"]


_VOCAB_DELTA = """insert into _vocab_delta
select token, {sign} count(*), {sign} count(distinct doc_id), {sign} count(distinct (doc_id, unit_kind, unit_no))
from tokens where doc_id in ({ids}) group by token"""


def _drop_documents(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Remove documents' rows everywhere, first subtracting their tokens from the vocabulary delta."""
    for k in range(0, len(ids), 1000):
        chunk = doc_id_list(ids[k:k + 1000])
        con.execute(_VOCAB_DELTA.format(sign="-", ids=chunk))
        for t in _doc_tables():
            con.execute(f'delete from "{t}" where doc_id in ({chunk})')


def _add_vocabulary(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    for k in range(0, len(ids), 1000):
        con.execute(_VOCAB_DELTA.format(sign="", ids=doc_id_list(ids[k:k + 1000])))


def _apply_vocabulary_delta(con: duckdb.DuckDBPyConnection) -> None:
    """vocabulary ± the changed documents' counts: freq, doc_freq and unit_freq add over documents."""
    con.execute("""create or replace temp table _vocab_new as
        select token, sum(freq)::bigint as freq, sum(doc_freq)::bigint as doc_freq, sum(unit_freq)::bigint as unit_freq
        from (select token, freq, doc_freq, unit_freq from vocabulary union all select * from _vocab_delta)
        group by token having sum(freq) > 0""")
    con.execute("delete from vocabulary")
    con.execute("insert into vocabulary (token, freq, doc_freq, unit_freq) "
                "select token, freq, doc_freq, unit_freq from _vocab_new")
    fill_vocabulary_kinds(con)
    con.execute("drop table _vocab_new")
    con.execute("delete from _vocab_delta")


def add_search_documents(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:

    add_documents(con, ids)


def _update_for_new_documents(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Per-problem and per-measure results for added documents, without recomputing the corpus.

    Specificity is a property of each measure alone, so it is exact. Categories use rules 1–2 of
    :mod:`analysis.compare.categories` exactly; rule 3 (nearest centroid) here sees only the new
    documents' labelled problems until the comparisons are next recomputed.
    """

    for k in range(0, len(ids), 1000):
        chunk = doc_id_list(ids[k:k + 1000])
        measures = con.execute(f"select doc_id, problem_no, measure_no, text from measures where doc_id in ({chunk}) "
                               "order by doc_id, problem_no, measure_no").df()
        if len(measures):
            insert_frame(con, "measure_specificity", measure_specificity(measures))
        problems = con.execute(f"select doc_id, problem_no, area, sub_area, heading, finding from problems "
                               f"where doc_id in ({chunk}) order by doc_id, problem_no").df()
        if len(problems):
            toks = con.execute(f"select doc_id, unit_kind, unit_no, position, token, pos from tokens where doc_id in "
                               f"({chunk}) and unit_kind = 'problem' order by doc_id, unit_no, position").df()
            insert_frame(con, "problem_categories", classify_problems(problems, toks))

