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
# set by `analysis report`: the warehouse (None = warehouse.duckdb at the repository root), where charts go
# (None = reports/figures), and whether person names are replaced by stable pseudonyms in every query result
db = None
figures_dir = None
pseudonymize = False
# terms per district and direction
TOP_N = 12
# significance after correction
ALPHA = 0.05
# districts whose keyness is drawn (empty = the KEYNESS_GROUPS with most measure tokens)
GROUPS = []
KEYNESS_GROUPS = 6
# the two districts of the term plot (empty = the two with most measure tokens)
PAIR = []
# "district", "city", "province" or "auto" (the finest level with at most TOP_PLACES places)
PLACE_LEVEL = "auto"
# places (specificity) and notices (boilerplate) shown one by one; the rest are pooled into "其他"
TOP_PLACES = 40
# measures drawn as points per place (a random sample when there are more), and the sample's seed
POINTS = 200
SEED = 0

# %%
# ruff: noqa: E402, B018 (notebook: imports follow the parameters cell; a cell's last expression is its output)
from analysis.outputs import nb, plots

con = nb.open_warehouse(db)
q = nb.querier(con, pseudonymize)
ex = nb.Exporter(con, figures_dir, {"top_n": TOP_N, "alpha": ALPHA, "groups": GROUPS, "place_level": PLACE_LEVEL,
                                "top_places": TOP_PLACES})
pl = nb.use_places(con, PLACE_LEVEL, TOP_PLACES)

# %% [markdown]
# ## Keyness per district (every district against the rest)

# %%
key = nb.keyness_top(con, TOP_N, GROUPS, KEYNESS_GROUPS, pseudonymize=pseudonymize)
fig = plots.keyness_chart(key.data, group="group", token="token", log_ratio="log_ratio", p_adj="p_adj",
                          count="count_target", top_n=TOP_N, alpha=ALPHA, groups=GROUPS or None,
                          title="各地措施用语的关键性",
                          subtitle=nb.subtitle("Keyness of measure vocabulary: log ratio, filled = significant",
                                               key.caption))
ex.save(fig, "vocabulary_keyness", key.data, query=key.query)
q("""select * from keyness where p_adj < ? order by "group", g2 desc limit 40""", ALPHA)

# %% [markdown]
# ## Typical terms per district
# Content words only (no numbers, dates, placeholders, place/organisation/person names, function words or
# one-character fragments; `tokens.kind`). A term is *typical* of a district when it is over-used
# (p_adj < 0.05) **and** used in at least two of the district's notices; a district with one notice is flagged
# `single_notice` and has none. Rows keep raw counts, document frequencies, G², log ratio, p and p_adj.

# %%
q("""select "group", token, count_target, count_reference, docs_target, n_docs_target, round(g2, 2) as g2,
            round(log_ratio, 2) as log_ratio, p_value, p_adj
     from (select *, row_number() over (partition by "group" order by g2 desc, token) as r
           from keyness where typical) where r <= 20 order by "group", r""")

# %%
q("""select "group", any_value(n_docs_target) as notices, bool_or(single_notice) as single_notice,
            count(*) filter (where typical) as typical_terms
     from keyness group by 1 order by 1""")

# %% [markdown]
# ## Two districts side by side (term plot)
# Every content word of the two districts placed by its frequency rank in each (after scattertext); blue and
# vermillion terms are significantly over-used by one of them. The CSV next to the chart holds every point.

# %%
from analysis.compare.keyness import two_group_terms
from analysis.outputs.plots.termplot import term_plot

pair = PAIR or [r[0] for r in con.execute("""select g."group" from tokens t join document_groups g using (doc_id)
    where t.unit_kind = 'measure' and t.kind = 'content' group by 1 order by count(*) desc, 1 limit 2""").fetchall()]
if len(pair) == 2:
    sql = """select t.doc_id, t.token, t.pos, t.kind from tokens t join document_groups g using (doc_id)
             where t.unit_kind = 'measure' and g."group" in (?, ?)"""
    pair_tokens = q(sql, *pair)
    groups = q('select doc_id, "group" from document_groups')
    terms = two_group_terms(pair_tokens, groups, pair[0], pair[1], group="group", min_count=2)
    fig = term_plot(terms, pair[0], pair[1], alpha=ALPHA)
    ex.save(fig, "vocabulary_term_plot", terms, query=sql, pair=pair)
    terms.head(30)

# %% [markdown]
# ## Most frequent terms

# %%
q("select token, kind, freq, doc_freq, unit_freq from vocabulary where kind = 'content' order by freq desc limit 30")

# %% [markdown]
# ## Specificity of measures per place
# Quartiles and whiskers are computed in the warehouse over every measure; the points are a sample.

# %%
sql = """select p.place as "group", s.score as value, s.doc_id || '/' || s.problem_no || '/' || s.measure_no as key
         from measure_specificity s join place p using (doc_id)"""
stats, points, median = nb.box_data(con, sql, points=POINTS, seed=SEED)
fig = plots.box_by_group(points, "group", "value", stats=stats, overall_median=median, other=pl.other,
                         max_points=POINTS, seed=SEED, title="各地整改措施具体程度", xlabel="score",
                         subtitle=pl.subtitle("Specificity of measures (concrete markers vs generic intensifiers)"))
ex.save(fig, "vocabulary_specificity", stats, query=sql, points=POINTS, seed=SEED)
stats

# %% [markdown]
# ## Boilerplate: share of each notice's sentences also found in other districts' notices

# %%
bp = nb.boilerplate_top(con, TOP_PLACES, pseudonymize=pseudonymize)
fig = plots.bar_counts(bp.data, "source_file", "share", other=bp.other, title="套话占比", xlabel="占比 / share",
                       subtitle=nb.subtitle("Boilerplate share per notice", bp.caption))
ex.save(fig, "vocabulary_boilerplate", bp.data, query=bp.query)
bp.data

# %%
q("select * from boilerplate_formulas order by n_docs desc, n_groups desc limit 20")
