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
# # Clusters of measures and district similarity
#
# **Question:** what kinds of measures recur across notices (TF-IDF over lexicon tokens, k-means with k chosen by
# silhouette), which districts lean on which kinds, and which districts write alike?

# %% tags=["parameters"]
# set by `analysis report`: the warehouse (None = warehouse.duckdb at the repository root), where charts go
# (None = reports/figures), and whether person names are replaced by stable pseudonyms in every query result
db = None
figures_dir = None
pseudonymize = False
# or "problem"
UNIT_KIND = "measure"
# example units per cluster
REPRESENTATIVES = 3
# "district", "city", "province" or "auto" (the finest level with at most TOP_N places)
PLACE_LEVEL = "auto"
# places shown one by one in the share matrix (the rest pooled into "其他"); districts in the dendrogram
TOP_N = 40

# %%
# ruff: noqa: E402, B018 (notebook: imports follow the parameters cell; a cell's last expression is its output)
from analysis.outputs import nb, plots

con = nb.open_warehouse(db)
q = nb.querier(con, pseudonymize)
ex = nb.Exporter(con, figures_dir, {"unit_kind": UNIT_KIND, "place_level": PLACE_LEVEL, "top_n": TOP_N})
pl = nb.use_places(con, PLACE_LEVEL, TOP_N)

# %% [markdown]
# ## Choosing k: the silhouette curve

# %%
sql = "select k, silhouette, chosen from cluster_runs where unit_kind = ? order by k"
curve = q(sql, UNIT_KIND)
chosen = curve.loc[curve.chosen, "k"]
fig = plots.line_curve(curve, "k", "silhouette", highlight=int(chosen.iloc[0]) if len(chosen) else None,
                       title="轮廓系数随聚类数的变化", subtitle=f"Silhouette by k ({UNIT_KIND}s)")
ex.save(fig, f"clusters_silhouette_{UNIT_KIND}", curve, query=sql)
curve

# %% [markdown]
# ## Clusters, their labels and representative units

# %%
terms = q("""select t.cluster, t.label, string_agg(t.term, ' ' order by t.rank) as top_terms
    from cluster_terms t join cluster_runs r using (run_id) where r.unit_kind = ? and r.chosen
    group by all order by 1""", UNIT_KIND)
terms

# %%
q(f"""
with c as (select c.* from clusters c join cluster_runs r using (run_id) where r.unit_kind = ? and r.chosen
           qualify row_number() over (partition by c.cluster order by c.distance, c.doc_id, c.unit_no)
                   <= {int(REPRESENTATIVES)})
select c.cluster, row_number() over (partition by c.cluster order by c.distance, c.doc_id, c.unit_no) as rk,
       c.doc_id, c.unit_no, substr(coalesce(m.text, p.heading), 1, 80) as text
from c left join measures m on c.unit_kind = 'measure' and m.doc_id = c.doc_id
     and m.problem_no * 1000 + m.measure_no = c.unit_no
left join problems p on c.unit_kind = 'problem' and p.doc_id = c.doc_id and p.problem_no = c.unit_no
order by c.cluster, rk""", UNIT_KIND)

# %% [markdown]
# ## Place × cluster share

# %%
sql = """select p.place, 'C' || c.cluster as cluster, count(*) / sum(count(*)) over (partition by p.place) as share
         from clusters c join cluster_runs r using (run_id) join place p using (doc_id)
         where r.unit_kind = ? and r.chosen group by p.place, c.cluster order by p.place, c.cluster"""
mat = q(sql, UNIT_KIND)
fig = plots.heatmap(mat, "place", "cluster", "share", row_order=pl.order, other=pl.other, title="各地措施类型构成",
                    subtitle=pl.subtitle("Place × cluster share"), fmt=".0%")
ex.save(fig, f"clusters_district_share_{UNIT_KIND}", mat, query=sql)

# %% [markdown]
# ## Which districts write alike (cosine of TF-IDF profiles, hierarchical ordering)

# %%
sim = nb.similarity_top(con, TOP_N, pseudonymize=pseudonymize)
fig = plots.dendrogram_chart(sim.data, title="各地措施用语相似度",
                             subtitle=nb.subtitle("District similarity (1 − cosine, average linkage)", sim.caption))
ex.save(fig, "clusters_district_dendrogram", sim.data, query=sim.query)
sim.data.pivot(index="group_a", columns="group_b", values="cosine").round(2) if len(sim.data) else sim.data
