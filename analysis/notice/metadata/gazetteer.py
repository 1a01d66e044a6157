"""Gazetteer of Chinese administrative divisions and the place names it finds in a string.

Names and codes come from the national statistics division codes shipped with ``cpca``. A place is
handled as a :data:`PlacePath`, the (province, city, county) code prefixes it pins down; evidence
for the notice's place narrows a set of such paths.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from analysis.fastre import compile_fast
from analysis.notice.metadata.common import PH
from analysis.notice.metadata.cues import PLACES, alternation, words
from analysis.vocab import package_file

PlacePath = tuple[str, str | None, str | None]  # (province 2, city 4, county 6) code prefixes


@dataclass
class Gazetteer:
    """Division names and codes."""

    names: dict[str, list[str]]  # full name -> 6-digit codes
    short: dict[str, list[str]]  # short name of a province or city -> codes (manifest matching)
    code_name: dict[str, str]
    max_len: int


SKIP_NAMES = frozenset(words("gazetteer_skip", PLACES))
_SKIP_CONTAINING = words("gazetteer_skip_containing", PLACES)
_PROV_SUFFIX = compile_fast(rf"({alternation('province_suffix', PLACES)})$")
_CITY_SUFFIX = compile_fast(rf"({alternation('city_suffix', PLACES)})$")
_PARTY_PREFIXES = words("party_prefix")
_AUTONOMOUS = (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗"))


def is_skipped(name: str) -> bool:
    """Whether a division name names no place of its own (市辖区, 省直辖县级行政区划)."""
    return name in SKIP_NAMES or any(w in name for w in _SKIP_CONTAINING)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Province, city and county names of the national statistics codes shipped with cpca, and the
    usual short names of autonomous prefectures, counties and banners (恩施州, 长阳县)."""
    src = package_file("cpca", "resources", "adcodes.csv")
    code_name: dict[str, str] = {}
    with src.open("r", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code_name.setdefault(row["adcode"][:6], row["name"].strip())
    names: dict[str, list[str]] = {}
    short: dict[str, list[str]] = {}
    nations = _nation_names()
    for code, name in sorted(code_name.items()):
        if is_skipped(name) or len(name) < 2:
            continue
        names.setdefault(name, []).append(code)
        if code.endswith("0000"):
            short.setdefault(_PROV_SUFFIX.sub("", name), []).append(code)
        elif code.endswith("00"):
            s = _CITY_SUFFIX.sub("", name)
            if len(s) >= 2:
                short.setdefault(s, []).append(code)
    for code, name in sorted(code_name.items()):
        alias = autonomous_alias(name, nations)
        if alias and alias not in names:
            names.setdefault(alias, []).append(code)
    return Gazetteer(names, short, code_name, max(len(n) for n in names))


def _nation_names() -> tuple[str, ...]:
    """Names of the nationalities (满族, 土家族…) and their forms without 族 (蒙古, 鄂伦春), longest first."""
    src = package_file("cpca", "resources", "56_nations.csv")
    found = {ln.strip() for ln in src.read_text(encoding="utf-8").splitlines() if ln.strip()}
    forms = found | {n[:-1] for n in found if n.endswith("族") and len(n) > 2}
    return tuple(sorted(forms, key=len, reverse=True))


def autonomous_alias(name: str, nations: tuple[str, ...]) -> str | None:
    """The usual short name of an autonomous prefecture, county or banner: its proper name and
    its level (恩施土家族苗族自治州 -> 恩施州, 长阳土家族自治县 -> 长阳县); None for other names."""
    for ending, level in _AUTONOMOUS:
        if name.endswith(ending):
            cut = min((i for n in nations if (i := name.find(n)) > 0), default=-1)
            base = name[:cut] if cut > 0 else ""
            return base + level if len(base) >= 2 else None
    return None


def place_path(code: str) -> PlacePath:
    """The path a 6-digit division code pins down (a province code leaves city and county open)."""
    if code.endswith("0000"):
        return (code[:2], None, None)
    if code.endswith("00"):
        return (code[:2], code[:4], None)
    return (code[:2], code[:4], code[:6])


def compatible(a: PlacePath, b: PlacePath) -> bool:
    return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def _merge(a: PlacePath, b: PlacePath) -> PlacePath:
    return tuple(x if x is not None else y for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def combine(paths: set[PlacePath] | None, new: set[PlacePath]) -> set[PlacePath]:
    """The paths compatible with both sets, merged (``paths`` None: no evidence yet)."""
    if paths is None:
        return set(new)
    return {_merge(a, b) for a in paths for b in new if compatible(a, b)}


def _is_cjk_or_ph(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or c in PH


def _at_boundary(s: str, i: int, last_end: int) -> bool:
    """Whether a name may start at ``s[i]``: string start, after a name or non-Chinese, or after 中共."""
    return i == 0 or i == last_end or not _is_cjk_or_ph(s[i - 1]) or s[:i].endswith(_PARTY_PREFIXES)


def scan_places(s: str, strict: bool = True) -> list[tuple[int, int, str, list[str]]]:
    """Full place names in ``s``, longest first, left to right.

    A name counts only at a word boundary: the start of the string, after a non-Chinese
    character, right after another place name, or after 中共; so 市中区 inside XX市中区 and
    names inside street names are not read. ``strict=False`` (clean gazetteer-like strings such as
    the phone geocoder's 内蒙古包头市) drops the boundary rule and also reads province short names.
    """
    g = gazetteer()
    out: list[tuple[int, int, str, list[str]]] = []
    i, last_end = 0, -1
    while i < len(s):
        hit = None
        for n in range(min(g.max_len, len(s) - i), 1, -1):
            codes = g.names.get(s[i:i + n]) or (None if strict else g.short.get(s[i:i + n]))
            if codes and (strict or i == 0 or not all(c.endswith("0000") for c in codes) or n >= 3):
                hit = (n, codes)
                break
        if hit and (not strict or _at_boundary(s, i, last_end)):
            out.append((i, i + hit[0], s[i:i + hit[0]], hit[1]))
            i += hit[0]
            last_end = i
        else:
            i += 1
    return out


def paths_from_string(s: str) -> set[PlacePath] | None:
    """Candidate (province, city, county) paths named by a string, earlier names narrowing later ones."""
    paths: set[PlacePath] | None = None
    for *_, codes in scan_places(s):
        new = combine(paths, {place_path(c) for c in codes})
        if new:  # a name that contradicts the names before it is ignored
            paths = new
    return paths


def path_name(q: PlacePath) -> str:
    """Full name of a path (天津市滨海新区), for warnings."""
    g = gazetteer()
    parts = [q[0] + "0000", q[1] + "00" if q[1] else None, q[2]]
    return "".join(n for c in parts if c and (n := g.code_name.get(c, "")) not in SKIP_NAMES)


def strip_city_suffix(name: str) -> str:
    """Short name of a city (包头市 -> 包头)."""
    return _CITY_SUFFIX.sub("", name)


