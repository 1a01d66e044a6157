"""Concordance (KWIC, key word in context) for readers: every occurrence of a term with its context.

The table macro ``kwic(term, width)`` (declared in :mod:`analysis.schema.views`) finds every
non-overlapping occurrence of the literal string in ``documents.text`` — every sentence, summaries
and overview included — with its document, group, problem, measure, section kind and offsets;
this module normalises the term the way notices were normalised (full-width digits and letters,
spaces…), sorts the hits and, for ``--by``, orders them by group.

Sorting follows concordancers (AntConc, Wordless): ``left`` sorts by the left context read from the
keyword outwards (the reversed left string), ``right`` by the right context, ``position`` by
document and offset.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from analysis.ingest.normalize import normalize_text
from analysis.warehouse.db import WarehouseError, connect_readonly

SORTS = {"position": "doc_id, char_start", "left": 'reverse("left"), doc_id, char_start',
         "right": '"right", doc_id, char_start'}
BY = {"district": '"group"', "year": "inspection_year", "document": "doc_id"}
DEFAULT_WIDTH = 20


def kwic_frame(con: duckdb.DuckDBPyConnection, term: str, width: int = DEFAULT_WIDTH, *, sort: str = "position",
               by: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Hits of ``term`` on an open warehouse: doc_id, source_file, group, district, inspection_year,
    hit_no, problem_no, measure_no, section_kind, char_start, char_end, left, keyword, right.

    ``sort`` is position, left or right; ``by`` (district, year or document) orders by that first.
    ``substr(text, char_start + 1, char_end - char_start)`` of the document equals the keyword.
    """
    if sort not in SORTS:
        raise WarehouseError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if by is not None and by not in BY:
        raise WarehouseError(f"--by must be one of {', '.join(BY)}, not {by!r}")
    if width < 0:
        raise WarehouseError(f"width must be 0 or more, not {width}")
    q = normalize_text(term).strip()
    if not q:
        raise WarehouseError("the term is empty")
    order = (f"{BY[by]} nulls last, " if by else "") + SORTS[sort]
    sql = f"select * from kwic(?, ?) order by {order}" + (" limit ?" if limit else "")
    args: list = [q, int(width)] + ([int(limit)] if limit else [])
    return con.execute(sql, args).df()


def kwic(db: Path, term: str, width: int = DEFAULT_WIDTH, *, sort: str = "position", by: str | None = None,
         limit: int | None = None) -> pd.DataFrame:
    """:func:`kwic_frame` on the warehouse ``db`` opened read-only."""
    con = connect_readonly(db)
    try:
        return kwic_frame(con, term, width, sort=sort, by=by, limit=limit)
    finally:
        con.close()


def group_counts(hits: pd.DataFrame, by: str = "district") -> pd.DataFrame:
    """Hits and notices per group of a KWIC result (``by`` as in :func:`kwic_frame`)."""
    col = BY[by].strip('"')
    if hits.empty:
        return pd.DataFrame({col: [], "hits": [], "notices": []})
    g = hits.groupby(col, dropna=False)
    return (pd.DataFrame({"hits": g.size(), "notices": g["doc_id"].nunique()}).reset_index()
            .sort_values(["hits", col], ascending=[False, True], kind="mergesort").reset_index(drop=True))
