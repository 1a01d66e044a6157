"""Enumerators: the numbering that opens a heading (一、 （一） 1. （1） ① 问题N) or a measure (一是).

One definition, read from ``analysis/data/numbering.csv``: each row is one written form of a
numbering family. Consumers take what they need from here instead of keeping their own copy:

- :func:`outline_forms` — the heading markers the parser tries at the start of each line, in file
  order, each with its compiled pattern (group ``num`` = the number, ``open`` = an opening bracket);
- :func:`ordinal_rx` / :func:`lost_ordinal_rx` — measure ordinals 一是/二是… inside a paragraph, and
  the damaged form 是… that lost its numeral (at a paragraph start);
- :func:`fragment` — a regex fragment matching one enumerator of all or chosen families (no groups,
  no anchors, never spanning a line break), to embed in other patterns, e.g. to strip a sentence's
  leading enumerator; :func:`expand` fills ``{enumerator}`` placeholders in data-file patterns;
- :func:`number_value` — the integer a marker's number stands for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from analysis.genre.numerals import cn_to_int
from analysis.vocab import load_table

DATA_FILE = "numbering.csv"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_GROUP = re.compile(r"\(\?P<\w+>")
_PLACEHOLDER = re.compile(r"\{enumerator(?::(?P<families>[\w|]+))?\}")


@dataclass(frozen=True)
class Form:
    """One written form of a numbering family (one row of ``numbering.csv``)."""

    family: str
    rank: int
    numeral: str  # cn | ar | circled | none
    role: str  # outline | ordinal
    damaged: bool
    pattern: str
    after: str
    rx: re.Pattern[str]  # the pattern compiled; use ``.match`` where a marker may start


@cache
def forms() -> tuple[Form, ...]:
    """Every row of the data file, in file order."""
    t = load_table(DATA_FILE)
    return tuple(
        Form(r.family, int(r["rank"]), r.numeral, r.role, r.damaged == "1", r.pattern, r.after, re.compile(r.pattern))
        for _, r in t.iterrows()
    )


def outline_forms() -> tuple[Form, ...]:
    """Heading markers, in the order the parser tries them at the start of a line."""
    return tuple(f for f in forms() if f.role == "outline")


def families(role: str | None = None) -> tuple[str, ...]:
    """Distinct family names (of one role when given), in file order."""
    return tuple(dict.fromkeys(f.family for f in forms() if role in (None, f.role)))


@cache
def _fragment(chosen: tuple[str, ...] | None, damaged: bool) -> str:
    known = set(families())
    unknown = sorted(set(chosen or ()) - known)
    if unknown:
        raise ValueError(f"unknown numbering families {unknown}; known: {sorted(known)}")
    parts = [_GROUP.sub("(?:", f.pattern) for f in forms()
             if (chosen is None or f.family in chosen) and (damaged or not f.damaged)]
    return "(?:" + "|".join(parts) + ")"


def fragment(chosen: Iterable[str] | None = None, *, damaged: bool = False) -> str:
    """Regex fragment for one enumerator of the ``chosen`` families (all when None).

    The alternatives follow the data file's order; they have no capturing groups and no anchors,
    and never match a line break, so the fragment can be embedded anywhere (``^\\s*`` + fragment
    strips a leading enumerator). Damaged forms (``四）``, a lone ``）``, 是…) only with ``damaged``.
    """
    return _fragment(None if chosen is None else tuple(chosen), damaged)


def expand(pattern: str) -> str:
    """``pattern`` with each ``{enumerator}`` / ``{enumerator:fam1|fam2}`` replaced by :func:`fragment`."""
    return _PLACEHOLDER.sub(
        lambda m: fragment(m.group("families").split("|") if m.group("families") else None), pattern
    )


def _ordinal(damaged: bool) -> Form:
    return next(f for f in forms() if f.role == "ordinal" and f.damaged == damaged)


@cache
def ordinal_rx() -> re.Pattern[str]:
    """Measure ordinals 一是/二是…: at a line start or after one of the row's ``after`` characters
    (multi-line mode), group ``num`` = the Chinese numeral."""
    f = _ordinal(False)
    return re.compile(rf"(?:(?<=^)|(?<=[{f.after}])){f.pattern}", re.M)


@cache
def lost_ordinal_rx() -> re.Pattern[str]:
    """An ordinal that lost its numeral (是加强…), matched at the start of a paragraph."""
    return re.compile("^" + _ordinal(True).pattern)


def number_value(numeral: str, raw: str | None) -> int | None:
    """The number a marker writes (``raw`` = its ``num`` group) in numeral system ``numeral``."""
    if raw is None:
        return None
    if numeral == "circled":
        return CIRCLED.index(raw) + 1 if raw in CIRCLED else None
    return cn_to_int(raw)
