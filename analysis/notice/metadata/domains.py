"""Place evidence in e-mail and web domains and in the host of the page's address.

tj.gov.cn -> 天津市, jnsjw@jinan.gov.cn -> 济南市, sz.jinan.gov.cn and www.jnsz.gov.cn -> 济南市市中区,
ptq.zhoushan.gov.cn -> 舟山市普陀区, jw.tj.gov.cn -> 天津市 (jw = 纪委), www.zjsjw.gov.cn -> 浙江省.

The labels of a host are read from the right, each narrowing the place the labels to its right
named. A label is a province label (``data/province_codes.csv``), a city's pinyin or initials, a
county's initials or pinyin (see :mod:`.spelling`), or a run of them (jnsz = jn + sz); labels that
name no place or an organ (``domain_noise``, ``domain_organ`` in ``data/place_cues.csv``) are
skipped or stripped (tjjw -> tj). Where a label could spell several places all are kept, for
other evidence to decide. Cities are read by initials alone only inside their province or before
a county of theirs (jn alone is 济南 or 济宁); a county only inside its city or province, except
in a host's label with no other place, where it only narrows the other evidence (``loose``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from analysis.fastre import compile_fast
from analysis.notice.metadata.cues import PLACES, words
from analysis.notice.metadata.gazetteer import PlacePath, gazetteer, is_skipped
from analysis.notice.metadata.spelling import city_spellings, form_letters, spelled_as
from analysis.vocab import load_table

# a local part starts where its run of address characters starts: the same matches, but a long run
# without @ is read once rather than from each of its positions (quadratic)
EMAIL = compile_fast(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})")
URL = compile_fast(r"(?<![@A-Za-z0-9.-])((?:[A-Za-z0-9-]+\.)+(?:gov\.cn|com\.cn|org\.cn|cn))(?![A-Za-z0-9-])", re.I)
_NOISE = frozenset(words("domain_noise", PLACES))
_ORGANS = tuple(sorted(words("domain_organ", PLACES), key=len, reverse=True))
_MUNICIPALITIES = {"11", "12", "31", "50"}
_MAX_DOMAINS = 20  # distinct domains of a text that are read
_MIN_CITY_PINYIN = 4  # a city's pinyin read without its province (zhoushan); shorter ones are too common

Parse = tuple[PlacePath, bool]  # (path, loose)


@lru_cache(maxsize=1)
def _province_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in load_table("province_codes.csv").itertuples():
        for label in row.domain_labels.split():
            out[label.lower()] = row.code
    return out


@lru_cache(maxsize=1)
def _counties() -> dict[str, list[tuple[str, list[list[str]]]]]:
    """First letter -> [(county code, initial letters of each form of its name)]."""
    g = gazetteer()
    out: dict[str, list[tuple[str, list[list[str]]]]] = {}
    for code, name in sorted(g.code_name.items()):
        if code.endswith("00") or is_skipped(name) or name not in g.names:
            continue
        forms = form_letters(name)
        for first in {c for lets in forms for c in lets[0]}:
            out.setdefault(first, []).append((code, forms))
    return out


def _county_parses(label: str, prov: str | None, city: str | None) -> set[Parse]:
    """Counties the whole label spells, inside ``city`` (or ``prov``; nationwide is loose)."""
    out: set[Parse] = set()
    for code, forms in _counties().get(label[:1], []):
        if city and code[:4] != city or prov and code[:2] != prov:
            continue
        if spelled_as(label, forms):
            out.add(((code[:2], code[:4], code), not prov and not city))
    return out


def _city_candidates(token: str, prov: str | None, whole: bool) -> set[str]:
    """Cities a token spells (pinyin, or initials inside the province or before a county)."""
    pinyin, inits = city_spellings()
    found = set(pinyin.get(token, ()))
    if not prov and whole and len(token) < _MIN_CITY_PINYIN:
        found = set()
    if prov or not whole:
        found |= inits.get(token, set())
    return {c for c in found if not prov or c[:2] == prov}


@lru_cache(maxsize=4096)
def _parse(rest: str, prov: str | None, city: str | None) -> frozenset[Parse]:
    """Every reading of ``rest`` as province, city and county spellings, inside the given place."""
    out: set[Parse] = set()
    if not rest:
        return frozenset({((prov, city, None), False)} if prov or city else set())  # type: ignore[arg-type]
    if prov is None and city is None:
        for label, code in _province_labels().items():
            if rest.startswith(label):
                sub = _parse(rest[len(label):], code, code + "01" if code in _MUNICIPALITIES else None)
                out |= {((code, p[1], p[2]), loose) for p, loose in sub}
    if city is None:
        for k in range(2, len(rest) + 1):
            for c in _city_candidates(rest[:k], prov, whole=k == len(rest)):
                out |= _parse(rest[k:], c[:2], c)
    if city or prov and not any(p[1] and p[2] is None for p, _ in out):  # a city's spelling is the city
        out |= _county_parses(rest, prov, city)
    return frozenset(out)


def _label_parses(label: str, prov: str | None, city: str | None) -> set[Parse]:
    """Readings of one label; a label ending in an organ (tjjw) is read without it."""
    organ = next((o for o in _ORGANS if label.endswith(o)), None)
    if organ is not None:
        for o in _ORGANS:
            if label.endswith(o) and len(label) > len(o) and (found := _parse(label[: -len(o)], prov, city)):
                return set(found)
        return set()
    found = set(_parse(label, prov, city))
    if not found and prov is None and city is None and len(label) >= 2:
        found = _county_parses(label, None, None)  # loose: a county's spelling anywhere
    return found


def host_paths(domain: str) -> tuple[set[PlacePath], bool] | None:
    """Places a domain names, and whether the reading is loose; None when it names none."""
    labels = [x for x in reversed(domain.lower().split(".")) if x and x not in _NOISE and not x.isdigit()]
    state: set[Parse] = {((None, None, None), False)}  # type: ignore[arg-type]
    named = False
    for label in labels:
        new: set[Parse] = set()
        for (p, c, _), loose in state:
            if loose:
                continue
            new |= _label_parses(label, p, c)
        if new:
            state, named = new, True
    if not named:
        return None
    return {p for p, _ in state}, any(loose for _, loose in state)


def domain_paths(domain: str) -> set[PlacePath] | None:
    """Places named by a domain (None when it names none or only loosely)."""
    found = host_paths(domain)
    return found[0] if found and not found[1] else None


def text_domains(text: str) -> list[str]:
    """Distinct lower-cased domains of the e-mail addresses, then the web addresses, of the text."""
    domains = [m.group(1) for m in EMAIL.finditer(text)] + [m.group(1) for m in URL.finditer(text)]
    return list(dict.fromkeys(d.lower() for d in domains))[:_MAX_DOMAINS]


def url_host(url: str) -> str | None:
    """The host of a page address, with or without its scheme (www.x.gov.cn/a.html)."""
    url = url.strip()
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    return host.lower() if host and "." in host else None
