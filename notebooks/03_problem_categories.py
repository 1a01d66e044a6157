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
# # Problem categories
#
# **Question:** which categories of problems (党的领导, 党的建设, 全面从严治党 …) dominate in which district,
# and do notices enumerate as many problems as they say they were given?

# %% tags=["parameters"]
DB = None
FIGURES = None
# or "sub_category"
LEVEL = "category"
# drop classifications below this confidence
MIN_CONFIDENCE = 0.0

# %%
from analysis import nb, plots

con = nb.open_warehouse(DB)
ex = nb.Exporter(con, FIGURES, {"level": LEVEL, "min_confidence": MIN_CONFIDENCE})

# %%
sql = f"""
with c as (
  select coalesce(d.district, d.unit, d.source_file) as place, coalesce(pc.{LEVEL}, '其他') as cat
  from problem_categories pc join documents d using (doc_id) where pc.confidence >= ?)
select place, cat, count(*) as n, count(*) / sum(count(*)) over (partition by place) as share
from c group by place, cat order by place, cat"""
shares = nb.query(con, sql, [MIN_CONFIDENCE])
fig = plots.heatmap(shares, "place", "cat", "share", title="各地问题类别占比", subtitle="Share of problems by category",
                    fmt=".0%")
ex.save(fig, f"categories_share_{LEVEL}", shares, query=sql)
shares

# %% [markdown]
# ## How each problem was classified (rule and confidence)

# %%
nb.query(con, """select rule, count(*) as n, round(avg(confidence), 2) as mean_confidence
                 from problem_categories group by 1 order by 2 desc""")

# %% [markdown]
# ## Problems stated vs enumerated

# %%
sql = """select coalesce(district, unit, source_file) as place, problems_stated, problems_found from documents
         where problems_stated is not null"""
sf = nb.query(con, sql)
fig = plots.scatter_stated_vs_found(sf, "problems_stated", "problems_found", label="place",
                                    title="通报所称问题数与列举问题数", subtitle="Problems stated vs enumerated")
ex.save(fig, "categories_stated_vs_found", sf, query=sql)
sf
