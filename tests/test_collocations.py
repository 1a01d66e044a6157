"""Collocations: PMI and log-likelihood on a hand-computed 2×2 table, pair counting on invented token
sequences, the kind filter, term trends, the co-occurrence network chart, and identical collocations and
topics tables from builds with 1 and 2 workers."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis.compare.collocations import association, collocations, kinds_filter_sql
from analysis.compare.trends import term_trends
from analysis.outputs.plots.network import cooccurrence_network, spring_layout
from analysis.pipeline.orchestrate import build


def test_association_on_a_2x2_table():
    # O11 = 10, row total 20, column total 30, N = 100: E11 = 6, O12 = 10, O21 = 20, O22 = 60,
    # E12 = 14, E21 = 24, E22 = 56
    s = association(np.array([10]), np.array([20]), np.array([30]), 100)
    assert s["expected"][0] == pytest.approx(6.0)
    assert s["pmi"][0] == pytest.approx(0.7369655941662062)                 # log2(10/6)
    assert s["g2"][0] == pytest.approx(4.473350049571542)                    # 2 Σ O ln(O/E)
    assert s["p_value"][0] == pytest.approx(0.0344, abs=1e-4)               # chi-square, 1 df
    # independence: O11 = E11 gives PMI 0 and G² 0; a zero cell counts 0 ln 0 = 0
    s = association(np.array([6, 20]), np.array([20, 20]), np.array([30, 20]), 100)
    assert s["pmi"][0] == pytest.approx(0.0, abs=1e-12) and s["g2"][0] == pytest.approx(0.0, abs=1e-12)
    assert s["g2"][1] == pytest.approx(2 * (20 * math.log(20 / 4) + 80 * math.log(80 / 64)))


def _frame(units: list[list[str]], kinds: list[list[str]] | None = None, docs: list[str] | None = None) -> pd.DataFrame:
    rows = []
    for u, toks in enumerate(units):
        for i, t in enumerate(toks):
            rows.append({"doc_id": (docs or ["d"] * len(units))[u], "unit_kind": "measure", "unit_no": u,
                         "position": i, "token": t, "kind": kinds[u][i] if kinds else "content"})
    return pd.DataFrame(rows)


def test_bigram_counts_and_scores():
    # bigrams: 甲乙, 乙丙, 丙甲, 甲乙 | 甲乙 → N = 5; (甲, 乙): O11 = 3, 甲 first 3 times, 乙 second 3 times
    df = collocations(_frame([["甲", "乙", "丙", "甲", "乙"], ["甲", "乙"]]), kinds=None, min_count=1,
                      methods=("bigram",))
    corpus = df[df["scope"] == "corpus"].set_index(["term1", "term2"])
    row = corpus.loc[("甲", "乙")]
    assert (row["count"], row["count1"], row["count2"], row["n_pairs"]) == (3, 3, 3, 5)
    assert row["expected"] == pytest.approx(1.8) and row["pmi"] == pytest.approx(math.log2(3 / 1.8))
    assert row["rank"] == 1
    assert set(corpus.index) == {("甲", "乙"), ("乙", "丙"), ("丙", "甲")}    # never across units


def test_window_pairs_are_unordered_and_symmetric():
    # one unit 甲乙丙, window 2: position pairs (甲,乙), (乙,丙), (甲,丙), each once; counted in both orders N = 6
    df = collocations(_frame([["甲", "乙", "丙"]]), kinds=None, window=2, min_count=1, methods=("window",))
    c = df[df["scope"] == "corpus"]
    assert sorted(zip(c["term1"], c["term2"], strict=True)) == sorted([("丙", "乙"), ("丙", "甲"), ("乙", "甲")])
    assert (c["term1"] < c["term2"]).all() and set(c["count"]) == {1} and set(c["n_pairs"]) == {6}
    assert set(c["count1"]) == {2} and set(c["count2"]) == {2}


def test_other_kinds_keep_their_position_but_pair_with_nothing():
    units = [["甲", "的", "乙"]]
    kinds = [["content", "function", "content"]]
    assert collocations(_frame(units, kinds), min_count=1, methods=("bigram",)).empty
    w = collocations(_frame(units, kinds), min_count=1, window=2, methods=("window",))
    assert list(zip(w["term1"], w["term2"], strict=True))[:1] == [("乙", "甲")]
    everything = collocations(_frame(units, kinds), kinds=None, min_count=1, methods=("bigram",))
    assert {("甲", "的"), ("的", "乙")} <= set(zip(everything["term1"], everything["term2"], strict=True))


def test_groups_have_their_own_marginals_and_min_count():
    units = [["甲", "乙"], ["甲", "乙"], ["甲", "乙"], ["丙", "丁"]]
    docs = ["d1", "d1", "d2", "d2"]
    groups = pd.Series({"d1": "东区", "d2": "西区"})
    df = collocations(_frame(units, docs=docs), groups, kinds=None, min_count=2, methods=("bigram",))
    g = df[df["scope"] == "group"]
    assert list(zip(g["group"], g["term1"], g["term2"], g["count"], g["n_pairs"], strict=True)) == [
        ("东区", "甲", "乙", 2, 2)]                                      # 西区 has each pair once < min_count
    c = df[df["scope"] == "corpus"]
    assert list(zip(c["term1"], c["count"], c["n_pairs"], strict=True)) == [("甲", 3, 4)] and c["group"].isna().all()


@pytest.mark.parametrize(("kinds", "have", "expected"), [
    (("content",), True, "t.kind in ('content')"),
    (("content", "place"), True, "t.kind in ('content', 'place')"),
    (("content",), False, "true"),
    (None, True, "true"),
])
def test_kind_filter_sql(kinds, have, expected):
    assert kinds_filter_sql(kinds, have) == expected


def test_term_trends_relative_frequency():
    counts = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "token": ["整改", "督查", "整改", "整改"],
                           "count": [2, 1, 3, 1]})
    sizes = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "n_tokens": [100, 100, 50, 50]})
    docs = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "inspection_year": [2021, 2022, 2022, None]})
    t = term_trends(counts, sizes, docs, ["整改", "督查"])
    got = {(p if p == p else None, w): (c, n, r, k, m) for p, w, c, n, r, k, m in
           zip(t["period"], t["term"], t["count"], t["n_tokens"], t["per10k"], t["notices_with_term"],
               t["n_notices"], strict=True)}
    assert got[(2021, "整改")] == (2, 100, 200.0, 1, 1)
    assert got[(2022, "整改")][:2] == (4, 150) and got[(2022, "整改")][2] == pytest.approx(4e4 / 150)
    assert got[(2022, "督查")] == (0, 150, 0.0, 0, 2)
    assert got[(None, "整改")] == (0, 50, 0.0, 0, 1)                    # unknown year: its own period


def test_network_layout_is_seeded_and_chart_has_chinese_labels():
    edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4]])
    a = spring_layout(5, edges, np.ones(4), seed=0)
    assert np.array_equal(a, spring_layout(5, edges, np.ones(4), seed=0))
    assert not np.array_equal(a, spring_layout(5, edges, np.ones(4), seed=1))
    df = pd.DataFrame({"term1": ["整改", "整改", "党建"], "term2": ["落实", "责任", "引领"], "g2": [9.0, 4.0, 2.0]})
    fig = cooccurrence_network(df, title="共现网络")
    labels = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"整改", "落实", "责任", "党建", "引领"} <= labels
    empty = cooccurrence_network(df.iloc[0:0], title="共现网络")
    assert any("无数据" in t.get_text() for ax in empty.axes for t in ax.texts)


def test_one_and_two_workers_give_identical_collocations_and_topics(sample_corpus, tmp_path):
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    build(sample_corpus, a, quiet=True, workers=1)
    build(sample_corpus, b, quiet=True, workers=2, full=True)
    rows = []
    for db in (a, b):
        con = duckdb.connect(str(db), read_only=True)
        rows.append({t: con.execute(f"select * from {t} order by all").fetchall()
                     for t in ("collocations", "topics", "topic_terms", "document_topics")})
        con.close()
    assert rows[0] == rows[1] and all(rows[0].values())


def test_stage_equals_the_frame_method_on_the_sample(con):
    tokens = con.execute("select doc_id, unit_kind, unit_no, position, token, kind from tokens "
                         "where unit_kind in ('problem', 'measure')").df()
    groups = con.execute('select doc_id, "group" from document_groups').df().set_index("doc_id")["group"]
    want = collocations(tokens, groups)
    got = con.execute("select * from collocations").df()
    key = ["scope", "group", "method", "term1", "term2"]
    want = want.sort_values(key, na_position="first").reset_index(drop=True)
    got = got.sort_values(key, na_position="first").reset_index(drop=True)
    assert len(got) == len(want) > 0
    assert (got[["term1", "term2", "count", "count1", "count2", "n_pairs", "rank"]].to_numpy()
            == want[["term1", "term2", "count", "count1", "count2", "n_pairs", "rank"]].to_numpy()).all()
    assert np.allclose(got["g2"], want["g2"]) and np.allclose(got["pmi"], want["pmi"])
