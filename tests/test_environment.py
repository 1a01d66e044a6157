"""The lock, requirements.in and environment.yml must agree."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _pins(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_environment_yml_matches_requirements_in():
    direct = _pins((REPO / "requirements.in").read_text())
    conda = _pins((REPO / "environment.yml").read_text())
    assert direct and direct == conda


def test_lock_pins_every_direct_dependency_at_the_same_version():
    direct = _pins((REPO / "requirements.in").read_text())
    lock = _pins((REPO / "requirements.lock").read_text())
    assert {k: lock.get(k) for k in direct} == direct


def test_lock_pins_everything_exactly():
    lines = [s for s in (REPO / "requirements.lock").read_text().splitlines() if s.strip() and not s.startswith("#")]
    assert all("==" in s for s in lines), [s for s in lines if "==" not in s]
