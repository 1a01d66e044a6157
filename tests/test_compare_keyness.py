"""Keyness: G² and Log Ratio by hand, Benjamini–Hochberg by hand, the keyness table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.compare.keyness import KEYNESS_COLUMNS, bh_adjust, keyness, log_likelihood, log_ratio


def test_g2_two_by_two_by_hand():
    # a=10 of c=1000 tokens in the target, b=20 of d=4000 in the reference; N=5000
    # expected: E1 = 1000*30/5000 = 6, E2 = 24, E3 = 1000*4970/5000 = 994, E4 = 3976
    two_cell = 2 * (10 * math.log(10 / 6) + 20 * math.log(20 / 24))
    four_cell = two_cell + 2 * (990 * math.log(990 / 994) + 3980 * math.log(3980 / 3976))
    assert two_cell == pytest.approx(2.92365, abs=1e-4)
    assert four_cell == pytest.approx(2.94379, abs=1e-4)
    assert log_likelihood(10, 20, 1000, 4000, cells=2) == pytest.approx(two_cell)
    assert log_likelihood(10, 20, 1000, 4000) == pytest.approx(four_cell)
    # a zero cell contributes 0·ln 0 = 0
    assert log_likelihood(0, 5, 100, 100) == pytest.approx(
        2 * (5 * math.log(5 / 2.5) + 100 * math.log(100 / 97.5) + 95 * math.log(95 / 97.5))
    )
    # proportional use → G² = 0
    assert log_likelihood(5, 20, 100, 400) == pytest.approx(0.0, abs=1e-12)


def test_log_ratio_by_hand():
    assert log_ratio(10, 20, 1000, 4000) == pytest.approx(1.0)
    assert log_ratio(0, 20, 1000, 4000) == pytest.approx(math.log2((0.5 / 1000) / (20 / 4000)))
    assert log_ratio(4, 0, 100, 100) == pytest.approx(math.log2(4 / 0.5))


def test_benjamini_hochberg_by_hand():
    # sorted: .01 (rank 1), .03 (2), .04 (3), .20 (4); raw m·p/rank = .04, .06, .0533, .20;
    # step-up minimum from the top → .04, .0533, .0533, .20
    got = bh_adjust([0.01, 0.04, 0.03, 0.20])
    np.testing.assert_allclose(got, [0.04, 0.16 / 3, 0.16 / 3, 0.20])
    assert bh_adjust([]).size == 0
    assert bh_adjust([0.9, 0.95])[1] == pytest.approx(0.95)


def _tokens(spec: dict[str, list[str]]) -> pd.DataFrame:
    rows = []
    for doc, toks in spec.items():
        rows += [(doc, "problem", 1, i, t, "n") for i, t in enumerate(toks)]
    return pd.DataFrame(rows, columns=["doc_id", "unit_kind", "unit_no", "position", "token", "pos"])


DOCS = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "district": ["甲区", "乙区", None]})


def test_keyness_table():
    tokens = _tokens(
        {
            "d1": ["党费"] * 8 + ["整改"] * 2 + ["的"] * 5,
            "d2": ["党费"] * 1 + ["整改"] * 9,
            "d3": ["整改"] * 5 + ["工程"] * 5,
        }
    )
    k = keyness(tokens, DOCS, min_count=1)
    assert list(k.columns) == KEYNESS_COLUMNS
    assert set(k["group"]) == {"甲区", "乙区", "d3"}  # null district → doc id
    assert "的" not in set(k["token"])  # function words removed by default
    row = k[(k.group == "甲区") & (k.token == "党费")].iloc[0]
    assert (row.count_target, row.count_reference) == (8, 1)
    assert row.per10k_target == pytest.approx(8 / 10 * 10_000)
    assert row.per10k_reference == pytest.approx(1 / 20 * 10_000)
    assert row.g2 == pytest.approx(float(log_likelihood(8, 1, 10, 20)))
    assert row.log_ratio == pytest.approx(math.log2((8 / 10) / (1 / 20)))
    assert row.direction == "over"
    under = k[(k.group == "甲区") & (k.token == "整改")].iloc[0]
    assert under.direction == "under"
    np.testing.assert_allclose(k["p_adj"], bh_adjust(k["p_value"]))
    assert "against all other" in k.attrs["comparison"]
    # rows of a group are sorted by G²
    g = k[k.group == "甲区"]["g2"].to_numpy()
    assert (np.diff(g) <= 0).all()


def test_keyness_options_and_edge_cases():
    tokens = _tokens({"d1": ["党费"] * 3 + ["整改"], "d2": ["整改"] * 4})
    absent = keyness(tokens, DOCS, min_count=1, include_absent=True, correction="group")
    assert ((absent.group == "乙区") & (absent.token == "党费")).any()
    assert absent[(absent.group == "乙区") & (absent.token == "党费")]["count_target"].iloc[0] == 0
    assert keyness(tokens, DOCS, min_count=100).empty
    one = keyness(tokens[tokens.doc_id == "d1"], DOCS, min_count=1)
    assert one.empty and list(one.columns) == KEYNESS_COLUMNS
    pd.testing.assert_frame_equal(keyness(tokens, DOCS, min_count=1), keyness(tokens, DOCS, min_count=1))


def test_placeholder_tokens_are_not_words():
    from analysis.compare import is_placeholder, placeholder_chars

    assert {"X", "×", "○"} <= set(placeholder_chars())
    assert [is_placeholder(t) for t in ["X", "XX", "××", "○○", "xX", "X区", "社区", "", "XXL"]] == [
        True, True, True, True, True, False, False, False, False]
    # an anonymised template: its masked names would be its "key" words
    tokens = _tokens({"d1": ["X"] * 6 + ["XX"] * 3 + ["街道"] * 3 + ["整改"] * 2, "d2": ["整改"] * 6 + ["街道"]})
    k = keyness(tokens, DOCS, min_count=1)
    assert set(k["token"]) == {"街道", "整改"}
    row = k[(k.group == "甲区") & (k.token == "街道")].iloc[0]
    assert row.per10k_target == pytest.approx(3 / 5 * 10_000)  # corpus size without the placeholders


def test_keyness_counts_equal_token_frame():
    from analysis.compare.keyness import keyness_counts

    tokens = _tokens({"d1": ["党费"] * 8 + ["整改"] * 2, "d2": ["党费"] + ["整改"] * 9, "d3": ["整改"] * 5 + ["工程"] * 5})
    want = keyness(tokens, DOCS, min_count=1)
    groups = np.array(["d3", "乙区", "甲区"], dtype=object)  # sorted
    vocab = np.array(["党费", "工程", "整改"], dtype=object)
    counts = [(2, 0, 8), (2, 2, 2), (1, 0, 1), (1, 2, 9), (0, 2, 5), (0, 1, 5)]  # any order
    gi, ti, a = (np.array(c) for c in zip(*counts, strict=True))
    got = keyness_counts(groups, vocab, gi, ti, a, min_count=1, docs=np.ones(len(a)), n_docs=np.ones(3))
    for col in ("group", "token", "direction"):
        got[col] = got[col].astype(str).astype(object)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)


def test_document_frequencies_typical_and_single_notice():
    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "district": ["甲区", "甲区", "乙区"]})
    tokens = _tokens({"d1": ["党费"] * 20 + ["整改"] * 2 + ["巡察"] * 20,
                      "d2": ["党费"] * 20 + ["整改"] * 2,
                      "d3": ["整改"] * 40 + ["工程"] * 5})
    k = keyness(tokens, docs, min_count=1)
    row = k[(k.group == "甲区") & (k.token == "党费")].iloc[0]
    assert (row.docs_target, row.docs_reference, row.n_docs_target) == (2, 0, 2)
    assert row.typical and not row.single_notice and row.reference == "(rest)" and row.kind == "content"
    one_doc = k[(k.group == "甲区") & (k.token == "巡察")].iloc[0]
    assert one_doc.direction == "over" and one_doc.p_adj < 0.05 and not one_doc.typical  # one notice only
    single = k[k.group == "乙区"]
    assert single["single_notice"].all() and not single["typical"].any()


def test_reference_group():
    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "district": ["甲区", "乙区", "丙区"]})
    tokens = _tokens({"d1": ["党费"] * 8 + ["整改"] * 2, "d2": ["党费"] + ["整改"] * 9,
                      "d3": ["整改"] * 5 + ["工程"] * 5})
    k = keyness(tokens, docs, min_count=1, reference="乙区")
    assert set(k["group"]) == {"甲区", "丙区"} and set(k["reference"]) == {"乙区"}
    row = k[(k.group == "甲区") & (k.token == "党费")].iloc[0]
    assert (row.count_target, row.count_reference) == (8, 1)  # against 乙区 alone
    assert row.g2 == pytest.approx(float(log_likelihood(8, 1, 10, 10)))
    assert row.log_ratio == pytest.approx(math.log2(8 / 1))
    assert "against the district 乙区" in k.attrs["comparison"]
    with pytest.raises(ValueError):
        keyness(tokens, docs, min_count=1, reference="无此区")


def test_content_words_by_default_and_kinds_parameter():
    tokens = _tokens({"d1": ["党费"] * 5 + ["2023"] * 5 + ["安"] * 5, "d2": ["整改"] * 5 + ["2022"] * 5})
    default = keyness(tokens, DOCS, min_count=1)
    assert set(default["token"]) == {"党费", "整改"}
    wider = keyness(tokens, DOCS, min_count=1, kinds=("content", "number"))
    assert {"2023", "2022"} <= set(wider["token"]) and "安" not in set(wider["token"])
    assert set(wider.loc[wider.token == "2023", "kind"]) == {"number"}


def test_two_group_terms_and_plot(tmp_path):
    from analysis.compare.keyness import two_group_terms
    from analysis.outputs.plots.termplot import term_plot

    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3", "d4"], "district": ["甲区", "甲区", "乙区", "乙区"]})
    tokens = _tokens({"d1": ["党费"] * 8 + ["整改"] * 2, "d2": ["党费"] * 3 + ["整改"],
                      "d3": ["整改"] * 5 + ["工程"] * 5, "d4": ["工程"] * 4 + ["整改"]})
    t = two_group_terms(tokens, docs, "甲区", "乙区", min_count=1)
    assert set(t["token"]) == {"党费", "整改", "工程"}
    row = t[t.token == "党费"].iloc[0]
    assert (row.count_a, row.count_b, row.docs_a, row.docs_b) == (11, 0, 2, 0)
    assert row.g2 == pytest.approx(float(log_likelihood(11, 0, 14, 15)))
    assert 0 <= t["rank_a"].min() and t["rank_a"].max() <= 1
    fig = term_plot(t, "甲区", "乙区")
    fig.savefig(tmp_path / "t.png")
    t.to_csv(tmp_path / "t.csv", index=False)
    assert (tmp_path / "t.png").stat().st_size > 0
