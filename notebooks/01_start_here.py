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
# # Start here: what is in the corpus, and how to work with it
#
# **Question:** what notices does the warehouse hold, and how do I add notices, rebuild, query and export charts?
#
# - **Add notices:** put `.txt` (any common Chinese encoding), `.html` or `.docx` files into `corpus/`, optionally
#   describe them in `corpus/manifest.csv` (province, city, district, unit, unit_type, source_url, retrieved_on,
#   notes), then run `make build` (only new or changed files are parsed; `make build FULL=1` re-parses all).
# - **Query with SQL:** `analysis sql "select …"` on the command line, or `q("select … ?", value)` in a cell as
#   below; the data dictionary is printed by `analysis schema`.
# - **Charts:** every notebook writes its charts to `reports/figures/` as PNG (300 dpi), SVG and PDF, each with the
#   CSV table behind it and a JSON sidecar saying which query, parameters and corpus produced it.
# - **Rebuild everything:** `make report` builds the warehouse, runs all notebooks and exports every chart.

# %% tags=["parameters"]
# set by `analysis report`: the warehouse (None = warehouse.duckdb at the repository root), where charts go
# (None = reports/figures), and whether person names are replaced by stable pseudonyms in every query result
db = None
figures_dir = None
pseudonymize = False
# rows shown in the per-notice tables (the warehouse may hold thousands of notices)
ROWS = 50

# %%
# ruff: noqa: E402, B018 (notebook: imports follow the parameters cell; a cell's last expression is its output)
from analysis.outputs import nb

con = nb.open_warehouse(db)
q = nb.querier(con, pseudonymize)
q("select key, value from build_info order by key")

# %% [markdown]
# ## The notices
# How many per province, then the first notices (`ROWS` of them) one per row.

# %%
q("""
select coalesce(province, '?') as province, count(*) as notices, count(distinct district) as districts,
       sum(problems_found) as problems, sum(measures_found) as measures
from documents group by all order by notices desc, province""")

# %%
q("""
select source_file, coalesce(province, '?') as province, coalesce(district, '?') as district, unit, unit_type,
       publish_date, problems_stated, problems_found, measures_found
from documents order by province, district, source_file limit ?""", ROWS)

# %% [markdown]
# ## Tables you can query
# Every table and column carries a comment; this is the same list `analysis schema` prints.

# %%
q("""
select t.table_name, t.comment as what, t.estimated_size as rows
from duckdb_tables() t where t.database_name = current_database() order by 1""")

# %% [markdown]
# ## Files that did not load, and what the parser had to recover

# %%
q("select severity, count(*) as files from load_issues group by all order by all")

# %%
q("select severity, source_file, reason from load_issues order by severity, source_file limit ?", ROWS)

# %%
q("select source_file, problems_found, measures_found, round(coverage, 3) as coverage, n_warnings "
  "from parse_report order by source_file limit ?", ROWS)

# %% [markdown]
# ## Any unit in its context
# Every extracted fact keeps character offsets into `documents.text`, so the original wording is one `substr` away.
# (Pick the rows first, then cut the text: sorting rows that carry whole notices is slow on a large corpus.)

# %%
q("""
with picked as (select d.source_file, p.doc_id, p.problem_no, p.heading, m.char_start
                from problems p join measures m using (doc_id, problem_no) join documents d using (doc_id)
                where m.measure_no = 1 order by d.source_file, p.problem_no limit 10)
select f.problem_no, f.heading, substr(d.text, f.char_start + 1, 80) as first_measure_starts
from picked f join documents d using (doc_id) order by f.source_file, f.problem_no""")
