"""Full-text search for readers: ranked problems, measures and other sentences for a free-text query.

The index (``search_index``, ``search_terms``) and the BM25 table macro ``search_units(q)`` are
built by :mod:`analysis.pipeline.search_index`; this module only segments the query the way the
index was built and calls the macro on a read-only connection.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.tokens.segment import is_word_token, segment_text
from analysis.warehouse.db import connect_readonly


def query_tokens(text: str) -> str:
    """Segment a free-text query the way the index was built; returns space-joined tokens."""
    return " ".join(t for t, _ in segment_text(text) if is_word_token(t))


def search(db: Path, text: str, limit: int = 20) -> pd.DataFrame:
    """Ranked problems, measures and other sentences (overview, summaries…) for ``text`` with document,
    problem, sentence and offsets."""
    con = connect_readonly(db)
    try:
        q = query_tokens(text) or text
        return con.execute("select * exclude (text) from search_units(?) limit ?", [q, int(limit)]).df()
    finally:
        con.close()

