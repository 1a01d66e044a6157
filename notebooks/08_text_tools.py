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
# # Text tools: concordance, collocations, topics, term trends and the document-feature matrix
#
# **Question:** how is a word used in the notices (KWIC), which words go together (collocations and the
# co-occurrence network), which topics the problems and measures fall into and how they are shared
# between places and inspection years, how the use of chosen terms changes over the years and rounds,
# and how to take the counts to R, Stata or quanteda (document-feature matrix)?

# %% tags=["parameters"]
# set by `analysis report`: the warehouse (None = warehouse.duckdb at the repository root), where charts go
# (None = reports/figures), and whether person names are replaced by stable pseudonyms in every query result
db = None
figures_dir = None
pseudonymize = False
# the concordance: term, characters of context each side, hits shown
KWIC_TERM = "诫勉谈话"
KWIC_WIDTH = 15
ROWS = 40
# collocations shown, and edges drawn in the co-occurrence network
TOP_PAIRS = 20
NETWORK_EDGES = 50
# terms whose relative frequency is followed over years and rounds
TREND_TERMS = ["整改", "制度", "监督", "党建", "群众"]
# "district", "city", "province" or "auto" (the finest level with at most TOP_PLACES places)
PLACE_LEVEL = "auto"
TOP_PLACES = 40

# %%
# ruff: noqa: E402, B018 (notebook: imports follow the parameters cell; a cell's last expression is its output)
from analysis.compare.trends import term_trends
from analysis.outputs import nb, plots
from analysis.outputs.kwic import group_counts
from analysis.outputs.plots.network import cooccurrence_network

con = nb.open_warehouse(db)
q = nb.querier(con, pseudonymize)
ex = nb.Exporter(con, figures_dir, {"kwic_term": KWIC_TERM, "kwic_width": KWIC_WIDTH, "top_pairs": TOP_PAIRS,
                                    "network_edges": NETWORK_EDGES, "trend_terms": TREND_TERMS,
                                    "place_level": PLACE_LEVEL, "top_places": TOP_PLACES})
pl = nb.use_places(con, PLACE_LEVEL, TOP_PLACES)

# %% [markdown]
# ## Concordance (KWIC)
#
# Every occurrence of the term in the notices' text, summaries and overview included, with its notice, problem,
# measure and offsets into `documents.text` (`analysis kwic TERM --by district --sort left` on the command line).
# Sorted by the left context read outwards from the term.

# %%
hits = q('select * from kwic(?, ?) order by reverse("left"), doc_id, char_start', KWIC_TERM, KWIC_WIDTH)
group_counts(hits)

# %%
hits[["group", "problem_no", "measure_no", "section_kind", "left", "keyword", "right", "char_start"]].head(ROWS)

# %% [markdown]
# ## Collocations (content words of problems and measures)
#
# Bigrams and pairs within a window of 5 tokens, ranked by log-likelihood G², with PMI (table `collocations`).

# %%
q("""select method, term1, term2, count, round(pmi, 2) as pmi, round(g2, 1) as g2
     from collocations where scope = 'corpus' and rank <= ? order by method, rank""", TOP_PAIRS)

# %%
sql = """select term1, term2, count, g2 from collocations
         where scope = 'corpus' and method = 'window' order by rank limit ?"""
pairs = q(sql, NETWORK_EDGES)
fig = cooccurrence_network(pairs, weight="g2", top_edges=NETWORK_EDGES, title="高频词共现网络",
                           subtitle=f"Co-occurrence network: the {NETWORK_EDGES} strongest window pairs (G²)")
ex.save(fig, "text_cooccurrence_network", pairs, query=sql)
fig

# %%
q("""select "group", method, term1, term2, count, round(g2, 1) as g2 from collocations
     where scope = 'group' and rank <= 5 order by "group", method, rank""")

# %% [markdown]
# ## Topics (NMF on TF-IDF, k by NPMI coherence)

# %%
q("select topic, label, round(coherence, 3) as coherence, round(share, 3) as share from topics order by topic")

# %%
q("select parameters from analysis_runs where stage = 'topics'")

# %%
sql = """select p.place, t.label as topic, sum(dt.share) / count(distinct dt.doc_id) as share
         from document_topics dt join topics t using (topic) join place p using (doc_id)
         group by all order by all"""
by_place = q(sql)
fig = plots.heatmap(by_place, "place", "topic", "share", title="各地主题占比",
                    subtitle=pl.subtitle("Mean topic share of the notices of each place"), colorbar_label="share")
ex.save(fig, "text_topics_by_place", by_place, query=sql)
fig

# %%
sql = """select coalesce(d.inspection_year::varchar, '未知') as year, t.label as topic,
                sum(dt.share) / count(distinct dt.doc_id) as share
         from document_topics dt join topics t using (topic) join documents d using (doc_id)
         group by all order by all"""
by_year = q(sql)
fig = plots.heatmap(by_year, "year", "topic", "share", title="各巡察年份主题占比",
                    subtitle="Mean topic share of the notices of each inspection year", colorbar_label="share")
ex.save(fig, "text_topics_by_year", by_year, query=sql)
fig

# %% [markdown]
# ## Term trends by inspection year and by round
#
# Occurrences per 10,000 content words of the notices of each period, with the number of notices.

# %%
counts = q("select doc_id, token, count(*) as count from tokens where token in (select unnest(?::varchar[])) "
           "group by all", TREND_TERMS)
sizes = q("select doc_id, count(*) as n_tokens from tokens where kind = 'content' group by 1")
docs = q("select doc_id, inspection_year, inspection_round from documents")
trend = term_trends(counts, sizes, docs, TREND_TERMS, by="inspection_year")
shown = trend.assign(period=trend["period"].astype("Int64").astype(str).replace("<NA>", "未知"))
fig = plots.bar_counts(shown, "period", "per10k", hue="term", title="关注词的相对频率（按巡察年份）",
                       subtitle="Occurrences per 10,000 content words by inspection year", xlabel="每万词 / per 10k")
ex.save(fig, "text_term_trends_by_year", shown, terms=TREND_TERMS)
trend

# %%
term_trends(counts, sizes, docs, TREND_TERMS, by="inspection_round")

# %% [markdown]
# ## Document-feature matrix
#
# `analysis dfm --by document -o dfm.parquet` (or `--by district`, or `.csv`) writes the long table with the
# document variables, `dfm.mtx` (Matrix Market) and its row and column labels `dfm.rows.csv` and `dfm.cols.csv`;
# in R: `Matrix::readMM("dfm.mtx")`, in Python: `scipy.io.mmread("dfm.mtx")`. The first rows of the long table:

# %%
q("""select t.doc_id, d.district, d.inspection_year, t.token, count(*) as count
     from tokens t join documents d using (doc_id) where t.kind = 'content'
     group by all order by t.doc_id, count desc, t.token limit ?""", ROWS)
