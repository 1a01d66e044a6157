"""Full-text search over problems and measures: BM25 on the lexicon-segmented text.

``search_index`` holds one row per problem or measure (ids, text, offsets, its lexicon tokens
joined by spaces, ``n_terms``) and ``search_terms`` its term frequencies. Terms are the tokens
split and filtered the way DuckDB's fts extension tokenises (lower case; digits and ASCII
punctuation, its default ``ignore`` pattern, removed), and the table macro ``search_units(q)``
scores with the formula of the extension's ``match_bm25``: Okapi BM25 (Robertson & Zaragoza 2009,
*The Probabilistic Relevance Framework: BM25 and Beyond*) with k1 = 1.2, b = 0.75 and
idf = log10((N − df + 0.5) / (df + 0.5) + 1). A test checks the scores equal the extension's.

Written in plain SQL rather than with ``create_fts_index`` because an incremental build can then
add and remove the units of a few documents (an fts index can only be rebuilt whole, which took
longer than the whole incremental build on 10,000 notices), and queries need no extension.
Queries are words separated by spaces (``'诫勉谈话'``, ``'批评教育 社区'``); :func:`analysis.outputs.search.search`
segments free text first.
"""

from __future__ import annotations

import duckdb

from analysis.schema import MACROS, terms_sql
from analysis.warehouse.db import doc_id_list

_UNITS_SQL = """
insert into search_index (unit_id, doc_id, unit_kind, problem_no, measure_no, unit_no, text, char_start, char_end,
                          tokens, n_terms)
with u as (
  select doc_id, 'problem' as unit_kind, problem_no, null::integer as measure_no, problem_no as unit_no,
         heading || coalesce('。' || finding, '') as text, char_start, char_end from problems {where}
  union all
  select doc_id, 'measure', problem_no, measure_no, problem_no * 1000 + measure_no, text, char_start, char_end
  from measures {where}),
tok as (  -- tokens in position order: sorting each unit's short list beats an ordered aggregate
  select doc_id, unit_kind, unit_no,
         array_to_string(list_transform(list_sort(list(struct_pack(p := position, t := token))), x -> x.t), ' ')
           as tokens
  from tokens {where_and} unit_kind in ('problem', 'measure') group by all)
select ({base} + row_number() over (order by u.doc_id, u.unit_kind, u.unit_no))::integer, u.doc_id, u.unit_kind,
       u.problem_no, u.measure_no, u.unit_no, u.text, u.char_start, u.char_end, coalesce(t.tokens, ''), 0
from u left join tok t using (doc_id, unit_kind, unit_no)
"""


def _index(con: duckdb.DuckDBPyConnection, doc_filter: str | None) -> None:
    where = f"where doc_id in ({doc_filter})" if doc_filter else ""
    base = "0" if doc_filter is None else "(select coalesce(max(unit_id), 0) from search_index)"
    con.execute(_UNITS_SQL.format(where=where, where_and=(where + " and") if where else "where", base=base))
    new = f"where doc_id in ({doc_filter})" if doc_filter else ""
    con.execute(f"""insert into search_terms (unit_id, doc_id, term, tf)
        select unit_id, any_value(doc_id), term, count(*)::integer
        from (select unit_id, doc_id, {terms_sql('tokens')} as term from search_index {new})
        where term <> '' group by unit_id, term""")
    con.execute(f"""update search_index s set n_terms = c.n from
        (select unit_id, sum(tf)::integer as n from search_terms {new} group by unit_id) c
        where s.unit_id = c.unit_id""")


def build_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """Corpus stage: search_index and search_terms for every unit, and the search_units macro."""
    con.execute("delete from search_terms")
    con.execute("delete from search_index")
    _index(con, None)
    con.execute(MACROS["search_units"].sql)


def add_documents(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    """Index the units of newly loaded documents (an incremental build; their old rows are gone)."""
    if not doc_ids:
        return
    for k in range(0, len(doc_ids), 1000):
        _index(con, doc_id_list(doc_ids[k:k + 1000]))
    con.execute(MACROS["search_units"].sql)






