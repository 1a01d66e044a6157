"""Boilerplate: shares on three tiny notices, formulas, near-duplicates through LSH."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest

from analysis.compare.boilerplate import (
    BOILERPLATE_COLUMNS,
    FORMULA_COLUMNS,
    MAX_BUCKET,
    NUM_PERM,
    SEED,
    THRESHOLD,
    _candidates,
    boilerplate,
    sentence_text,
)
from analysis.genre.sentences import split_pieces


def sentence_key(sentence: str) -> str:
    """The comparison key of a sentence, one character at a time (what the vectorised keys must equal)."""
    return "".join(c for c in sentence_text(sentence) if not (c.isspace() or unicodedata.category(c)[0] in "PSZ"))


def split_sentences(text: str | None) -> list[str]:
    """Sentences of a text as the tables write them (empty pieces dropped)."""
    return [s for s in map(sentence_text, split_pieces(text)) if s] if text else []


def sentence_at(text: str, index: int) -> str:
    """The sentence (as :func:`split_sentences` writes it) numbered ``index`` in ``text``."""
    return sentence_text(split_pieces(text, merge_runs=False)[index])


def near_duplicate_pairs(
    keys: list[str], threshold: float = THRESHOLD, num_perm: int = NUM_PERM, seed: int = SEED,
    max_bucket: int = MAX_BUCKET,
) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of distinct keys whose shingle Jaccard ≥ ``threshold``:
    every LSH candidate that passes the exact check."""
    c = _candidates(keys, threshold, num_perm, seed, max_bucket)
    ok = c.check(np.arange(len(c.i)))
    return sorted(zip(c.i[ok].tolist(), c.j[ok].tolist(), strict=True))

S1 = "坚持把巡察整改作为重大政治任务，严格落实整改主体责任，逐条逐项制定整改措施，确保问题整改落到实处"
S1_VARIANT = (
    "坚持把巡察整改作为重大政治任务，严格落实整改主体责任，逐条逐项细化整改措施，确保问题整改落到实处"
)
S2 = "街道党工委定期听取社区整改情况汇报并审议整改进展报告"
S3 = "完成社区党群服务中心标准化建设改造工程项目"
S4 = "建立社区财务管理台账并每月公开收支明细情况"

UNITS = pd.DataFrame(
    {
        "doc_id": ["A", "A", "B", "B", "C", "C"],
        "unit_kind": ["section", "measure", "section", "measure", "section", "measure"],
        "unit_no": [0, 1001, 0, 1001, 0, 1001],
        "text": [f"一是{S1}。", f"{S2}；短句。", f"（一）{S1_VARIANT}。", S3, S2, f"1.{S4}。{S2}。"],
    }
)
DOCS = pd.DataFrame({"doc_id": ["A", "B", "C"], "district": ["甲区", "乙区", "甲区"]})


def test_split_and_key():
    assert split_sentences("一是强化责任。二是完善制度；\n（三）加强监督") == [
        "强化责任",
        "完善制度",
        "加强监督",
    ]
    assert sentence_key("（一）严格落实“三会一课”， 制度") == "严格落实三会一课制度"


def test_near_duplicates_found():
    keys = [sentence_key(S1), sentence_key(S3), sentence_key(S1_VARIANT)]
    assert near_duplicate_pairs(keys) == [(0, 2)]


def test_boilerplate_shares():
    res = boilerplate(UNITS, DOCS)
    bp = res.boilerplate.set_index("doc_id")
    assert list(res.boilerplate.columns) == BOILERPLATE_COLUMNS
    # A: S1 (near-dup in B, other district) shared, S2 only in C (same district) → 1/2
    assert (bp.loc["A", "n_sentences"], bp.loc["A", "n_shared"]) == (2, 1)
    assert bp.loc["A", "share"] == pytest.approx(0.5)
    # B: S1 variant shared with A, S3 unique → 1/2 ; C: S2 (counted once), S4 → nothing shared
    assert (bp.loc["B", "n_sentences"], bp.loc["B", "n_shared"]) == (2, 1)
    assert (bp.loc["C", "n_sentences"], bp.loc["C", "n_shared"], bp.loc["C", "share"]) == (2, 0, 0.0)
    f = res.boilerplate_formulas
    assert list(f.columns) == FORMULA_COLUMNS
    assert f.iloc[0]["formula"] in (S1, S1_VARIANT)
    assert (f.iloc[0]["n_docs"], f.iloc[0]["n_groups"]) == (2, 2)
    assert (f.iloc[1]["formula"], f.iloc[1]["n_docs"], f.iloc[1]["n_groups"]) == (S2, 2, 1)
    assert len(f) == 2


def test_boilerplate_grouping_and_determinism():
    alone = boilerplate(UNITS, None)  # every notice its own group
    assert alone.boilerplate.set_index("doc_id").loc["C", "n_shared"] == 1
    pd.testing.assert_frame_equal(boilerplate(UNITS, DOCS).boilerplate, boilerplate(UNITS, DOCS).boilerplate)
    empty = boilerplate(UNITS.iloc[:0], DOCS)
    assert empty.boilerplate.empty and empty.boilerplate_formulas.empty


def test_vectorised_keys_equal_sentence_key():
    from analysis.compare.boilerplate import sentence_table

    texts = [
        "一、1.加强管理工作落实到位。\n\n（一）  ，二是完善制度建设和监督机制；；3、落实整改主体责任",
        "①建立健全长效机制确保整改到位！ ②持续巩固成果防止反弹",
        "",
        "  （三）",
        "12.5%的资金已追回，共计3.2万元",
    ]
    table, keys = sentence_table(texts, min_chars=4, keys=True)
    want = [(t, sentence_key(s)) for t, text in enumerate(texts) for s in split_sentences(text)]
    want = [(t, k) for t, k in want if len(k) >= 4]
    assert keys == [k for _, k in want]
    assert table.text.tolist() == [t for t, _ in want]
    assert (table.length == [len(k) for k in keys]).all()
    assert len(set(table.hash.tolist())) == len(set(keys))
    displays = [sentence_at(texts[t], i) for t, i in zip(table.text, table.index, strict=True)]
    assert displays == [s for text in texts for s in split_sentences(text) if len(sentence_key(s)) >= 4]


def test_near_duplicate_tier_is_bounded():
    res = boilerplate(UNITS, DOCS, lsh_max_keys=1)  # only the most used key takes part: no near pair
    bp = res.boilerplate.set_index("doc_id")
    assert bp.loc["A", "n_shared"] == 0 and bp.loc["B", "n_shared"] == 0  # S1 ~ S1_VARIANT not compared
    assert res.boilerplate_formulas["formula"].tolist() == [S2]  # exact repeats still counted
    # a big bucket is chained, not enumerated: the same components
    keys = [sentence_key(S1), sentence_key(S1_VARIANT), sentence_key(S3)]
    assert near_duplicate_pairs(keys, max_bucket=1) == near_duplicate_pairs(keys) == [(0, 1)]


def test_sentence_keys_batch():
    from analysis.compare.boilerplate import sentence_keys

    sents = ["（一）严格落实“三会一课”， 制度", "", "一是 加强 监督！", S1_VARIANT]
    assert sentence_keys(sents) == [sentence_key(s) for s in sents]


def test_pruned_checks_equal_checking_every_candidate():
    """Components and cross-group flags from the pruned rounds of checks equal those of checking
    every LSH candidate."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    from analysis.compare.boilerplate import _near_structure

    words = ["街道", "社区", "党委", "纪工委", "办事处", "居委会", "村", "镇"]
    keys = list(dict.fromkeys(
        sentence_key(S1.replace("巡察", w1).replace("整改", w2)) for w1 in words for w2 in words
    )) + [sentence_key(S3), sentence_key(S4)]
    single = np.array([i % 3 - 1 for i in range(len(keys))])  # −1 (several groups), 0 or 1
    c = _candidates(keys, 0.7, 128, 1, 200)
    lab, flagged, checked = _near_structure(c, len(keys), single, per_round=2)
    ok = c.check(np.arange(len(c.i)))
    i, j = c.i[ok], c.j[ok]
    _, full = connected_components(sparse.csr_matrix((np.ones(len(i)), (i, j)), shape=(len(keys),) * 2))
    assert len(c.i) > checked > 0
    pairs = set(zip(lab.tolist(), full.tolist(), strict=True))
    assert len(pairs) == len(set(full.tolist())) == len(set(lab.tolist())) < len(keys)  # the same partition
    want = np.zeros(len(keys), dtype=bool)
    for x, y in ((i, j), (j, i)):
        want[x[(single[x] >= 0) & ((single[y] < 0) | (single[y] != single[x]))]] = True
    assert (flagged == want).all()
