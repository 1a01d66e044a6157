"""TF-IDF clustering: an obvious 2-cluster toy corpus, tiny corpora, group similarity."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from analysis.compare import DEFAULT_GROUP, group_labels
from analysis.compare.clustering import TERM_COLUMNS, cluster_units, district_similarity
from analysis.compare.termcounts import Tfidf, bags_counts
from analysis.schema import TABLES
from analysis.tokens.units import tokenize_units

RUN_COLUMNS = TABLES["cluster_runs"].column_names
CLUSTER_COLUMNS = TABLES["clusters"].column_names
SIMILARITY_COLUMNS = TABLES["district_similarity"].column_names

PARTY = [
    "规范党费收缴，按标准足额交纳党费",
    "严格党费收缴管理，党员按月交纳党费",
    "开展党费收缴专项检查，补交党费",
    "党员党费交纳标准不规范，重新核定党费",
    "建立党费收缴台账，党费按月交纳",
    "党费收缴使用不规范，补交党费",
]
WORKS = [
    "工程项目招投标程序不规范，工程款支付监管",
    "规范工程项目招投标，加强工程款结算审核",
    "工程项目竣工验收不及时，工程款结算滞后",
    "完善工程项目招投标制度，工程款按进度支付",
    "工程项目变更未经审批，工程款超付",
    "加强工程项目招投标监管，工程款审计",
]


def _units() -> pd.DataFrame:
    rows = []
    for i, t in enumerate(PARTY + WORKS):
        doc = ["d1", "d2", "d3"][i % 3]
        rows.append((doc, "measure", 1000 + i, t))
    return pd.DataFrame(rows, columns=["doc_id", "unit_kind", "unit_no", "text"])


DOCS = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "district": ["甲区", "乙区", "甲区"]})


def tfidf_matrix(bags: list[list[str]], min_df: int = 2) -> tuple[sparse.csr_matrix, np.ndarray]:
    """L2-normalised sublinear TF-IDF of pre-tokenised bags and the (sorted) vocabulary.

    ``min_df`` falls back to 1 when it would leave no term (tiny corpora).
    """
    if not bags:
        return sparse.csr_matrix((0, 0)), np.array([], dtype=object)
    tc = bags_counts(bags)
    if len(tc.vocab) == 0:
        return sparse.csr_matrix((len(bags), 0)), np.array([], dtype=object)
    tf = Tfidf.fit(tc, min_df)
    return tf.transform(tc.matrix), tf.vocab


def representatives(clusters: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The ``n`` units closest to each cluster's centroid: ``run_id, cluster, rank, doc_id, unit_kind,
    unit_no, distance`` (as notebook 06 lists them)."""
    c = clusters.sort_values(["run_id", "cluster", "distance", "doc_id", "unit_no"], kind="mergesort")
    c = c.groupby(["run_id", "cluster"], sort=False).head(n).copy()
    c["rank"] = c.groupby(["run_id", "cluster"]).cumcount() + 1
    return c[["run_id", "cluster", "rank", "doc_id", "unit_kind", "unit_no", "distance"]].reset_index(
        drop=True
    )


def group_cluster_shares(
    clusters: pd.DataFrame, documents: pd.DataFrame | None = None, group: str = DEFAULT_GROUP
) -> pd.DataFrame:
    """Group × cluster matrix in long form: ``run_id, group, cluster, n_units, share`` where
    ``share = n_units / units of the group in the run`` (zero cells included)."""
    if len(clusters) == 0:
        return pd.DataFrame(columns=["run_id", "group", "cluster", "n_units", "share"])
    c = clusters.assign(group=group_labels(documents, clusters["doc_id"], group).to_numpy())
    out = []
    for run_id, part in c.groupby("run_id", sort=True):
        tab = pd.crosstab(part["group"], part["cluster"])
        long = tab.stack().rename("n_units").reset_index()
        long["share"] = long["n_units"] / long["group"].map(tab.sum(axis=1))
        long.insert(0, "run_id", run_id)
        out.append(long)
    res = pd.concat(out, ignore_index=True)
    res["n_units"] = res["n_units"].astype("int64")
    return res.sort_values(["run_id", "group", "cluster"], kind="mergesort").reset_index(drop=True)


@pytest.fixture(scope="module")
def tokens() -> pd.DataFrame:
    return tokenize_units(_units(), workers=1)


def test_two_obvious_clusters(tokens):
    res = cluster_units(tokens, "measure", range(2, 6))
    assert list(res.cluster_runs.columns) == RUN_COLUMNS
    assert list(res.clusters.columns) == CLUSTER_COLUMNS
    assert list(res.cluster_terms.columns) == TERM_COLUMNS
    runs = res.cluster_runs
    assert runs["k"].tolist() == [2, 3, 4, 5]
    assert runs.loc[runs.chosen, "k"].tolist() == [2]
    assert runs["silhouette"].notna().all()
    assert json.loads(runs["params"].iloc[0])["random_state"] == 0
    c = res.clusters.sort_values("unit_no")
    labels = c["cluster"].to_numpy()
    assert len(set(labels[:6])) == 1 and len(set(labels[6:])) == 1 and labels[0] != labels[6]
    terms = res.cluster_terms
    top = terms[terms["rank"] == 1].set_index("cluster")["term"]
    assert set(top) == {"党费", "工程款"} or {"党费", "工程项目"} & set(top)
    assert (res.clusters["distance"] >= 0).all()
    reps = representatives(res.clusters, n=2)
    assert len(reps) == 4 and reps["rank"].tolist() == [1, 2, 1, 2]


def test_cluster_determinism(tokens):
    a = cluster_units(tokens, "measure", range(2, 5))
    b = cluster_units(tokens, "measure", range(2, 5))
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_silhouette_sampling_path(tokens):
    res = cluster_units(tokens, "measure", range(2, 4), silhouette_sample=8, minibatch_above=5)
    params = json.loads(res.cluster_runs["params"].iloc[0])
    assert params["algorithm"] == "minibatch" and params["silhouette_sample"] == 8
    assert res.cluster_runs["chosen"].sum() == 1


def test_tiny_corpora(tokens):
    one = tokens[tokens.unit_no == 1000]
    res = cluster_units(one, "measure")
    assert res.cluster_runs["k"].tolist() == [1] and res.cluster_runs["chosen"].all()
    assert res.clusters["cluster"].tolist() == [0]
    same = pd.concat([one.assign(unit_no=n) for n in range(5)], ignore_index=True)
    res = cluster_units(same, "measure")
    assert res.cluster_runs["k"].tolist() == [1] and (res.clusters["cluster"] == 0).all()
    none = cluster_units(tokens, "problem")
    assert all(len(f) == 0 for f in none)
    three = tokens[tokens.unit_no.isin([1000, 1001, 1006])]
    res = cluster_units(three, "measure", range(2, 10))
    assert res.cluster_runs["k"].max() <= 2


def test_group_shares(tokens):
    res = cluster_units(tokens, "measure", range(2, 4))
    shares = group_cluster_shares(res.clusters, DOCS)
    assert set(shares["group"]) == {"甲区", "乙区"}
    np.testing.assert_allclose(shares.groupby("group")["share"].sum(), 1.0)
    assert shares["n_units"].sum() == 12


def test_district_similarity(tokens):
    sim = district_similarity(tokens, DOCS)
    assert list(sim.columns) == SIMILARITY_COLUMNS
    assert len(sim) == 4
    diag = sim[sim.group_a == sim.group_b]["cosine"]
    np.testing.assert_allclose(diag, 1.0)
    ab = sim[(sim.group_a == "甲区") & (sim.group_b == "乙区")]["cosine"].iloc[0]
    ba = sim[(sim.group_a == "乙区") & (sim.group_b == "甲区")]["cosine"].iloc[0]
    assert 0 < ab < 1 and ab == pytest.approx(ba)
    assert sorted(set(sim["order_a"])) == [0, 1]
    single = district_similarity(tokens, None, unit_kind="measure").head(0)
    assert list(single.columns) == SIMILARITY_COLUMNS
    one = district_similarity(tokens[tokens.doc_id == "d2"], DOCS)
    assert len(one) == 1 and one["cosine"].iloc[0] == pytest.approx(1.0)


def test_tfidf_keeps_one_character_tokens():
    x, vocab = tfidf_matrix([["党", "费"], ["党", "工程"]], min_df=1)
    assert "费" in set(vocab) and x.shape == (2, 3)
    x, vocab = tfidf_matrix([["甲"], ["乙"]], min_df=2)  # falls back to min_df=1
    assert x.shape == (2, 2)


def test_silhouette_from_one_distance_matrix():
    """The silhouette computed from one distance matrix equals scikit-learn's, sampled or not."""
    from sklearn.metrics import silhouette_score
    from sklearn.metrics.pairwise import euclidean_distances

    from analysis.compare.clustering import _silhouettes, silhouette_from_distances

    rng = np.random.default_rng(3)
    x = rng.random((120, 6))
    labels = rng.integers(0, 4, 120)
    labels[7] = 9  # a singleton cluster scores 0
    d = euclidean_distances(x)
    np.fill_diagonal(d, 0.0)
    assert silhouette_from_distances(d, labels) == pytest.approx(silhouette_score(d, labels, metric="precomputed"))

    xs = sparse.csr_matrix(x)
    fits = {4: labels, 2: (labels % 2)}
    got = _silhouettes(xs, fits, 50, random_state=0)
    for k, lab in fits.items():
        assert got[k] == pytest.approx(silhouette_score(x, lab, sample_size=50, random_state=0))
