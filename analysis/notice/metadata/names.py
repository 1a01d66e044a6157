"""Place names in running text, and the chains of adjacent names that name one place.

The reader of the body and of the page chrome needs the names that stand in a few kinds of short
phrase (the inspected unit, a publisher, a book title): :func:`find_names` reads such a phrase;
:func:`chain_ending_at` reads the names ending right before a committee word, backwards, so that a
long text is only read where a committee word follows a level character.

A *chain* is a run of adjacent names (舟山市 + 普陀区). Short forms are read only where they cannot
be an ordinary word: a province's or city's short form (浙江, 舟山) right before another name of the
chain (浙江舟山市), a county's short form (普陀) only right after its city or province (舟山普陀),
and in the page chrome a short form of a province or city before a publisher word (舟山日报). A
name of two characters, or one that is also an ordinary word (城区, 郊区), starts a chain only at a
word boundary; a name right after a placeholder (X市, 某某市) is never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from analysis.fastre import compile_fast
from analysis.notice.metadata.common import PH
from analysis.notice.metadata.cues import PLACES, alternation, chars, words
from analysis.notice.metadata.gazetteer import PlacePath, combine, gazetteer, place_path

_BOUNDARY_NAMES = frozenset(words("boundary_name", PLACES))
_MASK = PH + chars("name_placeholder_chars", PLACES)
_LEVEL = chars("masked_level_chars", PLACES)
_LEADS = tuple(sorted(words("name_lead", PLACES), key=len, reverse=True))
_COUNTY_SUFFIX = compile_fast(rf"(?:{alternation('county_suffix', PLACES)})$")


@dataclass(frozen=True)
class Name:
    """One gazetteer name in the text: its span, division codes and kind (full name or short form)."""

    start: int
    end: int
    codes: tuple[str, ...]
    short: bool  # a short form (舟山 for 舟山市, 普陀 for 普陀区)

    @property
    def county_only(self) -> bool:
        """Whether every reading is a county (a short county form needs its city before it)."""
        return all(not c.endswith("00") for c in self.codes)


@dataclass(frozen=True)
class Chain:
    """Adjacent names (舟山市普陀区) and the paths they pin down together."""

    start: int
    end: int
    names: tuple[Name, ...]
    paths: frozenset[PlacePath]


@lru_cache(maxsize=1)
def name_table() -> dict[str, tuple[tuple[str, ...], bool]]:
    """Name -> (division codes, short form?): full names (the long form wins) and short forms of
    provinces, cities and counties."""
    g = gazetteer()
    entries: dict[str, tuple[tuple[str, ...], bool]] = {n: (tuple(c), False) for n, c in g.names.items()}
    shorts: dict[str, list[str]] = {k: list(v) for k, v in g.short.items()}
    for code, name in g.code_name.items():
        if code.endswith("00") or name not in g.names:
            continue
        s = _COUNTY_SUFFIX.sub("", name)
        if len(s) >= 2 and s != name:
            shorts.setdefault(s, []).append(code)
    for s, codes in shorts.items():
        if s not in entries and len(s) >= 2:
            entries[s] = (tuple(sorted(set(codes))), True)
    return entries


@lru_cache(maxsize=1)
def _lengths_by_first() -> dict[str, tuple[int, ...]]:
    """First character -> the lengths of the names starting with it, longest first."""
    out: dict[str, set[int]] = {}
    for key in name_table():
        out.setdefault(key[0], set()).add(len(key))
    return {c: tuple(sorted(ns, reverse=True)) for c, ns in out.items()}


@lru_cache(maxsize=1)
def _max_len() -> int:
    return max(len(k) for k in name_table())


def chain_ending_at(text: str, end: int) -> Chain | None:
    """The readable chain of names ending exactly at ``end`` (舟山市普陀区 before 委), read backwards,
    the longest name first; None when no name ends there.

    A few dictionary look-ups per position (at most the longest name's length), so a caller may
    ask at every candidate position of a long text."""
    table, most = name_table(), _max_len()
    run: list[Name] = []
    pos = end
    while pos > 0:
        hit = None
        for n in range(min(most, pos), 1, -1):
            if (entry := table.get(text[pos - n:pos])) is not None:
                hit = (n, entry)
                break
        if hit is None:
            break
        start = pos - hit[0]
        if start and text[start - 1] in _MASK or start > 1 and text[start - 1] in _LEVEL and text[start - 2] in _MASK:
            return None  # a masked name (X市) or a name after one (某某市普陀区)
        run.insert(0, Name(start, pos, hit[1][0], hit[1][1]))
        pos = start
    if not run:
        return None
    kept = _usable(text, run, ())
    if not kept or kept[-1].end != end:
        return None
    paths = _chain_paths(kept)
    return Chain(kept[0].start, end, tuple(kept), paths) if paths else None


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def at_boundary(text: str, i: int) -> bool:
    """Whether a name may start at ``text[i]`` where it needs a word boundary."""
    if i == 0 or not _is_cjk(text[i - 1]) and text[i - 1] not in _MASK:
        return True
    return any(text.endswith(w, max(0, i - len(w)), i) for w in _LEADS)


def find_names(text: str) -> list[Name]:
    """Every name of a short text (a phrase, a title, a chrome line), left to right, the longest
    where names overlap; a few dictionary look-ups per position."""
    table, lengths = name_table(), _lengths_by_first()
    out: list[Name] = []
    i = 0
    while i < len(text):
        hit = next(((n, table[text[i:i + n]]) for n in lengths.get(text[i], ()) if text[i:i + n] in table), None)
        if hit is None or i and text[i - 1] in _MASK or i > 1 and text[i - 1] in _LEVEL and text[i - 2] in _MASK:
            i += 1  # no name here, or a masked name (X市, 某某市) or a name after one (某某市普陀区)
            continue
        out.append(Name(i, i + hit[0], *hit[1]))
        i += hit[0]
    return out


def _chain_paths(names: list[Name]) -> frozenset[PlacePath]:
    paths: set[PlacePath] | None = None
    for nm in names:
        new = combine(paths, {place_path(c) for c in nm.codes})
        if new:  # a name contradicting the ones before it is not part of the place
            paths = new
    return frozenset(paths or ())


def _usable(text: str, run: list[Name], site_words: tuple[str, ...]) -> list[Name]:
    """The part of a run of adjacent names that may be read (see the module docstring)."""
    first = run[0]
    if (len(text[first.start:first.end]) <= 2 or text[first.start:first.end] in _BOUNDARY_NAMES) \
            and not at_boundary(text, first.start):
        return []
    kept: list[Name] = []
    for k, nm in enumerate(run):
        if nm.short and nm.county_only and not kept:
            return kept  # a county's short form needs its city or province before it
        if nm.short and not nm.county_only and k == len(run) - 1:
            after = text[nm.end:nm.end + 6]
            if not any(after.startswith(w) for w in site_words):
                break  # a province's or city's short form ends a chain only before a publisher word
        kept.append(nm)
    return kept


def chains(text: str, names: list[Name], site_words: tuple[str, ...] = ()) -> list[Chain]:
    """Runs of adjacent names that may be read as a place, with their paths."""
    out: list[Chain] = []
    i = 0
    while i < len(names):
        j = i + 1
        while j < len(names) and names[j].start == names[j - 1].end:
            j += 1
        kept = _usable(text, names[i:j], site_words)
        if kept and (paths := _chain_paths(kept)):
            out.append(Chain(kept[0].start, kept[-1].end, tuple(kept), paths))
        i = j
    return out


def chains_in(text: str, start: int, end: int, site_words: tuple[str, ...] = ()) -> list[Chain]:
    """Chains of ``text[start:end]`` (a short piece: a chrome line, a title, a phrase), offsets in ``text``."""
    piece = text[start:end]
    found = chains(piece, find_names(piece), site_words)
    return [Chain(c.start + start, c.end + start, c.names, c.paths) for c in found]
