"""What a build reports: counts, per-stage seconds and failed data tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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

    def lines(self) -> list[str]:
        return [
            f"warehouse: {self.db}",
            f"documents: {self.documents} ({self.parsed} parsed, {self.reused} unchanged and reused)",
            f"problems: {self.problems}   measures: {self.measures}   parse warnings: {self.warnings}",
            f"files not loaded: {self.load_errors}   duplicates skipped: {self.duplicates}",
            f"time: {self.seconds:.1f} s ("
            + ", ".join(f"{k} {v:.1f}" for k, v in self.stage_seconds.items() if v >= 0.05) + ")",
        ]

