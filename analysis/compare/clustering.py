"""TF-IDF profiles of units, k-means clusters with k chosen by silhouette, and group similarity.

- Units (one ``unit_kind`` or all) are bags of the segmenter's tokens of ``kinds`` (default content
  words, :mod:`analysis.tokens.kinds`: no numbers, dates, names, function words or one-character
  fragments) minus the stopwords of ``stopword_level`` and the placeholder tokens of
  anonymised notices (``X``, ``XX``…; :func:`analysis.compare.is_placeholder`); units left empty
  are not clustered.
- TF-IDF (Salton & Buckley 1988) as in scikit-learn with ``sublinear_tf`` and smoothing:
  ``w(t, u) = (1 + ln tf(t, u)) · (ln((1 + N) / (1 + df(t))) + 1)``, each unit vector L2-normalised;
  N and df(t) count all N units, terms in fewer than ``min_df`` units are dropped.
- Fitting sample: when N exceeds ``fit_sample``, k-means is fitted on a seeded uniform sample of
  ``fit_sample`` units (``numpy.random.RandomState(random_state).choice`` without replacement) and
  every unit is then assigned to the nearest fitted centre, block by block (``predict``), so the
  clusters still cover all N units; otherwise the fit sees every unit. The sample size is in the
  run's ``params`` (``n_fit``).
- k-means (Lloyd 1982, k-means++ seeding, Arthur & Vassilvitskii 2007; mini-batch k-means,
  Sculley 2010, above ``minibatch_above`` fitted units) with fixed ``random_state`` and ``n_init``,
  for each k of ``k_range``; the chosen k maximises the mean silhouette (Rousseeuw 1987)
  ``s(i) = (b(i) − a(i)) / max(a(i), b(i))`` (Euclidean on the normalised vectors) over the fitted
  units, estimated on the same seeded sample of ``silhouette_sample`` of them for every k when there
  are more (the sample of scikit-learn's ``silhouette_score(sample_size, random_state)``; its
  distance matrix is computed once); ties go to the smaller k.
- Clusters are renumbered 0, 1, … by decreasing size over all units (ties by first unit);
  ``distance`` is the Euclidean distance of a unit's vector to its cluster's centroid (mean of all
  its members); a cluster's terms are the highest centroid weights and its label the top three
  joined with ``·``.
- Group similarity: a group's profile is the mean of its units' TF-IDF vectors, L2-normalised;
  ``cosine = p_a · p_b``; groups are ordered by the leaves of an average-linkage tree on
  ``1 − cosine`` with optimal leaf ordering (Bar-Joseph et al. 2001) up to ``optimal_order_max``
  groups (its cost grows with the cube of the number of groups); above that the linkage's own
  leaf order is used.

Tiny corpora: k is capped at (number of distinct fitted unit vectors) and at n_fit − 1; with fewer
than three units or fewer than two distinct vectors all units form one cluster (k = 1,
silhouette NaN).

Everything reads counts through :class:`analysis.compare.termcounts.TermCounts`, in blocks of
``batch_size`` units, so the same code runs on a token frame in memory (:func:`cluster_units`,
:func:`district_similarity`) and on the warehouse (``analysis.pipeline.stages``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics.pairwise import euclidean_distances

from analysis.compare import DEFAULT_GROUP, group_labels
from analysis.compare.params import CLUSTERS, SIMILARITY, k_values
from analysis.compare.termcounts import TermCounts, Tfidf, frame_counts
from analysis.schema import TABLES
from analysis.tokens.segment import StopLevel, stopwords

TERM_COLUMNS = TABLES["cluster_terms"].column_names

FIT_SAMPLE: int = CLUSTERS["fit_sample"]
SILHOUETTE_SAMPLE: int = CLUSTERS["silhouette_sample"]
BATCH_SIZE: int = CLUSTERS["batch_size"]
OPTIMAL_ORDER_MAX: int = SIMILARITY["optimal_order_max"]


class ClusterResult(NamedTuple):
    cluster_runs: pd.DataFrame
    clusters: pd.DataFrame
    cluster_terms: pd.DataFrame


class Assignment(NamedTuple):
    """Result of :func:`cluster_counts`: the runs and terms frames, and per unit (row of the
    :class:`TermCounts`) its cluster and distance."""

    cluster_runs: pd.DataFrame
    labels: np.ndarray
    distances: np.ndarray
    cluster_terms: pd.DataFrame
    run_id: str


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
    mapping = np.zeros(int(uniq.max()) + 1 if len(uniq) else 0, dtype=np.int64)
    mapping[uniq[order]] = np.arange(len(uniq))
    return mapping[labels]


def _row_dot(x: sparse.csr_matrix, dense: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``x[i] · dense[rows[i]]`` for every row i, without densifying ``x``."""
    r = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    return np.bincount(r, weights=x.data * dense[rows[r], x.indices], minlength=x.shape[0])


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


def _silhouettes(
    x: sparse.csr_matrix, fits: dict[int, np.ndarray], sample: int | None, random_state: int
) -> dict[int, float]:
    """Mean silhouette of each labelling of ``x``; with ``sample`` the rows scikit-learn's
    ``silhouette_score(sample_size=sample, random_state=random_state)`` would draw, whose distance
    matrix is computed once for all k."""
    n = x.shape[0]
    if sample is not None and sample < n:
        idx = np.random.RandomState(random_state).permutation(n)[:sample]
    else:
        idx = np.arange(n)
    d = None
    out: dict[int, float] = {}
    for k, labels in fits.items():
        lab = labels[idx]
        n_lab = len(np.unique(lab))
        if n_lab < 2 or n_lab > len(idx) - 1:
            out[k] = float("nan")
            continue
        if d is None:
            xs = x[idx]
            d = euclidean_distances(xs)
            np.fill_diagonal(d, 0.0)
        out[k] = silhouette_from_distances(d, lab)
    return out


def silhouette_from_distances(d: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (Rousseeuw 1987) of ``labels`` given the full distance matrix ``d``, as
    scikit-learn's ``silhouette_score(d, labels, metric='precomputed')``: ``a(i)`` the mean distance
    to the other members of i's cluster, ``b(i)`` the smallest mean distance to another cluster,
    ``s(i) = (b − a) / max(a, b)``, 0 for a unit alone in its cluster; one matrix product gives every
    per-cluster sum."""
    uniq, lab = np.unique(labels, return_inverse=True)
    k = len(uniq)
    onehot = np.zeros((len(lab), k))
    onehot[np.arange(len(lab)), lab] = 1.0
    sums = d @ onehot
    sizes = onehot.sum(axis=0)
    own = sizes[lab]
    a = sums[np.arange(len(lab)), lab] / np.maximum(own - 1, 1)
    means = sums / sizes[None, :]
    means[np.arange(len(lab)), lab] = np.inf
    b = means.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sil = (b - a) / np.maximum(a, b)
    sil[own == 1] = 0.0
    return float(np.mean(np.nan_to_num(sil)))


def cluster_counts(
    tc: TermCounts,
    kind_label: str,
    k_range: Iterable[int] = k_values(CLUSTERS),
    *,
    stopword_level: StopLevel = CLUSTERS["stopword_level"],
    min_df: int = CLUSTERS["min_df"],
    random_state: int = CLUSTERS["random_state"],
    n_init: int = CLUSTERS["n_init"],
    fit_sample: int = FIT_SAMPLE,
    silhouette_sample: int = SILHOUETTE_SAMPLE,
    minibatch_above: int = CLUSTERS["minibatch_above"],
    n_terms: int = CLUSTERS["n_terms"],
    batch_size: int = BATCH_SIZE,
    run_id: str | None = None,
    on_block: Callable[[int, sparse.csr_matrix], None] | None = None,
) -> Assignment:
    """Cluster the units (rows) of ``tc``: fit on a sample, assign every unit (module docstring).

    ``on_block(start, x)`` receives every block's TF-IDF rows during the assignment pass (the
    warehouse stage sums district profiles there instead of reading the units once more)."""
    n = tc.n_units
    tf = Tfidf.fit(tc, min_df)
    vocab = tf.vocab
    ks_wanted = sorted({int(k) for k in k_range if int(k) >= 2})
    sampled = n > fit_sample
    fit_idx = np.sort(np.random.RandomState(random_state).choice(n, fit_sample, replace=False)) if sampled \
        else np.arange(n)
    n_fit = len(fit_idx)
    algorithm = "minibatch" if n_fit > minibatch_above else "lloyd"
    params = {
        "stopword_level": stopword_level,
        "placeholders": "removed",
        "min_df": min_df,
        "random_state": random_state,
        "n_init": n_init,
        "algorithm": algorithm,
        "fit_sample": fit_sample if sampled else None,
        "n_fit": int(n_fit),
        "silhouette_sample": silhouette_sample if n_fit > silhouette_sample else None,
        "k_range": ks_wanted,
        "n_units": int(n),
        "n_terms_vocabulary": int(len(vocab)),
        "tfidf": "sublinear_tf, smooth_idf, l2",
    }
    params_json = json.dumps(params, ensure_ascii=False, sort_keys=True)
    if run_id is None:
        fingerprint = hashlib.sha1((kind_label + params_json).encode("utf-8")).hexdigest()[:10]
        run_id = f"{kind_label}-{fingerprint}"
    x_fit = tf.transform(tc.rows(fit_idx)) if n_fit < n else None
    if x_fit is None:
        parts = [tf.transform(m) for _, m in tc.blocks(batch_size)]
        x_fit = sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, len(vocab)))
    k_max = min(max(ks_wanted, default=1), n_fit - 1)
    if k_max >= 2 and x_fit.shape[1] > 0:
        k_max = min(k_max, _n_distinct_rows(x_fit, cap=k_max + 1))
    ks = [k for k in ks_wanted if k <= k_max]
    fits: dict[int, np.ndarray] = {}
    models: dict[int, KMeans | MiniBatchKMeans] = {}
    for k in ks:
        if algorithm == "minibatch":
            model = MiniBatchKMeans(n_clusters=k, n_init=n_init, random_state=random_state, batch_size=2048)
        else:
            model = KMeans(n_clusters=k, n_init=n_init, random_state=random_state, algorithm="lloyd")
        fits[k] = model.fit_predict(x_fit)
        models[k] = model
    sil = _silhouettes(x_fit, fits, silhouette_sample if n_fit > silhouette_sample else None, random_state)
    curve = [(k, sil[k]) for k in ks]
    if curve and any(np.isfinite(s) for _, s in curve):
        best_k = max(((k, s) for k, s in curve if np.isfinite(s)), key=lambda ks_: (ks_[1], -ks_[0]))[0]
    else:
        best_k = 1
        curve = [(1, float("nan"))]
    # one pass: assign every unit (the fit's labels when it saw them all, else the nearest fitted
    # centre), add it to its cluster's sum, and hand the block to ``on_block``
    k_raw = max(best_k, 1)
    if best_k == 1:
        raw = np.zeros(n, dtype=np.int64)
    elif n_fit == n:
        raw = np.asarray(fits[best_k], dtype=np.int64)
    else:
        raw = np.empty(n, dtype=np.int64)
    raw_sums = np.zeros((k_raw, len(vocab)))

    def tfidf_blocks():  # the fitted matrix when it holds every unit, else the blocks read again
        if n_fit == n:
            yield from ((s, x_fit[s : s + batch_size]) for s in range(0, n, batch_size))
        else:
            yield from ((s, tf.transform(m)) for s, m in tc.blocks(batch_size))

    for start, x in tfidf_blocks():
        stop = start + x.shape[0]
        if best_k > 1 and n_fit < n:
            raw[start:stop] = models[best_k].predict(x)
        lab = raw[start:stop]
        ind = sparse.csr_matrix((np.ones(len(lab)), (lab, np.arange(len(lab)))), shape=(k_raw, len(lab)))
        raw_sums += (ind @ x).toarray()
        if on_block is not None:
            on_block(start, x)
    labels = _renumber(raw)
    k_eff = int(labels.max()) + 1 if n else 0
    present, first = np.unique(raw, return_index=True)
    sums = np.zeros((k_eff, len(vocab)))
    sums[labels[first]] = raw_sums[present]
    # centroids = mean of all members; then each unit's distance to its centroid
    sizes = np.bincount(labels, minlength=k_eff)
    cents = sums / np.maximum(sizes, 1)[:, None]
    c_sq = (cents * cents).sum(axis=1)
    dist = np.zeros(n)
    if len(vocab):
        for start, x in tfidf_blocks():
            lab = labels[start : start + x.shape[0]]
            x_sq = np.bincount(np.repeat(np.arange(x.shape[0]), np.diff(x.indptr)), weights=x.data * x.data,
                               minlength=x.shape[0])
            d2 = x_sq - 2 * _row_dot(x, cents, lab) + c_sq[lab]
            dist[start : start + x.shape[0]] = np.sqrt(np.maximum(d2, 0.0))
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
    rows = []
    for c in range(k_eff):
        w = cents[c]
        nz = np.flatnonzero(w > 0)
        order = sorted(nz, key=lambda i: (-w[i], vocab[i]))[:n_terms]
        label = "·".join(str(vocab[i]) for i in order[:3])
        rows.extend((run_id, c, r + 1, str(vocab[i]), float(w[i]), label) for r, i in enumerate(order))
    terms = pd.DataFrame(rows, columns=TERM_COLUMNS)
    if terms.empty:
        terms = _empty_result().cluster_terms
    return Assignment(runs, labels, dist, terms, run_id)


def cluster_units(
    tokens: pd.DataFrame,
    unit_kind: str | None = "measure",
    k_range: Iterable[int] = k_values(CLUSTERS),
    *,
    stopword_level: StopLevel = CLUSTERS["stopword_level"],
    kinds: tuple[str, ...] | list[str] | None = tuple(CLUSTERS["kinds"]),
    min_df: int = CLUSTERS["min_df"],
    random_state: int = CLUSTERS["random_state"],
    n_init: int = CLUSTERS["n_init"],
    fit_sample: int = FIT_SAMPLE,
    silhouette_sample: int = SILHOUETTE_SAMPLE,
    minibatch_above: int = CLUSTERS["minibatch_above"],
    n_terms: int = CLUSTERS["n_terms"],
    batch_size: int = BATCH_SIZE,
    run_id: str | None = None,
) -> ClusterResult:
    """Cluster the units of ``unit_kind`` (``None``: all kinds) for every k of ``k_range``.

    Returns the frames of tables ``cluster_runs`` (one row per k tried; ``chosen`` marks the best),
    ``clusters`` (membership and distance under the chosen k) and ``cluster_terms``.
    """
    tc = frame_counts(tokens, unit_kind, stopwords(stopword_level), kinds=kinds)
    if tc.n_units == 0:
        return _empty_result()
    res = cluster_counts(
        tc, unit_kind or "all", k_range, stopword_level=stopword_level, min_df=min_df, random_state=random_state,
        n_init=n_init, fit_sample=fit_sample, silhouette_sample=silhouette_sample, minibatch_above=minibatch_above,
        n_terms=n_terms, batch_size=batch_size, run_id=run_id,
    )  # fmt: skip
    units = tc.units
    clusters = pd.DataFrame(
        {
            "run_id": res.run_id,
            "doc_id": units["doc_id"].to_numpy(dtype=object),
            "unit_kind": units["unit_kind"].to_numpy(dtype=object),
            "unit_no": units["unit_no"].to_numpy(dtype=np.int64),
            "cluster": res.labels,
            "distance": res.distances,
        }
    )
    return ClusterResult(res.cluster_runs, clusters, res.cluster_terms)


class GroupProfiles:
    """Running sums of unit TF-IDF rows per group; :meth:`result` gives the L2-normalised means."""

    def __init__(self, unit_groups: np.ndarray, n_groups: int, n_terms: int) -> None:
        self.unit_groups = unit_groups
        self.n_groups = n_groups
        self.sums = sparse.csr_matrix((n_groups, n_terms))

    def add(self, start: int, x: sparse.csr_matrix) -> None:
        g = self.unit_groups[start : start + x.shape[0]]
        ind = sparse.csr_matrix((np.ones(len(g)), (g, np.arange(len(g)))), shape=(self.n_groups, len(g)))
        self.sums = self.sums + ind @ x

    def result(self) -> sparse.csr_matrix:
        sizes = np.bincount(self.unit_groups, minlength=self.n_groups)
        prof = sparse.diags(1.0 / np.maximum(sizes, 1)) @ self.sums
        norms = np.sqrt(np.asarray(prof.multiply(prof).sum(axis=1)).ravel())
        return (sparse.diags(np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1), 0.0)) @ prof).tocsr()


def group_profiles(
    tc: TermCounts, unit_groups: np.ndarray, n_groups: int, min_df: int = 2, batch_size: int = BATCH_SIZE
) -> sparse.csr_matrix:
    """L2-normalised mean TF-IDF vector of each group's units (rows: groups 0..n_groups-1)."""
    tf = Tfidf.fit(tc, min_df)
    acc = GroupProfiles(unit_groups, n_groups, len(tf.vocab))
    for start, m in tc.blocks(batch_size):
        acc.add(start, tf.transform(m))
    return acc.result()


def similarity_order(prof: sparse.csr_matrix, optimal_order_max: int = OPTIMAL_ORDER_MAX) -> tuple[np.ndarray,
                                                                                                     np.ndarray]:
    """Cosine matrix of L2-normalised profiles and each group's position in the leaf order."""
    m = prof.shape[0]
    cos = np.zeros((m, m))
    csc = prof.tocsc()
    step = max(1, 20_000_000 // max(m, 1))  # dense column slices of at most ~20M cells: BLAS, bounded memory
    for s in range(0, csc.shape[1], step):
        part = csc[:, s : s + step].toarray()
        cos += part @ part.T
    cos = np.clip(cos, 0.0, 1.0)
    if m >= 2:
        dist = 1.0 - cos
        np.fill_diagonal(dist, 0.0)
        dist = (dist + dist.T) / 2
        tree = linkage(squareform(dist, checks=False), method="average", optimal_ordering=m <= optimal_order_max)
        leaves = leaves_list(tree)
    else:
        leaves = np.arange(m)
    pos = np.empty(m, dtype=np.int64)
    pos[leaves] = np.arange(m)
    return cos, pos


def district_similarity(
    tokens: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    group: str = DEFAULT_GROUP,
    *,
    unit_kind: str | None = None,
    stopword_level: StopLevel = SIMILARITY["stopword_level"],
    kinds: tuple[str, ...] | list[str] | None = tuple(SIMILARITY["kinds"]),
    min_df: int = SIMILARITY["min_df"],
    optimal_order_max: int = OPTIMAL_ORDER_MAX,
) -> pd.DataFrame:
    """Cosine similarity between group TF-IDF profiles, every ordered pair (self included), with
    each group's position in the hierarchical leaf order (``order_a``, ``order_b``); tokens of
    ``kinds`` (default content words)."""
    tc = frame_counts(tokens, unit_kind, stopwords(stopword_level), kinds=kinds)
    if tc.n_units == 0:
        return _frame(
            {
                "group_a": "object",
                "group_b": "object",
                "cosine": "float64",
                "order_a": "int64",
                "order_b": "int64",
            }
        )
    g = group_labels(documents, tc.units["doc_id"], group).to_numpy()
    names, inv = np.unique(g, return_inverse=True)
    m = len(names)
    cos, pos = similarity_order(group_profiles(tc, inv, m, min_df), optimal_order_max)
    leaves = np.argsort(pos)
    ia, ib = np.meshgrid(leaves, leaves, indexing="ij")
    ia, ib = ia.ravel(), ib.ravel()
    return pd.DataFrame(
        {
            "group_a": names[ia].astype(object),
            "group_b": names[ib].astype(object),
            "cosine": cos[ia, ib],
            "order_a": pos[ia],
            "order_b": pos[ib],
        }
    )
