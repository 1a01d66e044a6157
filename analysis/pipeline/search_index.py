"""Full-text search over every sentence of the notices: BM25 on the lexicon-segmented text.

``search_index`` holds one row per problem or measure (ids, text, offsets, its lexicon tokens
joined by spaces, ``n_terms``), plus one ``sentence`` row for every sentence of ``documents.text``
that neither lies inside a measure nor repeats its problem's heading or finding: the overview and
its summaries ("诫勉谈话5人"), leads, next steps and signatures, so every sentence is searchable.
Sentence rows are segmented here with the same segmenter as ``tokens``; their ``problem_no`` is the
problem whose span holds them, 0 outside every problem. ``search_terms`` holds the term frequencies. Terms are the tokens
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

from bisect import bisect_right

import duckdb
import pyarrow as pa

from analysis.genre.sentences import PIECE_BREAKS, sentence_spans
from analysis.schema import MACROS, terms_sql
from analysis.tokens.segment import tokenize_texts
from analysis.warehouse.db import doc_id_list, insert_sql

SENTENCE_BATCH = 200   # documents read per block when cutting sentence units

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


def sentence_units(text: str, measures: list[tuple[int, int]],
                   problems: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, int]]:
    """Sentences of ``text`` not already indexed by a problem or measure unit.

    ``measures`` are (start, end) spans, ``problems`` (start, end, problem_no, indexed text). A
    sentence inside a measure span is skipped, and so is one inside a problem span whose text is
    part of the problem's indexed text (its heading or finding; end marks aside). Returns (sentence_no, start, end,
    problem_no) with sentence_no counting every sentence of the text from 1 and problem_no 0
    outside every problem.
    """
    ms = sorted(measures)
    m_starts = [a for a, _ in ms]
    ps = sorted(problems)
    p_starts = [a for a, *_ in ps]
    out = []
    for no, (s, e) in enumerate(sentence_spans(text), 1):
        k = bisect_right(m_starts, s) - 1
        if k >= 0 and e <= ms[k][1]:
            continue
        k = bisect_right(p_starts, s) - 1
        pno = 0
        if k >= 0 and e <= ps[k][1]:
            pno = ps[k][2]
            if text[s:e].rstrip(PIECE_BREAKS + "…") in ps[k][3]:
                continue
        out.append((no, s, e, pno))
    return out


def _add_sentences(con: duckdb.DuckDBPyConnection, where: str) -> None:
    """Insert the sentence units of the documents ``where`` selects (after their problems and measures)."""
    reader = con.execute(f"select doc_id, text from documents {where} order by doc_id").to_arrow_reader(
        SENTENCE_BATCH)
    for batch in reader:
        ids = batch.column(0).to_pylist()
        texts = batch.column(1).to_pylist()
        flt = f"where doc_id in ({doc_id_list(ids)})"
        meas: dict[str, list] = {i: [] for i in ids}
        for d, a, b in con.execute(f"select doc_id, char_start, char_end from measures {flt} "
                                   "and char_start is not null and char_end is not null").fetchall():
            meas[d].append((a, b))
        probs: dict[str, list] = {i: [] for i in ids}
        for d, a, b, no, t in con.execute(
                f"select doc_id, char_start, char_end, problem_no, heading || coalesce('。' || finding, '') "
                f"from problems {flt} and char_start is not null and char_end is not null").fetchall():
            probs[d].append((a, b, no, t or ""))
        rows = []
        for d, text in zip(ids, texts, strict=True):
            rows.extend((d, no, s, e, pno, text[s:e]) for no, s, e, pno in sentence_units(text or "", meas[d],
                                                                                          probs[d]))
        if not rows:
            continue
        counts, toks, _ = tokenize_texts([r[5] for r in rows])
        joined, k = [], 0
        for n in counts:
            joined.append(" ".join(toks[k:k + n]))
            k += n
        cols = list(zip(*rows, strict=True))
        insert_sql(con, """insert into search_index (unit_id, doc_id, unit_kind, problem_no, measure_no, unit_no,
                                                      text, char_start, char_end, tokens, n_terms)
            select ((select coalesce(max(unit_id), 0) from search_index)
                    + row_number() over (order by doc_id, unit_no))::integer,
                   doc_id, 'sentence', problem_no, null, unit_no, text, char_start, char_end, tokens, 0
            from _arrow""", pa.table({
                "doc_id": pa.array(cols[0], pa.string()), "unit_no": pa.array(cols[1], pa.int32()),
                "char_start": pa.array(cols[2], pa.int32()), "char_end": pa.array(cols[3], pa.int32()),
                "problem_no": pa.array(cols[4], pa.int32()), "text": pa.array(cols[5], pa.string()),
                "tokens": pa.array(joined, pa.string())}))


def _index(con: duckdb.DuckDBPyConnection, doc_filter: str | None) -> None:
    where = f"where doc_id in ({doc_filter})" if doc_filter else ""
    base = "0" if doc_filter is None else "(select coalesce(max(unit_id), 0) from search_index)"
    con.execute(_UNITS_SQL.format(where=where, where_and=(where + " and") if where else "where", base=base))
    _add_sentences(con, where)
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
