"""Views and table macros of the warehouse, declared beside the tables they read."""

from __future__ import annotations

from analysis.genre.sentences import SENTENCE_BREAK_CLASS, SENTENCE_END_CLASS
from analysis.schema.model import Macro, View

_GROUP_NAME = "coalesce(nullif(district, ''), nullif(unit, ''), regexp_replace(source_file, '\\.[^.]*$', ''))"

# Body of ``create view district_discipline as <this>`` over ``discipline_actions`` and ``documents``:
# one row per document and action (top-level rows only, parent is null); the summary total when the
# notice states one (sum of its summary rows, basis 'summary'), else the sum of its mentions (basis
# 'mentions'). ``unit`` is the document's inspected unit; the unit of the count is ``count_unit``.
DISTRICT_DISCIPLINE_SQL: str = """
with top_rows as (
    select * from discipline_actions where parent is null
),
per_action as (
    select doc_id, action,
           min(action_group) as action_group,
           min(form) as form,
           count(*) filter (where scope = 'summary') as n_summary,
           sum("count") filter (where scope = 'summary') as summary_count,
           sum("count") filter (where scope = 'mention') as mention_count,
           mode(unit) filter (where scope = 'summary') as summary_unit,
           mode(unit) filter (where scope = 'mention') as mention_unit
    from top_rows
    group by doc_id, action
)
select p.doc_id, d.province, d.city, d.district, d.unit,
       p.action, p.action_group, p.form,
       cast(case when p.n_summary > 0 then p.summary_count else p.mention_count end as bigint) as "count",
       case when p.n_summary > 0 then p.summary_unit else p.mention_unit end as count_unit,
       case when p.n_summary > 0 then 'summary' else 'mentions' end as basis
from per_action p
left join documents d on d.doc_id = p.doc_id
"""

VIEWS: dict[str, View] = {
    "document_groups": View(
        "The group each notice is compared in (keyness, similarity, boilerplate, clusters by place): its district, "
        "else its unit, else its file name; a name shared by places in different cities or provinces is prefixed "
        "with the city (else the province) so they stay apart.",
        f"""select doc_id, case when n_places > 1 then coalesce(nullif(city, ''), nullif(province, ''), '') || name
                  else name end as "group", district, city, province
           from (select doc_id, district, city, province, {_GROUP_NAME} as name,
                        count(distinct coalesce(province, '') || '/' || coalesce(city, ''))
                          over (partition by {_GROUP_NAME}) as n_places
                 from documents)"""),
    "parse_report": View(
        "Per document: share of rectification-section characters assigned to a problem or measure, and the "
        "parse warnings.",
        """
        select d.doc_id, d.source_file, d.problems_stated, d.problems_found, d.measures_found,
               c.rect_chars, c.lead_chars, c.coverage,
               (select count(*) from parse_warnings w where w.doc_id = d.doc_id) as n_warnings,
               (select string_agg(w.kind || ': ' || w.message, ' | ' order by w.warning_no)
                  from parse_warnings w where w.doc_id = d.doc_id) as warnings
        from documents d left join parse_coverage c using (doc_id)
        """),
    "district_discipline": View(
        "Per document and action the count to report: the summary total where the notice states one, else the "
        "sum of mentions (column basis).",
        DISTRICT_DISCIPLINE_SQL),
}



# ---------------------------------------------------------------- full-text search (BM25 in plain SQL)
# Okapi BM25 as DuckDB's fts extension scores it (match_bm25; Robertson & Zaragoza 2009), over the
# tables search_index/search_terms that analysis.pipeline.search_index fills.

K1, B = 1.2, 0.75
IGNORE = r"""[0-9!@#$%^&*()_+={}\[\]:;<>,.?~\\/\|'"`-]+"""   # the fts extension's default ignore pattern


def terms_sql(expr: str) -> str:
    """SQL splitting ``expr`` into terms as the fts extension does (may yield empty strings)."""
    pattern = IGNORE.replace("'", "''")
    return f"unnest(string_split_regex(regexp_replace(lower({expr}), '{pattern}', ' ', 'g'), '\\s+'))"


_SEARCH_UNITS_SQL = f"""
create or replace macro search_units(q) as table
with qterms as (select distinct term from (select {terms_sql('q')} as term) where term <> ''),
     stats as (select count(*)::double as n, avg(n_terms) as avgdl from search_index),
     hits as (select t.unit_id, t.term, t.tf from search_terms t semi join qterms using (term)),
     df as (select term, count(*)::double as df from hits group by term),
     scored as (
       select h.unit_id, sum(log10((stats.n - df.df + 0.5) / (df.df + 0.5) + 1)
                            * h.tf * ({K1} + 1) / (h.tf + {K1} * (1 - {B} + {B} * s.n_terms / stats.avgdl))) as score
       from hits h join df using (term) join search_index s using (unit_id), stats
       group by h.unit_id)
select s.doc_id, d.source_file, d.district, s.unit_kind, s.problem_no, s.measure_no, c.score,
       coalesce(nullif(regexp_extract(s.text, '[^{SENTENCE_BREAK_CLASS}]*' || regexp_escape(split_part(q, ' ', 1)) || '[^{SENTENCE_BREAK_CLASS}]*[{SENTENCE_END_CLASS}]?'), ''),
                left(s.text, 120)) as sentence,
       s.char_start, s.char_end, s.text
from scored c join search_index s using (unit_id) join documents d using (doc_id)
order by c.score desc, s.doc_id, s.unit_id
"""

MACROS: dict[str, Macro] = {
    "search_units": Macro(
        "Full-text search: problems and measures ranked by BM25 for the space-separated words q, with the "
        "document, problem, the sentence holding the first word, offsets and text.",
        "search_units(q)", _SEARCH_UNITS_SQL),
}
