"""The warehouse stages (DuckDB aggregates read in blocks) give the same tables as the in-memory
methods on token frames; sampling and batching paths agree with the direct ones."""

from __future__ import annotations

import json
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from analysis.compare.boilerplate import boilerplate
from analysis.compare.categories import classify_problems
from analysis.compare.clustering import cluster_counts, cluster_units, district_similarity
from analysis.compare.keyness import keyness
from analysis.compare.specificity import measure_specificity
from analysis.compare.termcounts import frame_counts
from analysis.pipeline import stages as cs
from analysis.pipeline.termcounts import duckdb_counts
from analysis.tokens.segment import stopwords
from analysis.tokens.units import vocabulary


@pytest.fixture()
def wh(sample_db, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(sample_db, db)
    con = duckdb.connect(str(db))
    yield con
    con.close()


def _tokens(con, kind=None):
    where = f"where unit_kind = '{kind}'" if kind else ""
    return con.execute(f"select doc_id, unit_kind, unit_no, position, token, pos from tokens {where}").df()


def _groups(con):
    return con.execute(cs.GROUP_SQL).df()


def _table(con, name, order):
    return con.execute(f'select * from "{name}" order by {order}').df()


def test_vocabulary_stage(wh):
    cs.stage_vocabulary(wh)
    got = _table(wh, "vocabulary", "freq desc, token")
    want = vocabulary(_tokens(wh))
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_term_counts_duckdb_equal_frame(wh):
    stop = stopwords("formulaic")
    a = frame_counts(_tokens(wh, "measure"), "measure", stop)
    b = duckdb_counts(wh, "measure", stop)
    try:
        assert b.n_units == a.n_units and list(b.vocab) == list(a.vocab)
        np.testing.assert_array_equal(b.df, a.df)
        starts = [start for start, _ in b.blocks(17)]
        assert starts == list(range(0, a.n_units, 17))
        got = sparse.vstack([m for _, m in b.blocks(17)])
        np.testing.assert_array_equal(got.toarray(), a.matrix.toarray())
        idx = np.array([0, 5, 6, 100, a.n_units - 1])
        np.testing.assert_array_equal(b.rows(idx).toarray(), a.matrix[idx].toarray())
        units = wh.execute(f"select doc_id, unit_no from {b.table} order by u").df()
        assert units["doc_id"].tolist() == a.units["doc_id"].tolist()
        assert units["unit_no"].tolist() == a.units["unit_no"].tolist()
    finally:
        b.close()
    assert "X" not in set(a.vocab) and "XX" not in set(a.vocab)  # placeholders of the template notice


def test_keyness_stage_equals_frame(wh):
    cs.stage_keyness(wh)
    p = cs.PARAMS["keyness"]
    want = keyness(_tokens(wh, p["unit_kind"]), _groups(wh), "group", stopword_level=p["stopword_level"],
                   min_count=p["min_count"])
    got = _table(wh, "keyness", '"group", g2 desc, token')
    assert len(got) == len(want) > 0
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12)
    assert not got["token"].isin(["X", "XX"]).any()


def test_categories_stage_equals_frame(wh):
    # drop the area headings of every other problem so the keyword and centroid rules run too
    wh.execute("update problems set area = null, sub_area = null where problem_no % 2 = 0")
    cs.stage_categories(wh)
    got = _table(wh, "problem_categories", "doc_id, problem_no")
    problems = wh.execute("select doc_id, problem_no, area, sub_area, heading, finding from problems "
                          "order by doc_id, problem_no").df()
    want = classify_problems(problems, _tokens(wh, "problem"))
    assert set(want["rule"]) >= {"area", "keyword", "centroid"}
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_clusters_stage_equals_frame(wh):
    cs.stage_clusters(wh)
    p = cs.PARAMS["clusters"]
    for kind in ("measure", "problem"):
        res = cluster_units(_tokens(wh), kind, range(p["k_range"][0], p["k_range"][1] + 1),
                            stopword_level=p["stopword_level"], min_df=p["min_df"], random_state=p["random_state"],
                            n_init=p["n_init"], fit_sample=p["fit_sample"], silhouette_sample=p["silhouette_sample"])
        run = res.cluster_runs["run_id"].iloc[0]
        got = wh.execute("select * from clusters where run_id = ? order by doc_id, unit_no", [run]).df()
        pd.testing.assert_frame_equal(got, res.clusters, check_dtype=False)
        runs = wh.execute("select * from cluster_runs where run_id = ? order by k", [run]).df()
        pd.testing.assert_frame_equal(runs, res.cluster_runs, check_dtype=False)
        terms = wh.execute("select * from cluster_terms where run_id = ? order by cluster, rank", [run]).df()
        pd.testing.assert_frame_equal(terms, res.cluster_terms, check_dtype=False)
    s = cs.PARAMS["similarity"]
    want = district_similarity(_tokens(wh), _groups(wh), "group", unit_kind=s["unit_kind"],
                               stopword_level=s["stopword_level"], min_df=s["min_df"])
    got = _table(wh, "district_similarity", "order_a, order_b")
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12)
    params = json.loads(wh.execute("select parameters from analysis_runs where stage = 'district_similarity'"
                                   ).fetchone()[0])
    assert params["leaf_order"] == "optimal" and params["n_groups"] == len(set(want["group_a"]))


def test_sampled_fit_and_batched_assignment(wh):
    """Fitting on a sample still assigns every unit; the assignment does not depend on the block
    size, nor on the source (DuckDB blocks or a matrix in memory)."""
    stop = stopwords("formulaic")
    mem = frame_counts(_tokens(wh, "measure"), "measure", stop)
    duck = duckdb_counts(wh, "measure", stop)
    try:
        runs = []
        for tc, batch in ((mem, 10_000), (mem, 7), (duck, 1), (duck, 50)):
            res = cluster_counts(tc, "measure", range(2, 6), fit_sample=60, silhouette_sample=40, n_init=1,
                                 batch_size=batch)
            runs.append(res)
        for r in runs[1:]:
            np.testing.assert_array_equal(r.labels, runs[0].labels)
            np.testing.assert_allclose(r.distances, runs[0].distances, rtol=1e-12)
            pd.testing.assert_frame_equal(r.cluster_runs, runs[0].cluster_runs)
        params = json.loads(runs[0].cluster_runs["params"].iloc[0])
        assert params["n_fit"] == 60 and params["fit_sample"] == 60 and params["n_units"] == mem.n_units
        assert len(runs[0].labels) == mem.n_units > 60
        assert (runs[0].distances >= 0).all() and runs[0].labels.max() >= 1
    finally:
        duck.close()


def test_specificity_stage_equals_frame(wh):
    cs.stage_specificity(wh)
    got = _table(wh, "measure_specificity", "doc_id, problem_no, measure_no")
    measures = wh.execute("select doc_id, problem_no, measure_no, text from measures "
                          "order by doc_id, problem_no, measure_no").df()
    pd.testing.assert_frame_equal(got, measure_specificity(measures), check_dtype=False)
    params = json.loads(wh.execute("select parameters from analysis_runs where stage = 'measure_specificity'"
                                   ).fetchone()[0])
    assert params["n_measures"] == len(measures) and params["n_segmented_again"] == 0


def test_boilerplate_stage_equals_frame(wh):
    cs.stage_boilerplate(wh)
    units = wh.execute("select doc_id, 'document' as unit_kind, 0 as unit_no, text from documents").df()
    want = boilerplate(units, _groups(wh), "group")
    got = _table(wh, "boilerplate", "doc_id")
    pd.testing.assert_frame_equal(got, want.boilerplate, check_dtype=False)
    formulas = wh.execute("select * from boilerplate_formulas").df()
    pd.testing.assert_frame_equal(formulas, want.boilerplate_formulas, check_dtype=False)
    params = json.loads(wh.execute("select parameters from analysis_runs where stage = 'boilerplate'").fetchone()[0])
    assert params["n_keys_near_duplicate_tier"] == params["n_sentence_keys"] > 0
