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
# (监督执纪“四种形态”), each person counted once and people apart from cases and cards; where does each
# number come from (a stated total, its components or the sum of mentions); and what funds and
# institutions do the notices report?

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
# ## People disciplined per place and action group (people only, each person once)
#
# `district_discipline` counts each person once: a group total the notice states (党纪处分3人) is not
# added to the components and mentions that break it down (党内警告2人、严重警告1人, 对1名社区主任…).
# Only people are counted here (人, 名 and 位 as 人; 人次 apart): cards, cases and other measures follow.

# %%
sql = """select p.place,
                dd.action_group || case when dd.count_unit = '人' then '' else '（' || dd.count_unit || '）' end
                  as action_group,
                dd.basis, sum(dd.count) as people
         from district_discipline dd join place p using (doc_id)
         where dd.unit_kind = 'people' and dd.measure = 'sanction' and dd.count is not null
         group by all order by all"""
dd = q(sql)
fig = plots.bar_counts(dd, "place", "people", hue="action_group", other=pl.other, title="各地处理人数（按措施）",
                       xlabel="人数（人）/ people",
                       subtitle=pl.subtitle("People disciplined per place by action group, each person once"))
ex.save(fig, "discipline_by_action", dd, query=sql)
dd

# %% [markdown]
# ## People by form of oversight (监督执纪“四种形态”)
#
# From `discipline_people`: the notice's own 四种形态 tally where it states one, else its sanctions and
# treatments; people only.

# %%
sql = """select p.place, coalesce('第' || ['一', '二', '三', '四'][dp.form] || '种形态', '形态未说明') ||
                case when dp.count_unit = '人' then '' else '（' || dp.count_unit || '）' end as form,
                sum(dp.people) as people
         from discipline_people dp join place p using (doc_id)
         where dp.people is not null group by all order by all"""
forms = q(sql)
fig = plots.bar_counts(forms, "place", "people", hue="form", other=pl.other, title="各地“四种形态”运用人数",
                       xlabel="人数（人）/ people",
                       subtitle=pl.subtitle("People per place by form of oversight, each person once"))
ex.save(fig, "discipline_by_form", forms, query=sql)
forms

# %% [markdown]
# ## Cases, cards and the other measures, each in its own unit
#
# 立案 and 了结 are different measures, as are 审查调查, 移送司法, 函询 and referrals; cards (张) and cases
# (件, 起) are not people. Each bar is one measure in one unit; places are stacked only within it.

# %%
sql = """select p.place, dd.action_group || '（' || dd.count_unit || '）' as measure_unit, sum(dd.count) as count
         from district_discipline dd join place p using (doc_id)
         where not (dd.unit_kind = 'people' and dd.measure = 'sanction') and dd.count is not null
         group by all order by all"""
other_measures = q(sql)
fig = plots.bar_counts(other_measures, "measure_unit", "count", hue="place", title="立案、了结、移送与预警卡（各按其单位）",
                       xlabel="数量（单位见各栏：件、起、张、人…）/ count in the unit of each bar",
                       subtitle=pl.subtitle("Cases, cards and other measures, one bar per measure and unit"))
ex.save(fig, "discipline_other_measures", other_measures, query=sql)
other_measures

# %% [markdown]
# ## Where each count comes from (basis) and what the notices name without a number
#
# `basis`: stated_total (a group total the notice states), sum_of_components (its stated components),
# sum_of_mentions (counted from the body). `n_uncounted`: actions the notice names without saying how
# many (对相关责任人员进行约谈): they are never counted as 1.

# %%
q("""
select p.place, dd.measure, dd.action_group, dd.form, dd.count_unit, dd.count, dd.basis, dd.n_rows, dd.n_uncounted
from district_discipline dd join place p using (doc_id) order by all limit ?""", ROWS)

# %% [markdown]
# ## Per problem: which problems led to discipline (mentions in the body)

# %%
q("""
select d.source_file, a.problem_no, p.heading, a.action, a.count, a.unit, a.relation, a.target, a.sentence
from discipline_actions a join documents d using (doc_id) join place using (doc_id)
left join problems p using (doc_id, problem_no)
where a.scope = 'mention' order by d.source_file, a.problem_no limit ?""", ROWS)

# %% [markdown]
# ## Summary totals vs the mentions they hold, side by side

# %%
q("""
select a.action_group, a.tally_unit as unit,
       count(distinct a.doc_id) filter (where a.scope = 'summary') as notices_with_summary,
       sum(a.count) filter (where a.scope = 'summary' and a.parent is null) as summary_totals,
       count(*) filter (where a.scope = 'mention' and a.parent is not null) as mentions_held_by_a_total,
       count(*) filter (where a.scope = 'mention' and a.parent is null) as mentions_on_their_own,
       count(*) filter (where a.count is null) as without_a_number
from discipline_actions a join place using (doc_id) group by all order by all""")

# %%
q("""
select w.doc_id, w.message from parse_warnings w join place using (doc_id)
where w.kind = 'discipline_total_mismatch' order by all limit ?""", ROWS)

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

# %% [markdown]
# ## Problems, measures, tasks and their completion, units inspected, rates (as stated)
#
# Per notice, the first value each figure is stated with: a figure restated later in the notice is
# counted once, not added. The keys and their meanings are listed in the header of
# `analysis/data/stated_figures.csv` (e.g. `problems_not_completed` is 未完成, never 正在推进).

# %%
q("""
select d.source_file, f.figure, arg_min(f.value, f.row_no) as value, any_value(f.unit) as unit,
       count(*) as mentions, arg_min(f.label, f.row_no) as label
from stated_figures f join documents d using (doc_id) join place using (doc_id)
where regexp_matches(f.figure, '^(areas|problems|specific_problems|measures|tasks)_|_inspected$|_rate$')
group by all order by all limit ?""", ROWS)
