"""Topics: NMF on TF-IDF of content words, with k chosen by NPMI topic coherence on the corpus.

Units (problems and measures) are the documents of the model: X is their TF-IDF matrix (raw term
counts × smoothed idf, rows L2-normalised; terms in at least ``min_df`` units), factorised as
X ≈ W H with W, H ≥ 0 by non-negative matrix factorisation (Lee & Seung 1999; scikit-learn's
coordinate-descent solver, Frobenius loss) from the deterministic NNDSVD start (Boutsidis &
Gallopoulos 2008), so the same corpus always gives the same topics.

For every k in ``k_range`` the topics' top ``top_n`` terms are scored by NPMI coherence
(Bouma 2009; Aletras & Stevenson 2013; Röder et al. 2015) with probabilities from unit
co-occurrence on the same corpus:

    NPMI(a, b) = log(P(a, b) / (P(a) P(b))) / −log P(a, b),   −1 when P(a, b) = 0,

averaged over the pairs of a topic's top terms, then over topics; the k with the highest mean
coherence is kept (ties: the smaller k). A notice's topic shares are the sums of its units' rows
of W, normalised to 1; a topic's corpus share is the sum of its W column over the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfTransformer

from analysis.compare.params import TOPICS

DEFAULTS = TOPICS
"""Default parameters (:mod:`analysis.compare.params`)."""


class TopicModel(NamedTuple):
    """The chosen model: tables and the coherence of every k tried."""

    topics: pd.DataFrame            # topic, label, coherence, share
    topic_terms: pd.DataFrame       # topic, rank, term, weight
    document_topics: pd.DataFrame   # doc_id, topic, share
    coherence_by_k: dict[int, float]
    k: int


def npmi_coherence(top_terms: Sequence[Sequence[int]], presence: sparse.spmatrix) -> np.ndarray:
    """Mean NPMI over the pairs of each topic's top terms; ``presence`` is units × terms (nonzero = present)."""
    b = sparse.csc_matrix(presence != 0, dtype=np.float64)
    n = b.shape[0]
    out = []
    for terms in top_terms:
        terms = list(terms)
        cols = b[:, terms]
        co = (cols.T @ cols).toarray() / n
        p = np.diag(co).copy()
        vals = []
        for i in range(len(terms)):
            for j in range(i + 1, len(terms)):
                pij = co[i, j]
                if pij <= 0:
                    vals.append(-1.0)
                elif pij >= 1:
                    vals.append(1.0)
                else:
                    vals.append(float(np.log(pij / (p[i] * p[j])) / -np.log(pij)))
        out.append(float(np.mean(vals)) if vals else np.nan)
    return np.array(out)


def fit_topics(counts: sparse.spmatrix, vocab: Sequence[str], unit_docs: Sequence[str], *,
               k_min: int = DEFAULTS["k_min"], k_max: int = DEFAULTS["k_max"], top_n: int = DEFAULTS["top_n"],
               min_df: int = DEFAULTS["min_df"], max_iter: int = DEFAULTS["max_iter"], seed: int = DEFAULTS["seed"],
               label_terms: int = DEFAULTS["label_terms"]) -> TopicModel | None:
    """Topics of the units × terms ``counts`` (``unit_docs[u]`` is unit u's document); None when too
    few units or terms for two topics."""
    x = sparse.csr_matrix(counts, dtype=np.float64)
    vocab = np.asarray(vocab, dtype=object)
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    keep = np.flatnonzero(df >= min_df)
    x, vocab = x[:, keep], vocab[keep]
    rows = np.flatnonzero(np.asarray(x.sum(axis=1)).ravel() > 0)
    x = x[rows]
    docs = np.asarray(unit_docs, dtype=object)[rows]
    hi = min(k_max, x.shape[0] - 1, x.shape[1] - 1)
    lo = max(2, k_min)
    if hi < lo:
        return None
    tfidf = TfidfTransformer(sublinear_tf=False).fit_transform(x)
    best = None
    scores: dict[int, float] = {}
    for k in range(lo, hi + 1):
        model = NMF(n_components=k, init="nndsvd", solver="cd", max_iter=max_iter, random_state=seed)
        w = model.fit_transform(tfidf)
        h = model.components_
        top = [np.lexsort((np.arange(h.shape[1]), -row))[:top_n] for row in h]
        coh = npmi_coherence(top, x)
        scores[k] = round(float(np.nanmean(coh)), 12)
        if best is None or scores[k] > scores[best[0]]:
            best = (k, w, h, top, coh)
    k, w, h, top, coh = best
    total = w.sum()
    topics = pd.DataFrame({"topic": np.arange(1, k + 1, dtype=np.int32),
                           "label": ["·".join(vocab[t[:label_terms]]) for t in top],
                           "coherence": coh, "share": w.sum(axis=0) / total if total > 0 else np.nan})
    terms = pd.DataFrame([{"topic": i + 1, "rank": r + 1, "term": vocab[j], "weight": float(h[i, j])}
                          for i, t in enumerate(top) for r, j in enumerate(t)])
    per_doc = pd.DataFrame(w, columns=np.arange(1, k + 1)).assign(doc_id=docs).groupby("doc_id", sort=True).sum()
    sums = per_doc.sum(axis=1).replace(0, np.nan)
    shares = per_doc.div(sums, axis=0).reset_index().melt(id_vars="doc_id", var_name="topic", value_name="share")
    shares["topic"] = shares["topic"].astype(np.int32)
    shares = shares.sort_values(["doc_id", "topic"], kind="mergesort").reset_index(drop=True)
    return TopicModel(topics, terms, shares, scores, k)
