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
DB = None
FIGURES = None
# or "problem"
UNIT_KIND = "measure"
# example units per cluster
REPRESENTATIVES = 3

# %%
from analysis import nb, plots

con = nb.open_warehouse(DB)
ex = nb.Exporter(con, FIGURES, {"unit_kind": UNIT_KIND})

# %% [markdown]
# ## Choosing k: the silhouette curve

# %%
sql = "select k, silhouette, chosen from cluster_runs where unit_kind = ? order by k"
curve = nb.query(con, sql, [UNIT_KIND])
chosen = curve.loc[curve.chosen, "k"]
fig = plots.line_curve(curve, "k", "silhouette", highlight=int(chosen.iloc[0]) if len(chosen) else None,
                       title="轮廓系数随聚类数的变化", subtitle=f"Silhouette by k ({UNIT_KIND}s)")
ex.save(fig, f"clusters_silhouette_{UNIT_KIND}", curve, query=sql)
curve

# %% [markdown]
# ## Clusters, their labels and representative units

# %%
terms = nb.query(con, """select t.cluster, t.label, string_agg(t.term, ' ' order by t.rank) as top_terms
    from cluster_terms t join cluster_runs r using (run_id) where r.unit_kind = ? and r.chosen
    group by all order by 1""", [UNIT_KIND])
terms

# %%
nb.query(con, f"""
with c as (select c.*, row_number() over (partition by c.cluster order by c.distance) as rk
           from clusters c join cluster_runs r using (run_id) where r.unit_kind = ? and r.chosen)
select c.cluster, c.rk, c.doc_id, c.unit_no, substr(coalesce(m.text, p.heading), 1, 80) as text
from c left join measures m on c.unit_kind = 'measure' and m.doc_id = c.doc_id
     and m.problem_no * 1000 + m.measure_no = c.unit_no
left join problems p on c.unit_kind = 'problem' and p.doc_id = c.doc_id and p.problem_no = c.unit_no
where c.rk <= {int(REPRESENTATIVES)} order by c.cluster, c.rk""", [UNIT_KIND])

# %% [markdown]
# ## District × cluster share

# %%
sql = """select coalesce(d.district, d.unit, d.source_file) as place, 'C' || c.cluster as cluster,
                count(*) / sum(count(*)) over (partition by place) as share
         from clusters c join cluster_runs r using (run_id) join documents d using (doc_id)
         where r.unit_kind = ? and r.chosen group by place, c.cluster order by place, cluster"""
mat = nb.query(con, sql, [UNIT_KIND])
fig = plots.heatmap(mat, "place", "cluster", "share", title="各地措施类型构成", subtitle="District × cluster share",
                    fmt=".0%")
ex.save(fig, f"clusters_district_share_{UNIT_KIND}", mat, query=sql)

# %% [markdown]
# ## Which districts write alike (cosine of TF-IDF profiles, hierarchical ordering)

# %%
sql = "select * from district_similarity order by order_a, order_b"
sim = nb.query(con, sql)
fig = plots.dendrogram_chart(sim, title="各地措施用语相似度", subtitle="District similarity (1 − cosine, average linkage)")
ex.save(fig, "clusters_district_dendrogram", sim, query=sql)
sim.pivot(index="group_a", columns="group_b", values="cosine").round(2) if len(sim) else sim
