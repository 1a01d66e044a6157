"""How a place is spelled in Latin letters: its Hanyu Pinyin and the initials of its syllables.

Government hosts spell the place in pinyin or initials (zhoushan, jn for 济南, ptq for 普陀区). Two
sources: the geocoding data of the ``phonenumbers`` package gives the pinyin of prefecture-level
cities (read as syllables, see :func:`initials_of_pinyin`); ``data/place_initials.csv`` gives the
initial letter(s) of every character of the division names, so a county is matched by its initials
(ptq) or by a pinyin whose syllables start with them (putuo: pu + tuo, p and t). No installed
package gives the full pinyin of counties, so a county spelled in pinyin is matched by its
initials only: looser than a city, and used only where its city or province is known (see
:mod:`.domains`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from analysis.notice.metadata.cues import PLACES, words
from analysis.notice.metadata.gazetteer import gazetteer, is_skipped, scan_places, strip_city_suffix
from analysis.vocab import load_table

# Hanyu Pinyin syllables (initial + final), to split a pinyin into syllables
_INITIALS = ["zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
             "r", "z", "c", "s", "y", "w", ""]
_FINALS = ["iang", "iong", "uang", "ang", "eng", "ing", "ong", "uai", "uan", "ian", "iao", "ai", "ei", "ao",
           "ou", "an", "en", "in", "un", "ia", "ie", "iu", "ua", "uo", "ue", "ui", "ve", "er", "a", "o", "e",
           "i", "u", "v"]
SYLLABLES = frozenset(i + f for i in _INITIALS for f in _FINALS if i or f[0] in "aoe")
_MAX_SYLLABLE = max(len(s) for s in SYLLABLES)
_COUNTY_SUFFIXES = words("county_suffix", PLACES)


def initials_of_pinyin(pinyin: str, n: int) -> set[str]:
    """Initial letters of the readings of ``pinyin`` as ``n`` syllables ('jinan', 2 -> {'jn'})."""
    found: list[tuple[str, bool]] = []

    def walk(rest: str, k: int, acc: str, vowel_start: bool) -> None:
        if not rest:
            if k == 0:
                found.append((acc, vowel_start))
            return
        if k == 0:
            return
        for j in range(1, min(_MAX_SYLLABLE, len(rest)) + 1):
            syl = rest[:j]
            if syl in SYLLABLES:
                walk(rest[j:], k - 1, acc + syl[0], vowel_start or (bool(acc) and syl[0] in "aoe"))

    walk(pinyin, n, "", False)
    clean = {a for a, v in found if not v}
    return clean or {a for a, _ in found}


@lru_cache(maxsize=1)
def char_letters() -> dict[str, str]:
    """Character -> its possible initial letters (``data/place_initials.csv``)."""
    return {r.char: r.initials for r in load_table("place_initials.csv").itertuples()}


def letters(name: str) -> list[str] | None:
    """The possible initial letters of each character of ``name`` (None for an unknown character)."""
    table = char_letters()
    out = [table.get(c) for c in name]
    return None if any(x is None for x in out) else out  # type: ignore[return-value]


def matches_initials(label: str, lets: list[str]) -> bool:
    """Whether ``label`` is one initial per character (ptq for 普陀区; chy for 朝阳区, ch being the
    initial of 朝: a z, c or s may be written with its h)."""
    reach = {0}
    for ls in lets:
        reach = {j for i in reach if i < len(label) and label[i] in ls
                 for j in ((i + 1, i + 2) if label[i] in "zcs" and label[i + 1:i + 2] == "h" else (i + 1,))}
        if not reach:
            return False
    return len(label) in reach


def matches_pinyin(label: str, lets: list[str]) -> bool:
    """Whether ``label`` splits into one pinyin syllable per character, each starting with one of
    that character's initials (putuo for 普陀: pu + tuo)."""
    n = len(lets)
    reach = {0}  # label positions reached after k syllables
    for k in range(n):
        nxt = set()
        for i in reach:
            for j in range(i + 1, min(len(label), i + _MAX_SYLLABLE) + 1):
                if label[i] in lets[k] and label[i:j] in SYLLABLES:
                    nxt.add(j)
        reach = nxt
        if not reach:
            return False
    return len(label) in reach


def name_forms(name: str) -> list[str]:
    """A county's name and its short forms (滨海新区 -> 滨海新区, 滨海新, 滨海)."""
    forms = [name]
    for suf in _COUNTY_SUFFIXES:
        short = name[: -len(suf)]
        if name.endswith(suf) and len(short) >= 2 and short not in forms:
            forms.append(short)
    return forms


def form_letters(name: str) -> list[list[str]]:
    """The initial letters of each form of a county's name (forms with an unknown character left out)."""
    return [lets for form in name_forms(name) if (lets := letters(form)) is not None]


def spelled_as(label: str, forms: list[list[str]]) -> bool:
    """Whether a host label spells a name given by :func:`form_letters`: its initials (ptq) or a
    pinyin whose syllables start with them (putuo)."""
    for lets in forms:
        if len(label) >= 2 and matches_initials(label, lets):
            return True
        if len(label) >= 4 and len(label) > len(lets) and matches_pinyin(label, lets):
            return True
    return False


@lru_cache(maxsize=1)
def city_spellings() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(pinyin -> city codes, initials -> city codes) of the prefecture-level cities (4-digit codes).

    Pinyin from the ``phonenumbers`` geocoding data; initials from that pinyin and from
    ``data/place_initials.csv`` for every city of the gazetteer.
    """
    g = gazetteer()
    pinyin: dict[str, set[str]] = {}
    inits: dict[str, set[str]] = {}
    for city, (py, ini) in _phone_city_pinyin().items():
        pinyin.setdefault(py, set()).add(city)
        for a in ini:
            inits.setdefault(a, set()).add(city)
    for code, name in g.code_name.items():
        if code.endswith("0000") or not code.endswith("00") or is_skipped(name):
            continue
        short = strip_city_suffix(name)
        lets = letters(short)
        if lets is None or len(short) < 2:
            continue
        for a in _expand(lets):
            inits.setdefault(a, set()).add(code[:4])
    return pinyin, inits


def _expand(lets: list[str]) -> set[str]:
    out = {""}
    for ls in lets:
        out = {a + c for a in out for c in ls}
    return out


@lru_cache(maxsize=1)
def _phone_city_pinyin() -> dict[str, tuple[str, set[str]]]:
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
            py = re.sub(r"[^a-z]", "", en_city.lower())
            short = strip_city_suffix(g.code_name.get(city + "00", ""))
            if py and code.endswith("00") and city not in out:
                out[city] = (py, initials_of_pinyin(py, len(short)))
    return out
