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
DB = None
FIGURES = None
# empty = all
PROVINCES = []

# %%
from analysis import nb, plots

con = nb.open_warehouse(DB)
ex = nb.Exporter(con, FIGURES, {"provinces": PROVINCES})
flt, args = nb.where_filter("province", PROVINCES)

# %% [markdown]
# ## Per district and action (the count to report, with its basis)

# %%
sql = f"""select coalesce(district, unit, doc_id) as place, action, basis, sum(count) as count
          from district_discipline where {flt} group by all order by all"""
dd = nb.query(con, sql, args)
fig = plots.bar_counts(dd, "place", "count", hue="action", title="各地处理人数（按措施）",
                       subtitle="Discipline per district by action (summary total, else sum of mentions)")
ex.save(fig, "discipline_by_action", dd, query=sql)
dd

# %% [markdown]
# ## By form of oversight

# %%
sql = f"""select coalesce(district, unit, doc_id) as place,
                 coalesce('第' || ['一', '二', '三', '四'][form] || '种形态', '其他') as form, sum(count) as count
          from district_discipline where {flt} group by all order by all"""
forms = nb.query(con, sql, args)
fig = plots.bar_counts(forms, "place", "count", hue="form", title="各地“四种形态”运用",
                       subtitle="Discipline per district by form of oversight")
ex.save(fig, "discipline_by_form", forms, query=sql)
forms

# %% [markdown]
# ## Per problem: which problems led to discipline (mentions in the body)

# %%
nb.query(con, """
select d.source_file, a.problem_no, p.heading, a.action, a.count, a.target, a.sentence
from discipline_actions a join documents d using (doc_id) left join problems p using (doc_id, problem_no)
where a.scope = 'mention' order by d.source_file, a.problem_no""")

# %% [markdown]
# ## Summary totals vs mentions, side by side

# %%
nb.query(con, """
select doc_id, action, sum(count) filter (where scope = 'summary') as summary,
       sum(count) filter (where scope = 'mention') as mentions
from discipline_actions where parent is null group by all order by all""")

# %% [markdown]
# ## Funds and institutions

# %%
sql = """select coalesce(d.district, d.unit, d.source_file) as place, f.figure, f.label, f.value, f.unit,
                f.raw_value, f.raw_unit, f.sentence
         from stated_figures f join documents d using (doc_id)
         where f.figure like 'funds%' or f.figure like 'institutions%' order by all"""
funds = nb.query(con, sql)
fig = plots.bar_counts(funds[funds.figure.str.startswith("institutions")], "place", "value", hue="figure",
                       title="各地新建与修订制度数", subtitle="Institutions new/revised per district")
ex.save(fig, "discipline_institutions", funds, query=sql)
funds
