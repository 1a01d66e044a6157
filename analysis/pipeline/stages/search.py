"""The search stage: the sentence index for search and KWIC."""

from __future__ import annotations

import duckdb

from analysis.pipeline.search_index import build_search_index


def stage_search(con: duckdb.DuckDBPyConnection) -> None:

    build_search_index(con)
