"""What ingest refuses: :class:`IngestError` and the limits of ``data/ingest_limits.csv``.

Every module of :mod:`analysis.ingest` raises :class:`IngestError` (never anything else) for a file
that cannot become a document; its message names the reason and goes to ``load_issues``.
"""

from __future__ import annotations

from functools import lru_cache

from analysis.vocab import load_table

LIMITS_FILE = "ingest_limits.csv"


class IngestError(Exception):
    """A file that cannot become a document; the message names the reason."""


@lru_cache(maxsize=1)
def limits() -> dict[str, float]:
    """The limits of ``data/ingest_limits.csv`` by name."""
    return {r["name"]: float(r["value"]) for _, r in load_table(LIMITS_FILE).iterrows()}


def limit(name: str) -> float:
    """One limit of ``data/ingest_limits.csv``."""
    return limits()[name]


def too_large(size: int, limit_name: str) -> str | None:
    """The refusal message when ``size`` bytes exceed the limit ``limit_name``, else None."""
    value = limit(limit_name)
    if size <= value:
        return None
    return f"file too large: {size / 1e6:.1f} MB > {value / 1e6:.0f} MB ({limit_name} in {LIMITS_FILE})"
