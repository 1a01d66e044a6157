"""Term trends read from the warehouse: how often chosen terms occur per inspection year or round.

``analysis trends 整改 督查 --by year`` counts, in the tokens of problems and measures, every token
equal to a term (of any kind, so a name or a formulaic phrase can be followed too) and divides by the
content tokens of the same notices (:func:`analysis.compare.trends.term_trends`):

    per10k(w, t) = 10,000 · count(w, t) / n_tokens(t)

with ``n_notices`` (notices of the period) and ``notices_with_term`` beside it. Periods come from
``documents.inspection_year`` or ``documents.inspection_round``; notices whose period is unknown form
the row with period NULL and ``period_unknown`` true. A term is matched as a whole token: a phrase
the segmenter splits has count 0 everywhere (:func:`absent_terms` names them; ``analysis kwic``
finds the string itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from analysis.compare.collocations import kinds_filter_sql
from analysis.compare.trends import term_trends
from analysis.ingest.normalize import normalize_text
from analysis.outputs.dfm import has_token_kind
from analysis.warehouse.db import WarehouseError, connect_readonly

BY = {"year": "inspection_year", "round": "inspection_round"}
UNIT_KINDS = ("problem", "measure")


def normalize_terms(terms: Sequence[str]) -> list[str]:
    """Terms normalised as notices were (full-width digits and letters, spaces), blanks dropped, in order."""
    out = [normalize_text(t).strip() for t in terms]
    return list(dict.fromkeys(t for t in out if t))


def trends_frame(con: duckdb.DuckDBPyConnection, terms: Sequence[str], by: str = "year",
                 kinds: tuple[str, ...] | None = ("content",),
                 unit_kinds: tuple[str, ...] = UNIT_KINDS) -> pd.DataFrame:
    """Term trends on an open warehouse: period_kind, period, period_unknown, term, count, n_tokens,
    per10k, notices_with_term, n_notices (one row per period with notices and term).

    ``by`` is year or round; ``kinds`` are the token kinds of the denominator (None: every kind);
    ``unit_kinds`` the units whose tokens are counted.
    """
    if by not in BY:
        raise WarehouseError(f"--by must be one of {', '.join(BY)}, not {by!r}")
    words = normalize_terms(terms)
    if not words:
        raise WarehouseError("no term given (every term was empty)")
    if not unit_kinds:
        raise WarehouseError("no unit kind to count")
    units = list(unit_kinds)
    flt = kinds_filter_sql(kinds, has_token_kind(con))
    counts = con.execute("""select t.doc_id, t.token, count(*)::bigint as count from tokens t
                            where t.unit_kind in (select unnest(?::varchar[]))
                              and t.token in (select unnest(?::varchar[]))
                            group by all""", [units, words]).df()
    sizes = con.execute(f"""select t.doc_id, count(*)::bigint as n_tokens from tokens t
                            where t.unit_kind in (select unnest(?::varchar[])) and {flt}
                            group by 1""", [units]).df()
    docs = con.execute(f"select doc_id, {BY[by]} from documents").df()
    return term_trends(counts, sizes, docs, words, by=BY[by])


def trends(db: Path, terms: Sequence[str], by: str = "year", kinds: tuple[str, ...] | None = ("content",),
           unit_kinds: tuple[str, ...] = UNIT_KINDS) -> pd.DataFrame:
    """:func:`trends_frame` on the warehouse ``db`` opened read-only."""
    con = connect_readonly(db)
    try:
        return trends_frame(con, terms, by, kinds=kinds, unit_kinds=unit_kinds)
    finally:
        con.close()


def absent_terms(trend: pd.DataFrame) -> list[str]:
    """Terms of a trends table that no counted token equals (count 0 in every period), in order."""
    if trend.empty:
        return []
    total = trend.groupby("term", sort=False)["count"].sum()
    return [t for t, n in total.items() if n == 0]
