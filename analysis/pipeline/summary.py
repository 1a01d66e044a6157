"""What a build reports: counts, per-stage seconds, failed data tests and place coverage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

COVERAGE_FIELDS = ("province", "city", "district", "publish_date")
_MAX_SOURCES = 4  # sources named per field; the rest are added up as "other"


@dataclass
class Coverage:
    """How many notices have a value of one field, and from which source."""

    field: str
    found: int
    total: int
    by_source: list[tuple[str, int]]

    def line(self) -> str:
        share = f"{100 * self.found / self.total:.0f}%" if self.total else "-"
        shown = self.by_source[:_MAX_SOURCES]
        rest = sum(n for _, n in self.by_source[_MAX_SOURCES:])
        parts = [f"{s} {n}" for s, n in shown] + ([f"other {rest}"] if rest else [])
        return f"  {self.field}: {self.found}/{self.total} ({share})" + (": " + ", ".join(parts) if parts else "")


def place_coverage(con: duckdb.DuckDBPyConnection) -> list[Coverage]:
    """Share of the notices with a province, city, district and publication date, by source."""
    total = con.execute("select count(*) from documents").fetchone()[0]
    out = []
    for f in COVERAGE_FIELDS:
        rows = con.execute(f"select {f}_source, count(*) from documents where {f} is not null "
                           "group by 1 order by 2 desc, 1").fetchall()
        out.append(Coverage(f, sum(n for _, n in rows), total, [(s or "unknown", n) for s, n in rows]))
    return out


@dataclass
class BuildSummary:
    db: Path
    documents: int = 0
    parsed: int = 0
    reused: int = 0
    problems: int = 0
    measures: int = 0
    warnings: int = 0
    load_errors: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"warehouse: {self.db}",
            f"documents: {self.documents} ({self.parsed} parsed, {self.reused} unchanged and reused)",
            f"problems: {self.problems}   measures: {self.measures}   parse warnings: {self.warnings}",
            f"files not loaded: {self.load_errors}   duplicates skipped: {self.duplicates}",
        ]
        if self.coverage:
            out.append("place and date found (notices with a value, by source):")
            out += [c.line() for c in self.coverage]
        out.append(f"time: {self.seconds:.1f} s ("
                   + ", ".join(f"{k} {v:.1f}" for k, v in self.stage_seconds.items() if v >= 0.05) + ")")
        return out
