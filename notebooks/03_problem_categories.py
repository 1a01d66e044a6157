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
# set by `analysis report`: the warehouse (None = warehouse.duckdb at the repository root), where charts go
# (None = reports/figures), and whether person names are replaced by stable pseudonyms in every query result
db = None
figures_dir = None
pseudonymize = False
# or "sub_category"
LEVEL = "category"
# drop classifications below this confidence
MIN_CONFIDENCE = 0.0
# "district", "city", "province" or "auto" (the finest level with at most TOP_N places)
PLACE_LEVEL = "auto"
# places shown one by one; the rest are pooled into one "其他" row
TOP_N = 40
# discrepancies labelled on the scatter plot
LABELS = 20

# %%
# ruff: noqa: E402, B018 (notebook: imports follow the parameters cell; a cell's last expression is its output)
from analysis.outputs import nb, plots

con = nb.open_warehouse(db)
q = nb.querier(con, pseudonymize)
ex = nb.Exporter(con, figures_dir, {"level": LEVEL, "min_confidence": MIN_CONFIDENCE, "place_level": PLACE_LEVEL,
                                "top_n": TOP_N})
pl = nb.use_places(con, PLACE_LEVEL, TOP_N)

# %%
sql = f"""
with c as (
  select p.place, coalesce(pc.{LEVEL}, '其他') as cat
  from problem_categories pc join place p using (doc_id) where pc.confidence >= ?)
select place, cat, count(*) as n, count(*) / sum(count(*)) over (partition by place) as share
from c group by place, cat order by place, cat"""
shares = q(sql, MIN_CONFIDENCE)
fig = plots.heatmap(shares, "place", "cat", "share", row_order=pl.order, other=pl.other, title="各地问题类别占比",
                    subtitle=pl.subtitle("Share of problems by category"), fmt=".0%")
ex.save(fig, f"categories_share_{LEVEL}", shares, query=sql)
shares

# %% [markdown]
# ## How each problem was classified (rule and confidence)

# %%
q("""select rule, count(*) as n, round(avg(confidence), 2) as mean_confidence
     from problem_categories group by 1 order by 2 desc""")

# %% [markdown]
# ## Problems stated vs enumerated
# One point per distinct (stated, enumerated) pair, counted in the warehouse; its area grows with the notices.

# %%
sql = """select d.problems_stated, d.problems_found, count(*) as notices, min(p.district_label) as place
         from documents d join place p using (doc_id) where d.problems_stated is not null
         group by all order by all"""
sf = q(sql)
fig = plots.scatter_stated_vs_found(sf, "problems_stated", "problems_found", label="place", count="notices",
                                    max_labels=LABELS, title="通报所称问题数与列举问题数",
                                    subtitle="Problems stated vs enumerated")
ex.save(fig, "categories_stated_vs_found", sf, query=sql)
sf
