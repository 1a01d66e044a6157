"""Support for the notebooks: open the warehouse read-only, run named queries, export charts.

Notebooks hold parameters and short calls; the logic they need lives here and in the stage
modules, so it is tested and reused.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd

from analysis.warehouse import DEFAULT_DB, connect_readonly

REPO_ROOT = Path(__file__).resolve().parent.parent


def open_warehouse(db: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse opened read-only; a clear message (not a traceback) when it is missing or damaged."""
    return connect_readonly(Path(db) if db else DEFAULT_DB)


def figures_dir(figures: str | Path | None = None) -> Path:
    """Where charts go: the notebook parameter, else $ANALYSIS_FIGURES_DIR, else reports/figures."""
    d = Path(figures or os.environ.get("ANALYSIS_FIGURES_DIR") or REPO_ROOT / "reports" / "figures")
    d.mkdir(parents=True, exist_ok=True)
    return d


def corpus_hash(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("select value from build_info where key = 'corpus_hash'").fetchone()
    return row[0] if row else None


class Exporter:
    """Save each chart with the table behind it, its query/parameters and the corpus hash."""

    def __init__(self, con: duckdb.DuckDBPyConnection, figures: str | Path | None = None,
                 params: dict | None = None) -> None:
        self.con = con
        self.outdir = figures_dir(figures)
        self.params = params or {}
        self.hash = corpus_hash(con)

    def save(self, fig, name: str, data: pd.DataFrame, query: str | None = None, **params) -> dict[str, Path]:
        from analysis.plots import export_figure

        return export_figure(fig, name, data, params={**self.params, **params}, query=query,
                             corpus_hash=self.hash, outdir=self.outdir)


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run SQL and return a DataFrame."""
    return con.execute(sql, params or []).df()


def querier(con: duckdb.DuckDBPyConnection):
    """A short ``q(sql, *params)`` for notebook cells."""
    return lambda sql, *params: query(con, sql, list(params))


def district_label(df: pd.DataFrame, col: str = "group") -> pd.DataFrame:
    """Add a readable place label: district (city) or the unit when the place is unknown."""
    out = df.copy()
    d = out.get("district")
    c = out.get("city")
    u = out.get("unit")
    lab = []
    for i in range(len(out)):
        dist = d.iloc[i] if d is not None else None
        city = c.iloc[i] if c is not None else None
        unit = u.iloc[i] if u is not None else None
        if isinstance(dist, str) and dist:
            lab.append(dist if not isinstance(city, str) or city == dist else f"{city}{dist}")
        elif isinstance(unit, str) and unit:
            lab.append(unit)
        else:
            lab.append("未知 unknown")
    out[col] = lab
    return out


def where_filter(column: str, values: list[str] | None) -> tuple[str, list]:
    """A SQL filter clause and its parameters for an optional list of values (None/[] = no filter)."""
    if not values:
        return "true", []
    return f"{column} in ({', '.join('?' for _ in values)})", list(values)
