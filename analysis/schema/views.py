"""Views and table macros of the warehouse, declared beside the tables they read."""

from __future__ import annotations

from analysis.genre.sentences import SENTENCE_BREAK_CLASS, SENTENCE_END_CLASS
from analysis.schema.model import Macro, View

_GROUP_NAME = "coalesce(nullif(district, ''), nullif(unit, ''), regexp_replace(source_file, '\\.[^.]*$', ''))"

# The rows a once-per-person count reads: those that add people (tally > 0), those whose number is not
# said (tally NULL, counted in n_uncounted) and top rows stating a zero (诫勉0人); a row whose people
# its parent, its own parts or an earlier mention already count (tally 0) is left out.
_COUNTED_ROWS = '(a.tally is null or a.tally > 0 or (a."count" = 0 and a.parent is null))'

# The weakest basis among the rows counted (a count is only as firm as its softest part).
_BASIS = """case max(case a.basis when 'stated_total' then 0 when 'sum_of_components' then 1
                             when 'sum_of_mentions' then 2 end)
              when 0 then 'stated_total' when 1 then 'sum_of_components' when 2 then 'sum_of_mentions' end"""

# Body of ``create view district_discipline as <this>`` over ``discipline_actions`` and ``documents``:
# one row per document × measure × action group × form × count unit, each person (case, card) counted
# once: the sum of the rows' tallies (discipline_actions.tally: a stated total minus the components and
# mentions it holds, wherever in the notice they stand). ``unit`` is the document's inspected unit; the
# unit of the count is ``count_unit``.
DISTRICT_DISCIPLINE_SQL: str = f"""
select a.doc_id, d.province, d.city, d.district, d.unit,
       a.measure, a.action_group, a.form, a.tally_unit as count_unit, a.unit_kind,
       cast(sum(a.tally) as bigint) as "count",
       {_BASIS} as basis,
       count(a.tally) as n_rows,
       count(*) - count(a.tally) as n_uncounted
from discipline_actions a
left join documents d on d.doc_id = a.doc_id
where {_COUNTED_ROWS}
group by a.doc_id, d.province, d.city, d.district, d.unit, a.measure, a.action_group, a.form, a.tally_unit,
         a.unit_kind
"""

# Body of ``create view discipline_people as <this>``: people only (units of kind people: 人, 名, 位,
# 人次), per document and form. A notice that states its own 四种形态 tally (运用“四种形态”处理41人次，
# 其中第一种形态…) is read from that tally, which already holds every sanctioned person; otherwise from
# its sanctions and treatments (measure sanction). Cases, cards, 函询, 移送司法 and referrals are other
# measures and never counted here.
DISCIPLINE_PEOPLE_SQL: str = f"""
with counted as (
    select a.* from discipline_actions a
    where a.unit_kind = 'people' and a.measure in ('sanction', 'four_forms') and {_COUNTED_ROWS}
),
source as (
    select doc_id, case when bool_or(measure = 'four_forms' and tally is not null) then 'four_forms'
                        else 'sanction' end as measure
    from counted group by doc_id
)
select a.doc_id, d.province, d.city, d.district, d.unit, a.form, a.tally_unit as count_unit,
       cast(sum(a.tally) as bigint) as people,
       {_BASIS} as basis,
       a.measure as source,
       count(a.tally) as n_rows,
       count(*) - count(a.tally) as n_uncounted
from counted a
join source s on s.doc_id = a.doc_id and s.measure = a.measure
left join documents d on d.doc_id = a.doc_id
group by a.doc_id, d.province, d.city, d.district, d.unit, a.form, a.tally_unit, a.measure
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
        "Per document, measure, action group, form of oversight and count unit: the count to report, each person "
        "(case, card) counted once. A group total the notice states is not added to the components and mentions "
        "that break it down (党纪处分3人 … 党内警告2人、严重警告1人 gives 党纪处分 3, by form); components "
        "without a stated total stand for their group. basis: stated_total, sum_of_components or "
        "sum_of_mentions (the weakest among the rows counted). count is NULL, and n_uncounted > 0, where the "
        "notice names the action but not how many. Never add rows of different measure or count_unit.",
        DISTRICT_DISCIPLINE_SQL),
    "discipline_people": View(
        "People disciplined per notice by form of oversight (1–4, NULL when the grade is not said), each person "
        "once, people only (人, 名, 位 as 人; 人次 kept apart): from the notice's own 四种形态 tally where it "
        "states one (source four_forms), else from its sanctions and treatments (source sanction). Cases (件, "
        "起), cards (张), 函询, 移送司法 and referrals are not people counts and are left out; sum people over "
        "the notices of a place for the place.",
        DISCIPLINE_PEOPLE_SQL),
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

# ---------------------------------------------------------------- KWIC (concordance) over documents.text
# Every non-overlapping occurrence of the literal string term (left to right, as str.find), found by
# splitting each text on term: hit i starts after the first i parts and i-1 copies of term. Offsets
# are characters (code points) into documents.text, like every offset of the warehouse.

_KWIC_SQL = """
create or replace macro kwic(term, width) as table
with parts as (
  select doc_id, unnest(p) as part, unnest(range(1, len(p) + 1)) as i, len(p) as n
  from (select doc_id, string_split(text, term) as p from documents
        where length(term) > 0 and contains(text, term))),
hits as (
  select doc_id, i as hit_no,
         (sum(length(part)) over (partition by doc_id order by i) + (i - 1) * length(term))::integer as char_start
  from parts qualify i < n)
select h.doc_id, d.source_file, g."group", d.district, d.inspection_year, h.hit_no,
       (select min(p.problem_no) from problems p
        where p.doc_id = h.doc_id and p.char_start <= h.char_start and h.char_start < p.char_end) as problem_no,
       (select min(m.measure_no) from measures m
        where m.doc_id = h.doc_id and m.char_start <= h.char_start and h.char_start < m.char_end) as measure_no,
       (select arg_max(s.kind, s.level) from sections s
        where s.doc_id = h.doc_id and s.char_start <= h.char_start and h.char_start < s.char_end) as section_kind,
       h.char_start, (h.char_start + length(term))::integer as char_end,
       substr(d.text, greatest(h.char_start - width, 0) + 1, h.char_start - greatest(h.char_start - width, 0))
         as "left",
       substr(d.text, h.char_start + 1, length(term)) as keyword,
       substr(d.text, h.char_start + length(term) + 1, greatest(width, 0)) as "right"
from hits h join documents d using (doc_id) left join document_groups g using (doc_id)
order by h.doc_id, h.char_start
"""

MACROS: dict[str, Macro] = {
    "search_units": Macro(
        "Full-text search: problems, measures and the other sentences of the notices (overview, summaries…) "
        "ranked by BM25 for the space-separated words q, with the document, problem, the sentence holding "
        "the first word, offsets and text.",
        "search_units(q)", _SEARCH_UNITS_SQL),
    "kwic": Macro(
        "Concordance (KWIC): every occurrence of the literal string term in documents.text (summaries and "
        "every other sentence included), with its document, group, problem, measure and section kind, its "
        "offsets into documents.text, and width characters of left and right context.",
        "kwic(term, width)", _KWIC_SQL),
}
