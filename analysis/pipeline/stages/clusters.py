"""The clusters stage: k-means clusters of units and the district similarity matrix."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.compare.clustering import GroupProfiles, cluster_counts, group_profiles, similarity_order
from analysis.compare.params import PARAMS, k_values
from analysis.compare.termcounts import Tfidf
from analysis.pipeline.stages.common import (
    record,
    unit_groups,
    write,
)
from analysis.pipeline.termcounts import (
    duckdb_counts,
)
from analysis.tokens.segment import stopwords
from analysis.warehouse.db import insert_sql

SIMILARITY_DESCRIPTION = ("cosine between district TF-IDF profiles (mean of their measures' vectors), average-linkage "
                          "leaf order, optimal leaf ordering up to optimal_order_max groups "
                          "(analysis.compare.clustering)")


def _write_similarity(con: duckdb.DuckDBPyConnection, names: np.ndarray, cos: np.ndarray, pos: np.ndarray,
                      chunk: int = 256) -> None:
    con.execute("delete from district_similarity")
    leaves = np.argsort(pos)
    m = len(names)
    dictionary = pa.array(list(names), pa.string())
    for s in range(0, m, chunk):
        ia = np.repeat(leaves[s : s + chunk], m)
        ib = np.tile(leaves, len(leaves[s : s + chunk]))
        insert_sql(con, "insert into district_similarity (group_a, group_b, cosine, order_a, order_b) "
                      "select group_a, group_b, cosine, order_a, order_b from _arrow", pa.table({
                          "group_a": pa.DictionaryArray.from_arrays(pa.array(ia.astype(np.int32)), dictionary),
                          "group_b": pa.DictionaryArray.from_arrays(pa.array(ib.astype(np.int32)), dictionary),
                          "cosine": pa.array(cos[ia, ib]),
                          "order_a": pa.array(pos[ia].astype(np.int32)),
                          "order_b": pa.array(pos[ib].astype(np.int32))}))


def stage_clusters(con: duckdb.DuckDBPyConnection) -> None:
    """Clusters of measures and problems; district similarity from the measures' TF-IDF profiles, summed
    during the clustering's assignment pass when both use the same TF-IDF."""

    p = PARAMS["clusters"]
    s = PARAMS["similarity"]
    runs, terms = [], []
    con.execute("delete from clusters")
    sim_done = False
    for kind in ("measure", "problem"):
        tc = duckdb_counts(con, kind, stopwords(p["stopword_level"]), kinds=p["kinds"])
        try:
            if tc.n_units == 0:
                continue
            profiles = None
            if (kind, p["stopword_level"], p["min_df"], p["kinds"]) == (s["unit_kind"], s["stopword_level"],
                                                                        s["min_df"], s["kinds"]):
                codes, names = unit_groups(con, tc.table)
                profiles = (GroupProfiles(codes, len(names), len(Tfidf.fit(tc, p["min_df"]).vocab)), names)
            res = cluster_counts(tc, kind, k_values(p),
                                 stopword_level=p["stopword_level"], min_df=p["min_df"],
                                 random_state=p["random_state"], n_init=p["n_init"], fit_sample=p["fit_sample"],
                                 silhouette_sample=p["silhouette_sample"], batch_size=p["batch_size"],
                                 on_block=profiles[0].add if profiles else None)
            runs.append(res.cluster_runs)
            terms.append(res.cluster_terms)
            insert_sql(con, f"""insert into clusters (run_id, doc_id, unit_kind, unit_no, cluster, distance)
                select '{res.run_id}', t.doc_id, '{kind}', t.unit_no, a.cluster, a.distance
                from {tc.table} t join _arrow a using (u) order by t.u""",
                          pa.table({"u": pa.array(np.arange(tc.n_units, dtype=np.int32)),
                                    "cluster": pa.array(res.labels.astype(np.int32)),
                                    "distance": pa.array(res.distances)}))
            if profiles is not None:
                _similarity(con, profiles[0].result(), profiles[1], s)
                sim_done = True
        finally:
            tc.close()
    if not sim_done:

        tc = duckdb_counts(con, s["unit_kind"], stopwords(s["stopword_level"]), kinds=s["kinds"])
        try:
            if tc.n_units:
                codes, names = unit_groups(con, tc.table)
                _similarity(con, group_profiles(tc, codes, len(names), s["min_df"], s["batch_size"]), names, s)
            else:
                _similarity(con, None, np.array([], dtype=object), s)
        finally:
            tc.close()
    write(con, "cluster_runs", pd.concat(runs, ignore_index=True) if runs else pd.DataFrame())
    write(con, "cluster_terms", pd.concat(terms, ignore_index=True) if terms else pd.DataFrame())
    fitted = {r["unit_kind"].iloc[0]: json.loads(r["params"].iloc[0]) for r in runs}  # units and sample per kind
    p = {**p, "n_units": {k: v["n_units"] for k, v in fitted.items()}, "n_fit": {k: v["n_fit"] for k, v in fitted.items()}}
    record(con, "clusters", p, "TF-IDF over lexicon tokens of the given kinds (content words by default; stopwords and placeholders removed), k-means fitted on "
            "a seeded sample of at most fit_sample units with k by sampled silhouette, every unit assigned to the "
            "nearest centre (analysis.compare.clustering)")


def _similarity(con: duckdb.DuckDBPyConnection, prof, names: np.ndarray, s: dict) -> None:

    con.execute("delete from district_similarity")
    if prof is None or len(names) == 0:
        record(con, "district_similarity", {**s, "n_groups": 0}, SIMILARITY_DESCRIPTION)
        return
    cos, pos = similarity_order(prof, s["optimal_order_max"])
    _write_similarity(con, names, cos, pos)
    record(con, "district_similarity", {**s, "n_groups": len(names),
                                         "leaf_order": "optimal" if len(names) <= s["optimal_order_max"]
                                         else "linkage"}, SIMILARITY_DESCRIPTION)
