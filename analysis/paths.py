"""Every path and environment override of the package, in one place.

Defaults are anchored at the repository (the folder holding ``analysis/``), never at the working
directory, so a command gives the same result from any folder. Each ``ANALYSIS_*`` variable
overrides one default.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
DEFAULT_CORPUS = REPO_ROOT / "corpus"
DEFAULT_DB = REPO_ROOT / "warehouse.duckdb"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
REPORTS_DIR = REPO_ROOT / "reports"
FIGURES_DIR = REPORTS_DIR / "figures"

BUILD_MEMORY_LIMIT = "2500MB"
"""DuckDB's memory limit during a build (``$ANALYSIS_DUCKDB_MEMORY`` overrides): DuckDB otherwise
caches up to 80% of RAM, so the build's memory grew with the corpus; beyond the limit it spills to disk."""


def build_memory_limit() -> str:
    """The build connection's DuckDB memory limit (``$ANALYSIS_DUCKDB_MEMORY`` overrides)."""
    return os.environ.get("ANALYSIS_DUCKDB_MEMORY") or BUILD_MEMORY_LIMIT


QUERY_MEMORY_LIMIT = "2GB"
"""DuckDB's memory limit on a read-only connection (``$ANALYSIS_QUERY_MEMORY`` overrides)."""


def query_memory_limit() -> str:
    """Memory limit of read-only connections (queries, search, notebooks, export)."""
    return os.environ.get("ANALYSIS_QUERY_MEMORY") or QUERY_MEMORY_LIMIT


def query_timeout() -> float | None:
    """Default time limit in seconds of one ``analysis sql`` query (``$ANALYSIS_QUERY_TIMEOUT``; none by default)."""
    value = os.environ.get("ANALYSIS_QUERY_TIMEOUT")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise ValueError(f"ANALYSIS_QUERY_TIMEOUT={value!r} is not a positive number of seconds")
    return seconds


def cache_dir() -> Path:
    """Where the segmenter's dictionary cache lives (``$ANALYSIS_CACHE_DIR`` overrides)."""
    env = os.environ.get("ANALYSIS_CACHE_DIR")
    return Path(env) if env else REPO_ROOT / ".cache" / "jieba"


def font_cache_dir(default: Path) -> Path:
    """Where the TrueType copy of the chart font is cached (``$ANALYSIS_FONT_CACHE`` overrides ``default``)."""
    env = os.environ.get("ANALYSIS_FONT_CACHE")
    return Path(env) if env else default
