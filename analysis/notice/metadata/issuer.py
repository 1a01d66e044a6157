"""The issuing organisation, the inspected unit and the unit's type.

An issuer name is a unit plus an organisation ending (东港街道 + 党工委); the endings and their short
forms are in ``data/org_suffixes.csv`` and the unit types in ``data/unit_types.csv``. The issuer is
taken from the title, else from the signature, else from the organisation most often named at the
start of a sentence; a formal full name (中共舟山市普陀区东港街道工作委员会) is shortened to the
form the notice itself uses.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from analysis.fastre import compile_fast
from analysis.notice.metadata.common import CJK, PH, Out
from analysis.notice.metadata.cues import chars, words
from analysis.notice.metadata.gazetteer import scan_places
from analysis.vocab import load_table

_DETERMINERS = frozenset(chars("issuer_determiner_chars"))
_PARTY_PREFIXES = words("party_prefix")
_COMMITTEE = words("committee_word")[0]
_LEVEL = chars("issuer_level_chars")


@lru_cache(maxsize=1)
def unit_keywords() -> list[tuple[str, str]]:
    """(name ending, unit type), longest ending first."""
    rows = [(r.keyword, r.unit_type) for r in load_table("unit_types.csv").itertuples()]
    return sorted(rows, key=lambda r: -len(r[0]))


@lru_cache(maxsize=1)
def org_suffixes() -> list[tuple[str, str]]:
    """(organisation ending, its short form), longest ending first."""
    rows = [(r.suffix, r.short) for r in load_table("org_suffixes.csv").itertuples()]
    return sorted(rows, key=lambda r: -len(r[0]))


def unit_type(name: str | None) -> str | None:
    """Type of a unit by the longest keyword its name ends with; 'other' when none does."""
    if not name:
        return None
    for kw, kind in unit_keywords():
        if name.endswith(kw):
            return kind
    return "other"


def is_specific(unit: str) -> bool:
    """A unit name with a proper name before its type keyword (泰达街道, X路街道; not 街道, 我街道)."""
    for kw, _ in unit_keywords():
        if unit.endswith(kw):
            head = unit[: -len(kw)]
            return bool(head) and head[0] not in _DETERMINERS
    return len(unit) >= 2 and unit[0] not in _DETERMINERS


def org_parts(name: str) -> tuple[str, str | None, bool]:
    """(unit, short form of the organisation ending, formal full name?) of an issuer name."""
    s = name.strip()
    full = False
    for p in _PARTY_PREFIXES:
        if s.startswith(p):
            s, full = s[len(p):], True
    pos = 0
    for start, end, *_ in scan_places(s):
        if start != pos:
            break
        pos = end
    if pos and len(s) > pos:
        rest = s[pos:]
        rest = rest[len(_COMMITTEE):] if rest.startswith(_COMMITTEE) and len(rest) > len(_COMMITTEE) else rest
        if any(rest.endswith(suf) and len(rest) > len(suf) for suf, _ in org_suffixes()):
            s, full = rest, True
    for suf, short in org_suffixes():
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)], short, full
    return s, None, full


def _short_issuer(unit: str, short: str | None, text: str) -> tuple[str, str]:
    """(issuer, unit) in the short form the notice itself uses (东港街道党工委, 区卫生健康局党组)."""
    shorts = sorted({sh for _, sh in org_suffixes()}, key=len, reverse=True)
    alts = "|".join(re.escape(s) for s in shorts)
    # a body without a proper name (卫生健康局) is usually written with its level (区卫生健康局)
    level = f"[{_LEVEL}]?" if unit_type(unit) in ("bureau", "department") else ""
    found = Counter((m.group(1), m.group(2)) for m in re.finditer(f"({level}{re.escape(unit)})({alts})", text))
    if found:
        (u, suf), _ = found.most_common(1)[0]
        return u + suf, u
    return unit + (short or ""), unit


@lru_cache(maxsize=1)
def _mention_re() -> re.Pattern[str]:
    kws = "|".join(re.escape(k) for k, _ in unit_keywords())
    sufs = "|".join(re.escape(s) for s, _ in org_suffixes())
    return compile_fast(rf"(?:^|(?<=[。；！？]))[ \t]*(?P<org>[{PH}{CJK}]{{1,12}}?(?:{kws})(?:{sufs}))", re.M)


def _text_issuer(text: str) -> str | None:
    """Most frequent organisation named at the start of a sentence (X路街道党工委高度重视…)."""
    counts: Counter[str] = Counter()
    for m in _mention_re().finditer(text):
        unit, _, _ = org_parts(m.group("org"))
        if is_specific(unit):
            counts[m.group("org")] += 1
    return counts.most_common(1)[0][0] if counts else None


def _issuer_and_unit(text: str, head: str | None, sig_orgs: list[str]) -> tuple[str | None, str | None, str | None]:
    """(issuer, unit, generic unit): from the title's organisation, the signature or the text.

    The generic unit is the title's organisation when it has no proper name (街道党工委): no
    issuer, but its type still tells the unit type.
    """
    issuer = unit = generic_unit = None
    if head:
        u, short, full = org_parts(head)
        if is_specific(u):
            issuer, unit = _short_issuer(u, short, text) if full else (head, u)
        else:
            generic_unit = u
    for org in sig_orgs if issuer is None else []:
        u, short, full = org_parts(org)
        if is_specific(u):
            issuer, unit = _short_issuer(u, short, text) if full else (org, u)
            break
    if issuer is None and (found := _text_issuer(text)):
        issuer, unit = found, org_parts(found)[0]
    return issuer, unit, generic_unit


def read_issuer(text: str, head: str | None, sig_orgs: list[str], manifest: dict, out: Out) -> None:
    """Issuer, unit and unit type (manifest values win)."""
    issuer, unit, generic_unit = _issuer_and_unit(text, head, sig_orgs)
    out.values["issuer"] = issuer
    if manifest.get("unit"):
        out.set("unit", manifest["unit"], "manifest")
    elif unit:
        out.set("unit", unit, "text:issuer")
    if manifest.get("unit_type"):
        out.set("unit_type", manifest["unit_type"], "manifest")
    else:
        kind = unit_type(out.values["unit"] or generic_unit)
        out.set("unit_type", kind, "manifest" if manifest.get("unit") else "text:issuer")
