"""Corpus-wide stages run after the per-document load: vocabulary, categories, clusters, keyness,
boilerplate, specificity and the search index. Each reads the warehouse, calls one
:mod:`analysis.compare` method and writes its table, recording the parameters in ``analysis_runs``.

Groups for comparisons are districts; a notice whose district is unknown (an anonymised
template) forms its own group named by its unit or file.

Scale: no stage loads the token rows into Python. DuckDB aggregates them first — group × token
counts (keyness), one list of term ids per unit (clusters, similarity, category centroids), one
list of packed integers per notice (vocabulary), the token attributes per measure (specificity) —
and Python reads the aggregates back through Arrow in blocks of rows, so memory holds one block
plus what the output tables need. Clustering fits on a seeded sample of units and assigns all of
them; boilerplate hashes every sentence and runs MinHash LSH on a bounded set of sentence keys.
Every sample size and bound is in the stage's ``analysis_runs`` parameters.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from analysis.compare.params import PARAMS
from analysis.pipeline.stages.boilerplate import stage_boilerplate
from analysis.pipeline.stages.categories import stage_categories
from analysis.pipeline.stages.clusters import stage_clusters
from analysis.pipeline.stages.collocations import stage_collocations
from analysis.pipeline.stages.common import GROUP_SQL
from analysis.pipeline.stages.keyness import stage_keyness
from analysis.pipeline.stages.search import stage_search
from analysis.pipeline.stages.specificity import stage_specificity
from analysis.pipeline.stages.topics import stage_topics
from analysis.pipeline.stages.vocabulary import stage_vocabulary

STAGES: list[tuple[str, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    ("vocabulary", stage_vocabulary),
    ("categories", stage_categories),
    ("clusters", stage_clusters),
    ("keyness", stage_keyness),
    ("boilerplate", stage_boilerplate),
    ("specificity", stage_specificity),
    ("search", stage_search),
    ("collocations", stage_collocations),
    ("topics", stage_topics),
]
"""The corpus-wide stages in the order the build runs them."""

__all__ = ["GROUP_SQL", "PARAMS", "STAGES", "stage_vocabulary", "stage_categories", "stage_clusters", "stage_keyness", "stage_boilerplate", "stage_specificity", "stage_search", "stage_collocations", "stage_topics"]
