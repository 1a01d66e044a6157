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
DB = None
FIGURES = None
# e.g. ["天津市"]; empty = all
PROVINCES = []

# %%
from analysis import nb, plots

con = nb.open_warehouse(DB)
ex = nb.Exporter(con, FIGURES, {"provinces": PROVINCES})
flt, args = nb.where_filter("province", PROVINCES)

# %%
sql = f"""select coalesce(province, '未知') as province, coalesce(district, unit, '未知') as place,
                 coalesce(unit_type, 'other') as unit_type, coalesce(cast(inspection_year as varchar), '?') as year,
                 count(*) as notices
          from documents where {flt} group by all order by all"""
by_place = nb.query(con, sql, args)
fig = plots.bar_counts(by_place, "place", "notices", hue="unit_type", title="各地通报数量",
                       subtitle="Notices per district by unit type")
ex.save(fig, "corpus_notices_by_place", by_place, query=sql)
by_place

# %% [markdown]
# ## From inspection to publication

# %%
sql = f"""select coalesce(district, unit, source_file) as label, inspection_start, inspection_end, feedback_date,
                 publish_date from documents where {flt} order by inspection_start nulls last"""
dates = nb.query(con, sql, args)
fig = plots.timeline_intervals(dates, label="label", start="inspection_start", end="inspection_end",
                               feedback="feedback_date", publish="publish_date", title="巡察、反馈与公开的时间",
                               subtitle="Inspection → feedback → publication")
ex.save(fig, "corpus_timeline", dates, query=sql)
dates

# %% [markdown]
# ## Data quality: where values came from and what was recovered

# %%
nb.query(con, f"""
select source_file, inspection_start_source, feedback_date_source, publish_date_source, province_source
from documents where {flt} order by source_file""", args)

# %%
sql = """select w.kind, count(*) as n from parse_warnings w join documents d using (doc_id)
         group by 1 order by 2 desc"""
warn = nb.query(con, sql)
fig = plots.bar_counts(warn, "kind", "n", title="解析警告类型", subtitle="Parse warnings by kind")
ex.save(fig, "corpus_parse_warnings", warn, query=sql)
warn

# %%
nb.query(con, "select source_file, problems_stated, problems_found, round(coverage, 3) as coverage, warnings "
              "from parse_report order by coverage")
