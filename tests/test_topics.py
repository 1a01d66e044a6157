"""Topics: NPMI coherence on a toy corpus by hand, NMF topics that separate invented vocabularies,
determinism, and the stage's tables on the sample."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from analysis.compare.topics import fit_topics, npmi_coherence

# presence of terms a, b, c, d (columns) in four units
PRESENCE = sparse.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1]]))


def test_npmi_on_a_toy_corpus():
    # P(a) = 3/4, P(b) = 1/2, P(a,b) = 1/2: NPMI = log(0.5 / 0.375) / −log 0.5 = log(4/3) / log 2
    ab = math.log(4 / 3) / math.log(2)
    # P(a,c) = 1/4, P(a)P(c) = 3/16: log(4/3) / log 4; b and c never together: −1
    ac = math.log(4 / 3) / math.log(4)
    got = npmi_coherence([[0, 1], [0, 1, 2], [0, 3]], PRESENCE)
    assert got[0] == pytest.approx(ab)
    assert got[1] == pytest.approx((ab + ac - 1) / 3)
    assert got[2] == pytest.approx(-1.0)


def _two_vocabularies(n: int = 12) -> tuple[sparse.csr_matrix, list[str], list[str]]:
    vocab = ["党建", "学习", "组织", "党员", "资金", "财务", "票据", "审批"]
    rows = []
    for i in range(n):
        r = np.zeros(len(vocab))
        block = (0, 4) if i % 2 == 0 else (4, 8)
        r[block[0]:block[1]] = 1 + (np.arange(4) + i) % 3
        rows.append(r)
    return sparse.csr_matrix(np.array(rows)), vocab, [f"d{i // 4}" for i in range(n)]


def test_nmf_separates_two_vocabularies_and_is_deterministic():
    x, vocab, docs = _two_vocabularies()
    m = fit_topics(x, vocab, docs, k_min=2, k_max=4, top_n=4)
    assert m.k == 2 and set(m.coherence_by_k) == {2, 3, 4}
    tops = [set(m.topic_terms[m.topic_terms["topic"] == t]["term"]) for t in (1, 2)]
    assert sorted(map(sorted, tops)) == sorted([sorted(vocab[:4]), sorted(vocab[4:])])
    assert m.topics["coherence"].tolist() == pytest.approx([1.0, 1.0])
    shares = m.document_topics.groupby("doc_id")["share"].sum()
    assert np.allclose(shares, 1.0) and sorted(m.document_topics["doc_id"].unique()) == ["d0", "d1", "d2"]
    again = fit_topics(x, vocab, docs, k_min=2, k_max=4, top_n=4)
    assert again.topics.equals(m.topics) and again.topic_terms.equals(m.topic_terms)
    assert again.document_topics.equals(m.document_topics)


def test_too_small_a_corpus_gives_no_model():
    assert fit_topics(sparse.csr_matrix(np.ones((2, 2))), ["甲", "乙"], ["d", "d"]) is None


def test_topics_tables_on_the_sample(con):
    k = con.execute("select count(*), min(k), max(k) from topics").fetchone()
    assert k[0] == k[1] == k[2] >= 2
    n = con.execute("select count(*) from topic_terms").fetchone()[0]
    assert n == k[0] * 10
    bad = con.execute("select doc_id from document_topics group by 1 having abs(sum(share) - 1) > 1e-9").fetchall()
    assert bad == []
    params = con.execute("select parameters from analysis_runs where stage = 'topics'").fetchone()[0]
    assert '"coherence_by_k"' in params
