"""TF-IDF profiles of units, k-means clusters with k chosen by silhouette, and group similarity.

- Units (one ``unit_kind`` or all) are bags of the segmenter's tokens (lexicon terms stay whole,
  one-character tokens kept) minus the stopwords of ``stopword_level``; units left empty are not
  clustered.
- TF-IDF (Salton & Buckley 1988) as in scikit-learn with ``sublinear_tf`` and smoothing:
  ``w(t, u) = (1 + ln tf(t, u)) · (ln((1 + N) / (1 + df(t))) + 1)``, each unit vector L2-normalised.
- k-means (Lloyd 1982, k-means++ seeding, Arthur & Vassilvitskii 2007; mini-batch k-means,
  Sculley 2010, above ``minibatch_above`` units) with fixed ``random_state`` and ``n_init``, for each
  k of ``k_range``; the chosen k maximises the mean silhouette (Rousseeuw 1987)
  ``s(i) = (b(i) − a(i)) / max(a(i), b(i))`` (Euclidean on the normalised vectors; estimated on a
  fixed random sample of ``silhouette_sample`` units when N is larger); ties go to the smaller k.
- Clusters are renumbered 0, 1, … by decreasing size; ``distance`` is the Euclidean distance of a
  unit's vector to its cluster's centroid (mean of its members); a cluster's terms are the highest
  centroid weights and its label the top three joined with ``·``; representatives are the units
  closest to the centroid.
- Group similarity: a group's profile is the mean of its units' TF-IDF vectors, L2-normalised;
  ``cosine = p_a · p_b``; groups are ordered by the leaves of an average-linkage tree on
  ``1 − cosine`` with optimal leaf ordering (Bar-Joseph et al. 2001).

Tiny corpora: k is capped at (number of distinct unit vectors) and at N − 1; with fewer than three
units or fewer than two distinct vectors all units form one cluster (k = 1, silhouette NaN).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score

from analysis.compare import DEFAULT_GROUP, group_labels
from analysis.segment import StopLevel, stopwords

KEY = ["doc_id", "unit_kind", "unit_no"]
RUN_COLUMNS = ["run_id", "unit_kind", "k", "silhouette", "chosen", "params"]
CLUSTER_COLUMNS = ["run_id", "doc_id", "unit_kind", "unit_no", "cluster", "distance"]
TERM_COLUMNS = ["run_id", "cluster", "rank", "term", "weight", "label"]
SIMILARITY_COLUMNS = ["group_a", "group_b", "cosine", "order_a", "order_b"]


class ClusterResult(NamedTuple):
    cluster_runs: pd.DataFrame
    clusters: pd.DataFrame
    cluster_terms: pd.DataFrame


def _identity(doc: list[str]) -> list[str]:
    return doc


def unit_bags(
    tokens: pd.DataFrame, unit_kind: str | None = None, stopword_level: StopLevel = "formulaic"
) -> tuple[pd.DataFrame, list[list[str]]]:
    """Units (``doc_id, unit_kind, unit_no``, sorted) and their token lists in position order."""
    t = tokens if unit_kind is None else tokens[tokens["unit_kind"] == unit_kind]
    stop = stopwords(stopword_level)
    if stop:
        t = t[~t["token"].isin(stop)]
    if len(t) == 0:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in KEY}), []
    t = t.sort_values([*KEY, "position"], kind="mergesort")
    keys = t[KEY].reset_index(drop=True)
    new = (keys != keys.shift()).any(axis=1).to_numpy()
    starts = np.flatnonzero(new)
    toks = t["token"].to_numpy(dtype=object)
    bounds = np.append(starts, len(toks))
    bags = [list(toks[bounds[i] : bounds[i + 1]]) for i in range(len(starts))]
    units = keys.iloc[starts].reset_index(drop=True)
    return units, bags


def tfidf_matrix(bags: list[list[str]], min_df: int = 2) -> tuple[sparse.csr_matrix, np.ndarray]:
    """L2-normalised sublinear TF-IDF of pre-tokenised bags and the (sorted) vocabulary.

    ``min_df`` falls back to 1 when it would leave no term (tiny corpora).
    """
    if not bags:
        return sparse.csr_matrix((0, 0)), np.array([], dtype=object)
    for df in (min_df, 1) if min_df > 1 else (1,):
        vec = TfidfVectorizer(
            analyzer=_identity, token_pattern=None, lowercase=False, min_df=df, sublinear_tf=True, norm="l2"
        )
        try:
            x = vec.fit_transform(bags)
        except ValueError:  # no term left after pruning
            continue
        return x.tocsr(), vec.get_feature_names_out().astype(object)
    return sparse.csr_matrix((len(bags), 0)), np.array([], dtype=object)


def _n_distinct_rows(x: sparse.csr_matrix, cap: int) -> int:
    """Number of distinct rows, counting at most ``cap`` (enough to bound k)."""
    seen: set[tuple] = set()
    for i in range(x.shape[0]):
        s, e = x.indptr[i], x.indptr[i + 1]
        seen.add((x.indices[s:e].tobytes(), np.round(x.data[s:e], 10).tobytes()))
        if len(seen) >= cap:
            break
    return len(seen)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Relabel clusters 0.. by decreasing size, ties by first occurrence."""
    uniq, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(len(uniq)), key=lambda i: (-counts[i], first[i]))
    mapping = {uniq[i]: new for new, i in enumerate(order)}
    return np.array([mapping[v] for v in labels], dtype=np.int64)


def _centroids(x: sparse.csr_matrix, labels: np.ndarray, k: int) -> np.ndarray:
    ind = sparse.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels)))
    sums = np.asarray((ind @ x).todense())
    sizes = np.asarray(ind.sum(axis=1)).ravel()
    return sums / np.maximum(sizes, 1)[:, None]


def _distances(x: sparse.csr_matrix, labels: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    c = centroids[labels]
    sq = np.asarray(x.multiply(x).sum(axis=1)).ravel()
    cross = np.asarray(x.multiply(c).sum(axis=1)).ravel()
    return np.sqrt(np.maximum(sq - 2 * cross + (c * c).sum(axis=1), 0.0))


def _frame(spec: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in spec.items()})


def _empty_result() -> ClusterResult:
    runs = _frame(
        {"run_id": "object", "unit_kind": "object", "k": "int64", "silhouette": "float64", "chosen": "bool",
         "params": "object"}
    )  # fmt: skip
    clusters = _frame(
        {"run_id": "object", "doc_id": "object", "unit_kind": "object", "unit_no": "int64", "cluster": "int64",
         "distance": "float64"}
    )  # fmt: skip
    terms = _frame(
        {"run_id": "object", "cluster": "int64", "rank": "int64", "term": "object", "weight": "float64",
         "label": "object"}
    )  # fmt: skip
    return ClusterResult(runs, clusters, terms)


def cluster_units(
    tokens: pd.DataFrame,
    unit_kind: str | None = "measure",
    k_range: Iterable[int] = range(2, 13),
    *,
    stopword_level: StopLevel = "formulaic",
    min_df: int = 2,
    random_state: int = 0,
    n_init: int = 4,
    silhouette_sample: int = 5000,
    minibatch_above: int = 20_000,
    n_terms: int = 10,
    run_id: str | None = None,
) -> ClusterResult:
    """Cluster the units of ``unit_kind`` (``None``: all kinds) for every k of ``k_range``.

    Returns the frames of tables ``cluster_runs`` (one row per k tried; ``chosen`` marks the best),
    ``clusters`` (membership and distance under the chosen k) and ``cluster_terms``.
    """
    units, bags = unit_bags(tokens, unit_kind, stopword_level)
    n = len(bags)
    if n == 0:
        return _empty_result()
    x, vocab = tfidf_matrix(bags, min_df)
    ks_wanted = sorted({int(k) for k in k_range if int(k) >= 2})
    algorithm = "minibatch" if n > minibatch_above else "lloyd"
    params = {
        "stopword_level": stopword_level,
        "min_df": min_df,
        "random_state": random_state,
        "n_init": n_init,
        "algorithm": algorithm,
        "silhouette_sample": silhouette_sample if n > silhouette_sample else None,
        "k_range": ks_wanted,
        "n_units": n,
        "n_terms_vocabulary": int(len(vocab)),
        "tfidf": "sublinear_tf, smooth_idf, l2",
    }
    params_json = json.dumps(params, ensure_ascii=False, sort_keys=True)
    kind_label = unit_kind or "all"
    if run_id is None:
        fingerprint = hashlib.sha1((kind_label + params_json).encode("utf-8")).hexdigest()[:10]
        run_id = f"{kind_label}-{fingerprint}"
    k_max = min(max(ks_wanted, default=1), n - 1)
    if k_max >= 2 and x.shape[1] > 0:
        k_max = min(k_max, _n_distinct_rows(x, cap=k_max + 1))
    ks = [k for k in ks_wanted if k <= k_max]
    curve: list[tuple[int, float]] = []
    fits: dict[int, np.ndarray] = {}
    for k in ks:
        if algorithm == "minibatch":
            model = MiniBatchKMeans(n_clusters=k, n_init=n_init, random_state=random_state, batch_size=2048)
        else:
            model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state, algorithm="lloyd")
        labels = model.fit_predict(x)
        fits[k] = labels
        if len(np.unique(labels)) < 2:
            curve.append((k, float("nan")))
            continue
        sample = silhouette_sample if n > silhouette_sample else None
        s = silhouette_score(x, labels, metric="euclidean", sample_size=sample, random_state=random_state)
        curve.append((k, float(s)))
    if curve and any(np.isfinite(s) for _, s in curve):
        best_k = max(((k, s) for k, s in curve if np.isfinite(s)), key=lambda ks_: (ks_[1], -ks_[0]))[0]
        labels = fits[best_k]
    else:
        best_k = 1
        labels = np.zeros(n, dtype=np.int64)
        curve = [(1, float("nan"))]
    labels = _renumber(labels)
    k_eff = int(labels.max()) + 1
    cents = _centroids(x, labels, k_eff) if x.shape[1] else np.zeros((k_eff, 0))
    dist = _distances(x, labels, cents) if x.shape[1] else np.zeros(n)

    runs = pd.DataFrame(
        {
            "run_id": run_id,
            "unit_kind": kind_label,
            "k": [k for k, _ in curve],
            "silhouette": [s for _, s in curve],
            "chosen": [k == best_k for k, _ in curve],
            "params": params_json,
        }
    )
    clusters = pd.DataFrame(
        {
            "run_id": run_id,
            "doc_id": units["doc_id"].to_numpy(dtype=object),
            "unit_kind": units["unit_kind"].to_numpy(dtype=object),
            "unit_no": units["unit_no"].to_numpy(dtype=np.int64),
            "cluster": labels,
            "distance": dist,
        }
    )
    rows = []
    for c in range(k_eff):
        w = cents[c]
        order = sorted((i for i in range(len(w)) if w[i] > 0), key=lambda i: (-w[i], vocab[i]))[:n_terms]
        label = "·".join(str(vocab[i]) for i in order[:3])
        rows.extend((run_id, c, r + 1, str(vocab[i]), float(w[i]), label) for r, i in enumerate(order))
    terms = pd.DataFrame(rows, columns=TERM_COLUMNS)
    if terms.empty:
        terms = _empty_result().cluster_terms
    return ClusterResult(runs, clusters, terms)


def representatives(clusters: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The ``n`` units closest to each cluster's centroid: ``run_id, cluster, rank, doc_id, unit_kind,
    unit_no, distance``."""
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


def district_similarity(
    tokens: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    group: str = DEFAULT_GROUP,
    *,
    unit_kind: str | None = None,
    stopword_level: StopLevel = "formulaic",
    min_df: int = 2,
) -> pd.DataFrame:
    """Cosine similarity between group TF-IDF profiles, every ordered pair (self included), with
    each group's position in the hierarchical leaf order (``order_a``, ``order_b``)."""
    units, bags = unit_bags(tokens, unit_kind, stopword_level)
    if not bags:
        return _frame(
            {
                "group_a": "object",
                "group_b": "object",
                "cosine": "float64",
                "order_a": "int64",
                "order_b": "int64",
            }
        )
    x, _ = tfidf_matrix(bags, min_df)
    g = group_labels(documents, units["doc_id"], group).to_numpy()
    names, inv = np.unique(g, return_inverse=True)
    m = len(names)
    ind = sparse.csr_matrix((np.ones(len(inv)), (inv, np.arange(len(inv)))), shape=(m, len(inv)))
    prof = ind @ x
    prof = sparse.diags(1.0 / np.maximum(np.asarray(ind.sum(axis=1)).ravel(), 1)) @ prof
    norms = np.sqrt(np.asarray(prof.multiply(prof).sum(axis=1)).ravel())
    prof = sparse.diags(np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1), 0.0)) @ prof
    cos = np.clip(np.asarray((prof @ prof.T).todense()), 0.0, 1.0)
    if m >= 2:
        dist = 1.0 - cos
        np.fill_diagonal(dist, 0.0)
        dist = (dist + dist.T) / 2
        tree = linkage(squareform(dist, checks=False), method="average", optimal_ordering=True)
        leaves = leaves_list(tree)
    else:
        leaves = np.arange(m)
    pos = np.empty(m, dtype=np.int64)
    pos[leaves] = np.arange(m)
    ia, ib = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
    ia, ib = ia.ravel(), ib.ravel()
    out = pd.DataFrame(
        {
            "group_a": names[ia].astype(object),
            "group_b": names[ib].astype(object),
            "cosine": cos[ia, ib],
            "order_a": pos[ia],
            "order_b": pos[ib],
        }
    )
    return out.sort_values(["order_a", "order_b"], kind="mergesort").reset_index(drop=True)
