"""Full-text search over problems and measures: BM25 on the lexicon-segmented text.

The build stores one row per unit in ``search_index`` with its tokens joined by spaces and
creates DuckDB's full-text index on it (``stemmer='none'``, no stopword list, the default
``ignore`` pattern), using the fts extension shipped on PyPI by ``duckdb-extension-fts`` so it
works offline. The table macro ``search_units(q)`` ranks units for a query whose words are
separated by spaces (``'诫勉谈话'``, ``'批评教育 社区'``); :func:`search` segments free text first.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

MACRO_SQL = r"""
create or replace macro search_units(q) as table
select s.doc_id, d.source_file, d.district, s.unit_kind, s.problem_no, s.measure_no, s.score,
       coalesce(nullif(regexp_extract(s.text, '[^。！？\n]*' || split_part(q, ' ', 1) || '[^。！？\n]*[。！？]?'), ''),
                left(s.text, 120)) as sentence,
       s.char_start, s.char_end, s.text
from (select *, fts_main_search_index.match_bm25(unit_id, q) as score from search_index) s
join documents d using (doc_id)
where s.score is not null
order by s.score desc, s.doc_id, s.unit_id
"""


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load the full-text-search extension, installing it from the PyPI package when needed (offline)."""
    try:
        con.execute("load fts")
        return
    except duckdb.Error:
        pass
    import duckdb_extensions

    duckdb_extensions.import_extension("fts", con=con)
    con.execute("load fts")


def build_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """Corpus stage: the search_index table, its BM25 index and the search_units macro."""
    con.execute("drop table if exists search_index")
    con.execute("""
        create table search_index as
        with tok as (  -- tokens in position order: sorting each unit's short list beats an ordered aggregate
          select doc_id, unit_kind, unit_no,
                 array_to_string(list_transform(list_sort(list(struct_pack(p := position, t := token))),
                                                x -> x.t), ' ') as tokens
          from tokens where unit_kind in ('problem', 'measure') group by all)
        select row_number() over (order by u.doc_id, u.unit_kind, u.unit_no)::integer as unit_id, u.doc_id,
               u.unit_kind, u.problem_no, u.measure_no, u.unit_no, u.text, u.char_start, u.char_end,
               coalesce(t.tokens, '') as tokens
        from (
          select doc_id, 'problem' as unit_kind, problem_no, null::integer as measure_no, problem_no as unit_no,
                 heading || coalesce('。' || finding, '') as text, char_start, char_end from problems
          union all
          select doc_id, 'measure', problem_no, measure_no, problem_no * 1000 + measure_no, text, char_start, char_end
          from measures) u
        left join tok t using (doc_id, unit_kind, unit_no)
    """)
    for col, desc in [("unit_id", "Row id used by the full-text index."), ("doc_id", "Document id."),
                      ("unit_kind", "problem or measure."), ("problem_no", "Problem number."),
                      ("measure_no", "Measure number (NULL for problems)."),
                      ("unit_no", "problem_no, or problem_no*1000+measure_no for measures (as in tokens)."),
                      ("text", "Text of the unit."), ("char_start", "Start offset in documents.text."),
                      ("char_end", "End offset in documents.text."),
                      ("tokens", "Lexicon tokens joined by spaces (what the BM25 index covers).")]:
        con.execute(f"comment on column search_index.{col} is '{desc}'")
    con.execute("comment on table search_index is 'Problems and measures with their tokens, indexed for BM25 "
                "full-text search (macro search_units(q), command analysis search).'")
    load_fts(con)
    con.execute("pragma create_fts_index('search_index', 'unit_id', 'tokens', stemmer = 'none', "
                "stopwords = 'none', strip_accents = 0, lower = 1, overwrite = 1)")
    con.execute(MACRO_SQL)


def query_tokens(text: str) -> str:
    """Segment a free-text query the way the index was built; returns space-joined tokens."""
    from analysis.segment import is_word_token, segment_text

    return " ".join(t for t, _ in segment_text(text) if is_word_token(t))


def search(db: Path, text: str, limit: int = 20) -> pd.DataFrame:
    """Ranked problems and measures for ``text`` with document, problem, sentence and offsets."""
    from analysis.warehouse import connect_readonly

    con = connect_readonly(db)
    try:
        load_fts(con)
        q = query_tokens(text) or text
        return con.execute("select * exclude (text) from search_units(?) limit ?", [q, int(limit)]).df()
    finally:
        con.close()
