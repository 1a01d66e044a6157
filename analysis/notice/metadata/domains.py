"""Place evidence in e-mail and web domains: tj.gov.cn -> 天津市, jnsjw@jinan.gov.cn -> 济南市.

Province labels come from ``data/province_codes.csv``; a city label is the city's pinyin or the
initials of its syllables (jn for 济南), matched against the city names and pinyin of the geocoding
data of the ``phonenumbers`` package.
"""

from __future__ import annotations

import re
from functools import lru_cache

from analysis.fastre import compile_fast
from analysis.notice.metadata.gazetteer import PlacePath, gazetteer, scan_places, strip_city_suffix
from analysis.vocab import load_table

# a local part starts where its run of address characters starts: the same matches, but a long run
# without @ is read once rather than from each of its positions (quadratic)
EMAIL = compile_fast(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})")
URL = compile_fast(r"(?<![@A-Za-z0-9.-])((?:[A-Za-z0-9-]+\.)+(?:gov\.cn|com\.cn|org\.cn|cn))(?![A-Za-z0-9-])", re.I)
_DOMAIN_NOISE = {"www", "mail", "gov", "cn", "com", "org", "net", "edu", "http", "https"}


@lru_cache(maxsize=1)
def _province_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in load_table("province_codes.csv").itertuples():
        for label in row.domain_labels.split():
            out[label.lower()] = row.code
    return out


# Hanyu Pinyin syllables (initial + final), to split a city's pinyin into syllables
_INITIALS = ["zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
             "r", "z", "c", "s", "y", "w", ""]
_FINALS = ["iang", "iong", "uang", "ang", "eng", "ing", "ong", "uai", "uan", "ian", "iao", "ai", "ei", "ao",
           "ou", "an", "en", "in", "un", "ia", "ie", "iu", "ua", "uo", "ue", "ui", "ve", "er", "a", "o", "e",
           "i", "u", "v"]
_SYLLABLES = {i + f for i in _INITIALS for f in _FINALS if i or f[0] in "aoe"}


def _initials(pinyin: str, n: int) -> set[str]:
    """Initial letters of the readings of ``pinyin`` as ``n`` syllables ('jinan', 2 -> {'jn'})."""
    found: list[tuple[str, bool]] = []

    def walk(rest: str, k: int, acc: str, vowel_start: bool) -> None:
        if not rest:
            if k == 0:
                found.append((acc, vowel_start))
            return
        if k == 0:
            return
        for j in range(1, min(6, len(rest)) + 1):
            syl = rest[:j]
            if syl in _SYLLABLES:
                walk(rest[j:], k - 1, acc + syl[0], vowel_start or (bool(acc) and syl[0] in "aoe"))

    walk(pinyin, n, "", False)
    clean = {a for a, v in found if not v}
    return clean or {a for a, _ in found}


@lru_cache(maxsize=1)
def _city_pinyin() -> dict[str, tuple[str, set[str]]]:
    """City code -> (pinyin, initials), from the geocoding data of the phonenumbers package."""
    try:
        from phonenumbers.geodata import GEOCODE_DATA  # an internal module: guarded, see below
    except ImportError:  # pragma: no cover - layout of the phonenumbers package changed
        return {}
    g = gazetteer()
    out: dict[str, tuple[str, set[str]]] = {}
    for prefix, names in GEOCODE_DATA.items():
        if not prefix.startswith("86") or prefix[2] == "1" and prefix != "8610" or len(prefix) > 6:
            continue
        zh, en = names.get("zh", ""), names.get("en", "")
        if "," not in en:
            continue
        en_cities = en.rsplit(",", 1)[0].split("/")
        zh_found = [c for *_, codes in scan_places(zh, strict=False) for c in codes if not c.endswith("0000")]
        if len(zh_found) != 1 or len(en_cities) != 1:  # lists of cities are not always in the same order
            continue
        for code, en_city in zip(zh_found, en_cities, strict=True):
            city = code[:4]
            pinyin = re.sub(r"[^a-z]", "", en_city.lower())
            short = strip_city_suffix(g.code_name.get(city + "00", ""))
            if pinyin and code.endswith("00") and city not in out:
                out[city] = (pinyin, _initials(pinyin, len(short)))
    return out


def domain_paths(domain: str) -> set[PlacePath] | None:
    """Places named by the labels of a domain (a province label narrows the city labels)."""
    labels = [x for x in domain.lower().split(".") if x and x not in _DOMAIN_NOISE]
    provs = {_province_labels()[x] for x in labels if x in _province_labels()}
    if len(provs) > 1:
        return None
    prov = provs.pop() if provs else None
    cities: set[str] = set()
    for label in labels:
        if label in _province_labels():
            continue
        for city, (pinyin, inits) in _city_pinyin().items():
            if prov and city[:2] == prov and (label == pinyin or label in inits and len(label) >= 2):
                cities.add(city)
            elif not prov and label == pinyin and len(label) >= 4:
                cities.add(city)
    if cities:
        return {(c[:2], c, None) for c in cities}
    return {(prov, None, None)} if prov else None


def text_domains(text: str) -> list[str]:
    """Distinct lower-cased domains of the e-mail addresses, then the web addresses, of the text."""
    domains = [m.group(1) for m in EMAIL.finditer(text)] + [m.group(1) for m in URL.finditer(text)]
    return list(dict.fromkeys(d.lower() for d in domains))
