"""A piece of place evidence, the kinds of evidence with their rank and confidence, and how several
mentions of one kind agree on a place.

The kinds, their order and their confidence are data (``data/place_evidence.csv``); the evidence
of a notice is weighed in that order (see :mod:`.places`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from analysis.notice.metadata.gazetteer import PlacePath
from analysis.vocab import load_table

LEVELS = ("province", "city", "district")
CONFIDENCE = ("low", "medium", "high")


@dataclass
class Evidence:
    """One piece of place evidence.

    ``cap``: set on evidence naming the notice's own unit as a place (对中共舟山市委开展了巡视,
    中共舟山市委关于…的通报): the deepest level that unit pins down; other evidence is not read
    below it, so a city's notice gets no district from a district named in its body.
    ``narrow_only``: loose evidence (a host's county spelling matched by initials only) that may
    narrow what other evidence found but never names a place alone.
    """

    kind: str
    what: str
    paths: set[PlacePath]
    cap: int | None = None
    narrow_only: bool = False


@dataclass(frozen=True)
class Kind:
    """A kind of evidence: its source label, rank (lower is stronger) and confidence."""

    name: str
    label: str
    rank: int
    confidence: str


@lru_cache(maxsize=1)
def kinds() -> dict[str, Kind]:
    """Evidence kinds by name, from ``data/place_evidence.csv``."""
    out = {}
    for r in load_table("place_evidence.csv").itertuples():
        if r.confidence not in CONFIDENCE:
            raise ValueError(f"place_evidence.csv: confidence {r.confidence!r} of {r.kind} not in {CONFIDENCE}")
        out[r.kind] = Kind(r.kind, r.label, int(r.rank), r.confidence)
    return out


def depth(paths: set[PlacePath] | frozenset[PlacePath]) -> int:
    """Deepest level (0 province, 1 city, 2 county) every path pins down; -1 for none."""
    return min((max((i for i, x in enumerate(p) if x is not None), default=-1) for p in paths), default=-1)


def truncate(paths: set[PlacePath], level: int) -> set[PlacePath]:
    """The paths with every level below ``level`` left open."""
    return {tuple(x if i <= level else None for i, x in enumerate(p)) for p in paths}  # type: ignore[misc]


def consensus(mentions: list[frozenset[PlacePath]]) -> set[PlacePath] | None:
    """The place several mentions of one kind agree on (the committees named in a body, …).

    Level by level, the value named by more mentions than all the others together is chosen
    (a mention that reads two ways, 普陀区, votes half for each); mentions contradicting a chosen
    level are left out (a committee of another place named in passing). Where no value has a
    majority the candidates of the remaining mentions are all kept, for other evidence to decide.
    """
    counts = Counter(mentions)
    chosen: list[str] = []
    for level in range(3):
        votes: Counter[str] = Counter()
        for paths, n in counts.items():
            vals = {p[level] for p in paths if list(p[:level]) == chosen}
            if not vals or None in vals:
                continue
            for v in vals:
                votes[v] += n / len(vals)
        if not votes:
            break
        top, n = votes.most_common(1)[0]
        if n <= sum(votes.values()) - n:
            break
        chosen.append(top)  # type: ignore[arg-type]
    out = {p for paths in counts for p in paths if list(p[:len(chosen)]) == chosen}
    if not chosen:
        return out or None
    if len(chosen) < 3 and all(p[len(chosen)] is None for p in out):
        return {tuple(chosen + [None] * (3 - len(chosen)))}  # type: ignore[arg-type]
    return out or None
