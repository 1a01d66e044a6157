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
# # SQL cookbook
#
# **Question:** how do I ask my own questions of the warehouse? A dozen ready DuckDB queries to adapt. Each cell
# is plain SQL run with `q(...)`; copy one into `analysis sql "…"` to run it from the shell, add `--csv` to export.

# %% tags=["parameters"]
# set by `analysis report`: the warehouse (None = warehouse.duckdb at the repository root), where charts go
# (None = reports/figures), and whether person names are replaced by stable pseudonyms in every query result
db = None
figures_dir = None
pseudonymize = False
PROVINCE = "浙江省"
ACTION = "诫勉谈话"
CATEGORY = "全面从严治党"
DISTRICT_A = "滨海新区"
DISTRICT_B = "普陀区"
PHRASE = "诫勉谈话"
# rows returned by the list queries (a corpus of thousands of notices would print thousands of rows)
ROWS = 50

# %%
# ruff: noqa: E402, B018 (notebook: imports follow the parameters cell; a cell's last expression is its output)
from analysis.outputs import nb

con = nb.open_warehouse(db)
q = nb.querier(con, pseudonymize)


# %% [markdown]
# ### 1. Every 诫勉 in a province, with its sentence

# %%
q("""select d.district, d.unit, a.action, a.count, a.count_stated, a.scope, a.relation, a.target, a.sentence
     from discipline_actions a join documents d using (doc_id)
     where d.province = ? and a.action like '%诫勉%' order by all limit ?""", PROVINCE, ROWS)

# %% [markdown]
# ### 2. Compare two districts' measures on one problem category

# %%
q("""select d.district, p.heading, m.measure_no, m.text
     from measures m join problems p using (doc_id, problem_no) join documents d using (doc_id)
     join problem_categories c using (doc_id, problem_no)
     where c.category = ? and d.district in (?, ?) order by d.district, p.problem_no, m.measure_no limit ?""",
  CATEGORY, DISTRICT_A, DISTRICT_B, ROWS)

# %% [markdown]
# ### 3. Full-text search for a phrase (BM25), linked to the sentence and its offsets

# %%
q("""select * from search_units(?) limit 10""", PHRASE)

# %% [markdown]
# ### 4. Discipline per district, as a researcher would tabulate it

# %%
# each person (case, card) counted once; never add rows of different measure or count_unit
q("""select district, unit, measure, action_group, form, count, count_unit, basis, n_uncounted
     from district_discipline order by all limit ?""", ROWS)

# %% [markdown]
# ### 4b. People disciplined per district by form of oversight (people only)

# %%
q("""select district, form, count_unit, sum(people) as people, count(distinct doc_id) as notices
     from discipline_people group by all order by all limit ?""", ROWS)

# %% [markdown]
# ### 5. Notices whose enumerated problems differ from what they state

# %%
q("""select source_file, problems_stated, problems_found, problems_found - problems_stated as gap
     from documents where problems_stated is not null and problems_stated <> problems_found
     order by abs(problems_found - problems_stated) desc, source_file limit ?""", ROWS)

# %% [markdown]
# ### 6. Measures with a deadline and a cited document

# %%
q("""select d.district, m.problem_no, m.measure_no, m.text from measures m join documents d using (doc_id)
     where m.has_date_or_deadline and m.cites_document limit 20""")

# %% [markdown]
# ### 7. The longest and shortest notices' rectification sections

# %%
q("""select source_file, n_chars, problems_found, measures_found,
            round(measures_found / nullif(problems_found, 0), 2) as measures_per_problem
     from documents order by measures_per_problem desc nulls last, source_file limit ?""", ROWS)

# %% [markdown]
# ### 8. A problem in its original wording (offsets into documents.text)

# %%
q("""select p.doc_id, p.problem_no, substr(d.text, p.char_start + 1, p.char_end - p.char_start) as original
     from problems p join documents d using (doc_id) order by p.doc_id, p.problem_no limit 3""")

# %% [markdown]
# ### 9. Funds recovered per district, in yuan

# %%
q("""select d.district, f.label, f.value as yuan, f.raw_value || f.raw_unit as as_written
     from stated_figures f join documents d using (doc_id) where f.figure like 'funds%'
     order by f.value desc nulls last, d.source_file limit ?""", ROWS)

# %% [markdown]
# ### 10. Problem categories per province

# %%
q("""select d.province, c.category, count(*) as problems from problem_categories c join documents d using (doc_id)
     group by all order by all""")

# %% [markdown]
# ### 11. Tokens most typical of one district (keyness)

# %%
q("""select token, count_target, round(log_ratio, 2) as log_ratio, p_adj from keyness
     where "group" = ? and direction = 'over' order by g2 desc limit 15""", DISTRICT_A)

# %% [markdown]
# ### 12. Where the parser had to recover damaged text

# %%
q("""select d.source_file, w.kind, w.message, substr(d.text, w.char_start + 1, 40) as at_text
     from parse_warnings w join documents d using (doc_id) where w.char_start is not null order by all limit ?""",
  ROWS)
