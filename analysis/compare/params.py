"""Default parameters of every comparison, in one place.

The build runs each corpus stage with these values and records them (with what the run measured)
in ``analysis_runs``; the library functions of :mod:`analysis.compare` take the same values as their
defaults, so a comparison computed in a notebook and the warehouse table agree unless a parameter is
changed on purpose. Change a value here, not in a function signature.
"""

from __future__ import annotations

CONTENT_KINDS = ["content"]  # token kinds the comparisons use (analysis.tokens.kinds); add kinds to include more

CATEGORIES = {"engine": "rjieba", "batch_size": 50_000, "kinds": CONTENT_KINDS}

CLUSTERS = {
    "k_range": [2, 12],          # smallest and largest k tried (inclusive)
    "stopword_level": "formulaic",
    "kinds": CONTENT_KINDS,
    "min_df": 2,
    "random_state": 0,
    "n_init": 1,
    "fit_sample": 10_000,        # k-means is fitted on a seeded sample of at most this many units
    "silhouette_sample": 3000,   # silhouettes on a seeded sample of at most this many fitted units
    "minibatch_above": 20_000,   # MiniBatchKMeans above this many fitted units, else Lloyd
    "n_terms": 10,               # label terms per cluster
    "batch_size": 50_000,        # units per block read from the warehouse
}

SIMILARITY = {"unit_kind": "measure", "stopword_level": "formulaic", "kinds": CONTENT_KINDS, "min_df": 2,
              "batch_size": 50_000,
              "optimal_order_max": 1000}

KEYNESS = {"unit_kind": "measure", "stopword_level": "function", "kinds": CONTENT_KINDS, "min_count": 5,
           "group": "district", "reference": None, "min_docs": 2, "alpha": 0.05}
"""Keyness: ``reference`` None = each group against the rest, else a group's name; a term is typical
of a group when over-used with p_adj < alpha in at least min_docs of its notices."""

BOILERPLATE = {"unit": "document text", "group": "district", "threshold": 0.7, "min_chars": 10, "min_docs": 2,
               "num_perm": 128, "seed": 1, "lsh_max_keys": 50_000, "max_bucket": 200, "batch_docs": 500}

SPECIFICITY = {"batch_size": 20_000}

COLLOCATIONS = {"kinds": ("content",), "window": 5, "min_count": 3, "unit_kinds": ("problem", "measure"),
                "methods": ("bigram", "window")}

TOPICS = {"kinds": ("content",), "unit_kinds": ("problem", "measure"), "k_min": 3, "k_max": 10,
          "top_n": 10, "min_df": 2, "max_iter": 500, "seed": 0, "label_terms": 3}

PARAMS: dict[str, dict] = {
    "categories": CATEGORIES,
    "clusters": CLUSTERS,
    "keyness": KEYNESS,
    "boilerplate": BOILERPLATE,
    "specificity": SPECIFICITY,
    "similarity": SIMILARITY,
    "collocations": COLLOCATIONS,
    "topics": TOPICS,
}
"""Stage name → its parameters (what ``analysis_runs`` records for the stage)."""


def k_values(params: dict = CLUSTERS) -> range:
    """The k values tried, from ``params["k_range"]`` = [smallest, largest]."""
    lo, hi = params["k_range"]
    return range(lo, hi + 1)
