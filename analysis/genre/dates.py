"""Dates and deadlines in measure text: the one reader (rules in ``analysis/data/date_patterns.csv``).

Both measure tables read dates through this module, so they agree on every measure:
``measures.has_date_or_deadline`` is :func:`has_date` and ``measure_specificity.n_dates`` is
:func:`count_dates`. A date inside a book title 《…》 belongs to the title (《2023年工作要点》 names
a document), so titles are masked before dates are read.

Each match gets a kind: ``deadline`` (a time by which something is to be done: 年底前, 6月30日前,
三个工作日内, 限期), ``recurring`` (每季度, 每月15日前) or ``date`` (a point or period, past or
not said: 2021年以来, 截至, 第四季度). The kind is read from the written form only, not from the
tense of the sentence (年底 without 前 is a ``date`` even in 确保年底完成).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from analysis.fastre import compile_fast, guard_runs
from analysis.genre.titles import mask_titles
from analysis.vocab import load_table

DATA_FILE = "date_patterns.csv"
DEADLINE, DATE, RECURRING = "deadline", "date", "recurring"
KINDS = (DEADLINE, DATE, RECURRING)
BY_FORM = "by_form"
MASK = "\x00"
"""What a masked title is filled with: not a space (a date's inner spaces must not bridge it)."""

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    kind: str  # deadline | date | recurring


@dataclass(frozen=True)
class _Rules:
    names: tuple[str, ...]
    patterns: tuple[str, ...]
    reads: dict[str, str]
    forward: re.Pattern[str]
    recurring: re.Pattern[str]


def _fill(pattern: str, parts: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], pattern)


@cache
def _rules() -> _Rules:
    t = load_table(DATA_FILE)
    parts: dict[str, str] = {}
    names, patterns, reads = [], [], {}
    for r in t.itertuples():
        pattern = _fill(r.pattern, parts)
        if r.kind == "part":
            parts[r.name] = pattern
        elif r.kind == "rule":
            if r.reads not in (*KINDS, BY_FORM):
                raise ValueError(f"{DATA_FILE}: rule {r.name} reads {r.reads!r}")
            names.append(r.name)
            patterns.append(pattern)
            reads[r.name] = r.reads
    one = {k: re.compile(t.loc[t["kind"] == k, "pattern"].iloc[0]) for k in ("forward", "recurring")}
    return _Rules(tuple(names), tuple(patterns), reads, one["forward"], one["recurring"])


@cache
def date_pattern() -> str:
    """Regex of one date or deadline: the rules in file order (no groups)."""
    return "|".join(f"(?:{p})" for p in _rules().patterns)


@cache
def date_rx() -> re.Pattern[str]:
    """The rules compiled, one named group per rule (``m.lastgroup`` = the rule), behind a
    look-ahead of their first characters (same matches as :func:`date_pattern`).

    Apply it to text whose titles are masked (:func:`mask`) to read what this module reads.
    A rule opening with a run of digits or numerals (三个工作日内) reads each run once, from its start
    (:func:`analysis.fastre.guard_runs`: same matches, linear in a long run of digits)."""
    r = _rules()
    patterns = guard_runs(list(r.patterns))
    return compile_fast("|".join(f"(?P<{n}>{p})" for n, p in zip(r.names, patterns, strict=True)))


def mask(text: str) -> str:
    """``text`` with its book titles filled with :data:`MASK` (offsets kept)."""
    return mask_titles(text, MASK)


def kind_of(rule: str, written: str) -> str:
    """Kind of a match of ``rule`` written ``written`` (see the data file's ``reads``)."""
    r = _rules()
    reads = r.reads[rule]
    if reads != BY_FORM:
        return reads
    if r.recurring.search(written):
        return RECURRING
    return DEADLINE if r.forward.search(written) else DATE


def find_dates(text: str | None) -> list[DateMention]:
    """Every date or deadline of ``text`` outside book titles, left to right, with its kind."""
    if not text:
        return []
    return [DateMention(m.start(), m.end(), m.group(0), kind_of(m.lastgroup, m.group(0)))
            for m in date_rx().finditer(mask(text))]


def count_dates(text: str | None) -> int:
    """Number of dates and deadlines in ``text`` (outside book titles)."""
    return sum(1 for _ in date_rx().finditer(mask(text))) if text else 0


def has_date(text: str | None) -> bool:
    """Whether ``text`` mentions a date, period or deadline (outside book titles)."""
    return bool(text) and date_rx().search(mask(text)) is not None
