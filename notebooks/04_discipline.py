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
# # Discipline counts
#
# **Question:** how is discipline meted out per district, by action and by the four forms of oversight
# (监督执纪“四种形态”); where does each number come from (a stated total or the sum of mentions); and what
# funds and institutions do the notices report?

# %% tags=["parameters"]
# set by `analysis report`: the warehouse (None = warehouse.duckdb at the repository root), where charts go
# (None = reports/figures), and whether person names are replaced by stable pseudonyms in every query result
db = None
figures_dir = None
pseudonymize = False
# empty = all
PROVINCES = []
# "district", "city", "province" or "auto" (the finest level with at most TOP_N places)
PLACE_LEVEL = "auto"
# places shown one by one; the rest are pooled into one "其他" bar
TOP_N = 40
# rows shown in the tables below
ROWS = 50

# %%
# ruff: noqa: E402, B018 (notebook: imports follow the parameters cell; a cell's last expression is its output)
from analysis.outputs import nb, plots

con = nb.open_warehouse(db)
q = nb.querier(con, pseudonymize)
ex = nb.Exporter(con, figures_dir, {"provinces": PROVINCES, "place_level": PLACE_LEVEL, "top_n": TOP_N})
pl = nb.use_places(con, PLACE_LEVEL, TOP_N, PROVINCES)

# %% [markdown]
# ## Per place and action (the count to report, with its basis)

# %%
sql = """select p.place, dd.action, dd.basis, sum(dd.count) as count
         from district_discipline dd join place p using (doc_id) group by all order by all"""
dd = q(sql)
fig = plots.bar_counts(dd, "place", "count", hue="action", other=pl.other, title="各地处理人数（按措施）",
                       subtitle=pl.subtitle("Discipline per place by action (summary total, else sum of mentions)"))
ex.save(fig, "discipline_by_action", dd, query=sql)
dd

# %% [markdown]
# ## By form of oversight

# %%
sql = """select p.place, coalesce('第' || ['一', '二', '三', '四'][dd.form] || '种形态', '其他') as form,
                sum(dd.count) as count
         from district_discipline dd join place p using (doc_id) group by all order by all"""
forms = q(sql)
fig = plots.bar_counts(forms, "place", "count", hue="form", other=pl.other, title="各地“四种形态”运用",
                       subtitle=pl.subtitle("Discipline per place by form of oversight"))
ex.save(fig, "discipline_by_form", forms, query=sql)
forms

# %% [markdown]
# ## Per problem: which problems led to discipline (mentions in the body)

# %%
q("""
select d.source_file, a.problem_no, p.heading, a.action, a.count, a.target, a.sentence
from discipline_actions a join documents d using (doc_id) join place using (doc_id)
left join problems p using (doc_id, problem_no)
where a.scope = 'mention' order by d.source_file, a.problem_no limit ?""", ROWS)

# %% [markdown]
# ## Summary totals vs mentions, side by side

# %%
q("""
select a.action, count(distinct a.doc_id) filter (where a.scope = 'summary') as notices_with_summary,
       sum(a.count) filter (where a.scope = 'summary') as summary,
       count(distinct a.doc_id) filter (where a.scope = 'mention') as notices_with_mentions,
       sum(a.count) filter (where a.scope = 'mention') as mentions
from discipline_actions a join place using (doc_id) where a.parent is null group by all order by all""")

# %%
q("""
select a.doc_id, a.action, sum(a.count) filter (where a.scope = 'summary') as summary,
       sum(a.count) filter (where a.scope = 'mention') as mentions
from discipline_actions a join place using (doc_id) where a.parent is null group by all order by all limit ?""",
  ROWS)

# %% [markdown]
# ## Funds and institutions

# %%
sql = """select p.place, f.figure, sum(f.value) as value, count(*) as mentions
         from stated_figures f join place p using (doc_id)
         where f.figure like 'institutions%' group by all order by all"""
inst = q(sql)
fig = plots.bar_counts(inst, "place", "value", hue="figure", other=pl.other, title="各地新建与修订制度数",
                       subtitle=pl.subtitle("Institutions new/revised per place"))
ex.save(fig, "discipline_institutions", inst, query=sql)
inst

# %%
q("""
select p.place, f.figure, count(*) as mentions, sum(f.value) as value, any_value(f.unit) as unit
from stated_figures f join place p using (doc_id)
where f.figure like 'funds%' group by all order by min(p.place_rank), 1, 2""")

# %%
q("""
select d.source_file, f.figure, f.label, f.value, f.unit, f.raw_value, f.raw_unit, f.sentence
from stated_figures f join documents d using (doc_id) join place using (doc_id)
where f.figure like 'funds%' or f.figure like 'institutions%' order by all limit ?""", ROWS)
