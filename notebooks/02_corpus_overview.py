# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Corpus overview
#
# **Question:** which places, unit types and years do the notices cover; how long from inspection to feedback
# to publication; and how clean was the parse (recovered dates, damaged headings, coverage)?

# %% tags=["parameters"]
# set by `analysis report`: the warehouse (None = warehouse.duckdb at the repository root), where charts go
# (None = reports/figures), and whether person names are replaced by stable pseudonyms in every query result
db = None
figures_dir = None
pseudonymize = False
# e.g. ["天津市"]; empty = all
PROVINCES = []
# "district", "city", "province" or "auto" (the finest level with at most TOP_N places)
PLACE_LEVEL = "auto"
# places shown one by one; the rest are pooled into one "其他" bar
TOP_N = 40
# notices drawn on the timeline (a random sample when there are more), and the sample's seed
TIMELINE_N = 40
SEED = 0
# rows shown in the tables below
ROWS = 50

# %%
# ruff: noqa: E402, B018 (notebook: imports follow the parameters cell; a cell's last expression is its output)
from analysis.outputs import nb, plots

con = nb.open_warehouse(db)
q = nb.querier(con, pseudonymize)
ex = nb.Exporter(con, figures_dir, {"provinces": PROVINCES, "place_level": PLACE_LEVEL, "top_n": TOP_N})
flt, args = nb.where_filter("province", PROVINCES)
pl = nb.use_places(con, PLACE_LEVEL, TOP_N, PROVINCES)

# %%
sql = """select p.place, coalesce(d.unit_type, 'other') as unit_type, count(*) as notices
         from documents d join place p using (doc_id) group by all order by min(p.place_rank), 1, 2"""
by_place = q(sql)
fig = plots.bar_counts(by_place, "place", "notices", hue="unit_type", other=pl.other, title="各地通报数量",
                       subtitle=pl.subtitle("Notices per place by unit type"))
ex.save(fig, "corpus_notices_by_place", by_place, query=sql)
by_place

# %% [markdown]
# ## From inspection to publication

# %%
sql = """select p.district_label as label, d.inspection_start, d.inspection_end, d.feedback_date, d.publish_date
         from documents d join place p using (doc_id) order by md5(? || d.doc_id) limit ?"""
dates = q(sql, str(SEED), TIMELINE_N)
n_notices = nb.scalar(con, f"select count(*) from documents where {flt}", args)
fig = plots.timeline_intervals(dates, label="label", start="inspection_start", end="inspection_end",
                               feedback="feedback_date", publish="publish_date", title="巡察、反馈与公开的时间",
                               subtitle=nb.subtitle("Inspection → feedback → publication",
                                                    nb.sample_caption(len(dates), n_notices, SEED)))
ex.save(fig, "corpus_timeline", dates, query=sql, seed=SEED, timeline_n=TIMELINE_N)
dates

# %% [markdown]
# Days from the end of the inspection to feedback and from feedback to publication, over all notices
# (medians and quartiles per province, computed in the warehouse).

# %%
q(f"""
with d as (select coalesce(province, '未知') as province, feedback_date - inspection_end as to_feedback,
                  publish_date - feedback_date as to_publication from documents where {flt})
select province, count(*) as notices, count(to_feedback) as with_feedback_gap,
       quantile_cont(to_feedback, [0.25, 0.5, 0.75]) as days_to_feedback_q1_med_q3,
       count(to_publication) as with_publication_gap,
       quantile_cont(to_publication, [0.25, 0.5, 0.75]) as days_to_publication_q1_med_q3
from d group by all order by notices desc, province""", *args)

# %% [markdown]
# ## Data quality: where values came from and what was recovered

# %%
q(f"""
select 'inspection_start' as field, coalesce(split_part(inspection_start_source, ':', 1), '(none)') as source,
       count(*) as notices from documents where {flt} group by all
union all
select 'feedback_date', coalesce(split_part(feedback_date_source, ':', 1), '(none)'), count(*)
from documents where {flt} group by all
union all
select 'publish_date', coalesce(split_part(publish_date_source, ':', 1), '(none)'), count(*)
from documents where {flt} group by all
union all
select 'province', coalesce(split_part(province_source, ':', 1), '(none)'), count(*)
from documents where {flt} group by all
order by field, notices desc""", *(args * 4))

# %%
q(f"""
select source_file, inspection_start_source, feedback_date_source, publish_date_source, province_source
from documents where {flt} order by source_file limit ?""", *args, ROWS)

# %%
sql = f"""select w.kind, count(*) as n from parse_warnings w join documents d using (doc_id) where {flt}
          group by 1 order by 2 desc"""
warn = q(sql, *args)
fig = plots.bar_counts(warn, "kind", "n", top_n=TOP_N, title="解析警告类型", subtitle="Parse warnings by kind")
ex.save(fig, "corpus_parse_warnings", warn, query=sql)
warn

# %%
q(f"""select r.source_file, r.problems_stated, r.problems_found, round(r.coverage, 3) as coverage,
            r.warnings
     from parse_report r join documents d using (doc_id) where {flt}
     order by r.coverage nulls first, r.source_file limit ?""", *args, ROWS)
