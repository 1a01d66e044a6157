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
# # Measure vocabulary
#
# **Question:** which words does each district use more than the others in its measures (keyness: log-likelihood
# G² with a log-ratio effect size, Benjamini–Hochberg corrected), how specific are the measures, and how much of
# each notice is boilerplate shared with other districts?

# %% tags=["parameters"]
DB = None
FIGURES = None
# terms per district and direction
TOP_N = 12
# significance after correction
ALPHA = 0.05

# %%
from analysis import nb, plots

con = nb.open_warehouse(DB)
ex = nb.Exporter(con, FIGURES, {"top_n": TOP_N, "alpha": ALPHA})

# %% [markdown]
# ## Keyness per district (every district against the rest)

# %%
sql = "select * from keyness order by \"group\", g2 desc"
key = nb.query(con, sql)
fig = plots.keyness_chart(key, group="group", token="token", log_ratio="log_ratio", p_adj="p_adj",
                          count="count_target", top_n=TOP_N, alpha=ALPHA, title="各地措施用语的关键性",
                          subtitle="Keyness of measure vocabulary: log ratio, filled = significant")
ex.save(fig, "vocabulary_keyness", key, query=sql)
key[key.p_adj < ALPHA].head(40)

# %% [markdown]
# ## Most frequent terms

# %%
nb.query(con, "select token, freq, doc_freq, unit_freq from vocabulary order by freq desc limit 30")

# %% [markdown]
# ## Specificity of measures per district

# %%
sql = """select coalesce(d.district, d.unit, d.source_file) as place, s.*
         from measure_specificity s join documents d using (doc_id)"""
spec = nb.query(con, sql)
fig = plots.box_by_group(spec, "place", "score", title="各地整改措施具体程度",
                         subtitle="Specificity of measures (concrete markers vs generic intensifiers)")
ex.save(fig, "vocabulary_specificity", spec, query=sql)
spec.groupby("place")["score"].describe()

# %% [markdown]
# ## Boilerplate: share of each notice's sentences also found in other districts' notices

# %%
sql = """select coalesce(d.district, d.unit, d.source_file) as place, d.source_file, b.n_sentences, b.n_shared,
                b.share from boilerplate b join documents d using (doc_id) order by b.share desc"""
bp = nb.query(con, sql)
fig = plots.bar_counts(bp, "source_file", "share", title="套话占比", subtitle="Boilerplate share per notice")
ex.save(fig, "vocabulary_boilerplate", bp, query=sql)
bp

# %%
nb.query(con, "select * from boilerplate_formulas order by n_docs desc, n_groups desc limit 20")
