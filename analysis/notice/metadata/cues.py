"""The metadata reader's vocabulary, read from its versioned data files under ``analysis/data/``.

``place_cues.csv`` (gazetteer, address and phone cues), ``page_furniture.csv`` (web-page debris)
and ``metadata_cues.csv`` (titles, issuers, inspection and feedback sentences) hold one word or
regex per row, grouped by ``kind``; the modules build their regexes from them.
"""

from __future__ import annotations

from functools import cache

from analysis.vocab import load_table

PLACES = "place_cues.csv"
FURNITURE = "page_furniture.csv"
CUES = "metadata_cues.csv"


@cache
def words(kind: str, table: str = CUES) -> tuple[str, ...]:
    """Values of one kind of a cue table, in file order (a kind with no rows is a data error)."""
    df = load_table(table)
    values = tuple(df.loc[df["kind"] == kind, "value"])
    if not values:
        raise KeyError(f"{table} has no rows of kind {kind!r}")
    return values


def alternation(kind: str, table: str = CUES) -> str:
    """The values of a kind joined as a regex alternation (``a|b|c``), in file order."""
    return "|".join(words(kind, table))


def chars(kind: str, table: str = CUES) -> str:
    """The character string of a ``*_chars`` kind (one row), for a regex class or a membership test."""
    return "".join(words(kind, table))
