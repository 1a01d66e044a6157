"""Document metadata of a rectification notice, read from its (normalised) text.

:func:`extract_metadata` returns title, issuer, inspected unit and its type, the place
(province / city / district), the inspection round and group, the inspection, feedback and
publication dates and whether the notice is an anonymised template.

Every place and date value carries a ``<field>_source``:

- ``manifest`` - given by the caller;
- ``text:<evidence>`` - read from the text; evidence is ``issuer`` (the issuer's full name in
  the title or signature), ``address``, ``phone`` (area code), ``domain`` (e-mail/web),
  ``range`` (the inspection date range), ``feedback``, ``signature`` (date under the
  signature), ``page_furniture`` (``发布日期：…``), ``group``, ``statement`` (a year stated in the
  inspection sentence); place values that need several pieces of evidence together join them
  with ``+`` (``text:address+phone``; ``manifest`` may take part: ``text:manifest+phone``);
- ``recovered:<how>`` - repaired damaged text: ``digits`` (a date that lost its 年/月/日
  markers, read only when one reading is valid), ``typo`` (a stray marker, ``2022年2月年10日``),
  ``other_statement`` (a group number lost in one statement and given by another).

Placeholders of anonymised templates (``X``, ``XX``, ``X月X日``) are never read as numbers,
dates or places. Anything ambiguous is left ``None`` with a human-readable warning.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers
from phonenumbers import geocoder

from analysis.fastre import compile_fast
from analysis.genre.numerals import cn_to_int
from analysis.vocab import load_table, package_file

METADATA_FIELDS: list[str] = [
    "title",
    "issuer",
    "unit",
    "unit_source",
    "unit_type",
    "unit_type_source",
    "province",
    "province_source",
    "city",
    "city_source",
    "district",
    "district_source",
    "inspection_round",
    "inspection_group",
    "inspection_group_source",
    "inspection_start",
    "inspection_start_source",
    "inspection_end",
    "inspection_end_source",
    "feedback_date",
    "feedback_date_source",
    "publish_date",
    "publish_date_source",
    "inspection_year",
    "inspection_year_source",
    "anonymized",
    "warnings",
]

_CJK = r"\u4e00-\u9fff"
_NUM = r"[一二三四五六七八九十百零〇两\d]+"
_PH = "X×"  # placeholder characters of anonymised templates
_MUNICIPALITIES = {"11", "12", "31", "50"}
_MAX_RANGE_DAYS = 366
_MAX_FEEDBACK_DAYS = 365


# --------------------------------------------------------------------------- numerals


def _cn_int(s: str) -> int | None:
    """Arabic or Chinese numeral (一, 十五, 二十三, 一百零二) to int; None for placeholders."""
    s = s.strip()
    if not s or any(c in _PH for c in s):
        return None
    return cn_to_int(s, digitwise=True)


def _date(y: int | None, m: int | None, d: int | None) -> dt.date | None:
    if y is None or m is None or d is None:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _month_day_splits(digits: str) -> list[tuple[int, int]]:
    """Every (month, day) reading of a digit run that lost its 月/日 markers: '412' -> (4, 12)."""
    out = []
    for i in range(1, len(digits)):
        ms, ds = digits[:i], digits[i:]
        if len(ms) > 2 or len(ds) > 2:
            continue
        m, d = int(ms), int(ds)
        if 1 <= m <= 12 and 1 <= d <= 31 and _date(2000, m, d):  # 2000 is a leap year: 2-29 allowed
            out.append((m, d))
    return out


# --------------------------------------------------------------------------- date tokens


@dataclass
class _DateTok:
    start: int
    end: int
    raw: str
    kind: str  # full | md | placeholder | digits | typo
    y: int | None = None
    m: int | None = None
    d: int | None = None
    splits: list[tuple[int, int]] = field(default_factory=list)  # for kind == digits

    def readings(self, base_year: int | None = None) -> list[dt.date]:
        """Calendar dates this token can stand for (year from ``base_year`` when it has none)."""
        y = self.y if self.y is not None else base_year
        if self.kind in ("full", "typo", "md"):
            d = _date(y, self.m, self.d)
            return [d] if d else []
        if self.kind == "digits":
            return [d for m, dd in self.splits if (d := _date(y, m, dd))]
        return []


_S = r"[ \t]*"
_TOK_YEAR = compile_fast(
    rf"(?<![\d.])(?P<y>(?:19|20)\d{{2}}|(?:19|20)?[{_PH}]{{2,4}})(?P<rest>[ \t年月\d{_PH}]{{1,14}}?)[日号]"
)
_TOK_MD = compile_fast(rf"(?<![\d年月{_PH}.])(?P<m>\d{{1,2}}|[{_PH}]{{1,2}}){_S}月{_S}(?P<d>\d{{1,2}}|[{_PH}]{{1,2}}){_S}[日号]")
_TOK_CN = compile_fast(
    rf"(?P<y>[〇○零一二三四五六七八九]{{4}}){_S}年{_S}(?P<m>[一二三四五六七八九十]{{1,2}}){_S}月{_S}"
    rf"(?P<d>[一二三四五六七八九十]{{1,3}}){_S}日"
)
_TOK_ISO = compile_fast(r"(?<![\d.])(?P<y>(?:19|20)\d{2})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?![\d.])")
_REST_OK = compile_fast(rf"^年(\d{{1,2}}|[{_PH}]{{1,2}})月(\d{{1,2}}|[{_PH}]{{1,2}})$")
_REST_TYPO = compile_fast(r"^年?[年月]*(\d{1,2})[年月]+(\d{1,2})$")
_REST_DIGITS = compile_fast(r"^年?(\d{2,4})$")


def _is_ph(s: str) -> bool:
    return any(c in _PH for c in s)


def _tokenize_dates(text: str) -> list[_DateTok]:
    """All date-like tokens of the text, in reading order, without overlaps."""
    toks: list[_DateTok] = []
    for m in _TOK_YEAR.finditer(text):
        ys, rest = m.group("y"), re.sub(r"[ \t]", "", m.group("rest"))
        y = None if _is_ph(ys) else int(ys)
        tok = _DateTok(m.start(), m.end(), m.group(0), "placeholder", y)
        if ok := _REST_OK.match(rest):
            if _is_ph(ys) or _is_ph(rest):
                tok.kind = "placeholder"
            else:
                tok.kind, tok.m, tok.d = "full", int(ok.group(1)), int(ok.group(2))
        elif y is not None and (ty := _REST_TYPO.match(rest)):
            tok.kind, tok.m, tok.d = "typo", int(ty.group(1)), int(ty.group(2))
        elif y is not None and (dg := _REST_DIGITS.match(rest)):
            tok.kind, tok.splits = "digits", _month_day_splits(dg.group(1))
        elif not _is_ph(rest) or not rest.startswith("年"):
            continue
        toks.append(tok)
    for m in _TOK_CN.finditer(text):
        toks.append(_DateTok(m.start(), m.end(), m.group(0), "full", _cn_int(m.group("y")),
                             _cn_int(m.group("m")), _cn_int(m.group("d"))))
    for m in _TOK_ISO.finditer(text):
        toks.append(_DateTok(m.start(), m.end(), m.group(0), "full", int(m.group("y")),
                             int(m.group("m")), int(m.group("d"))))
    taken = sorted((t.start, t.end) for t in toks)
    for m in _TOK_MD.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        ph = _is_ph(m.group("m")) or _is_ph(m.group("d"))
        toks.append(_DateTok(m.start(), m.end(), m.group(0), "placeholder" if ph else "md", None,
                             None if ph else int(m.group("m")), None if ph else int(m.group("d"))))
    toks.sort(key=lambda t: t.start)
    out: list[_DateTok] = []
    for t in toks:  # keep the first of overlapping tokens
        if out and t.start < out[-1].end:
            continue
        if t.kind in ("full", "md", "typo") and not _date(t.y or 2000, t.m, t.d):
            continue
        out.append(t)
    return out


_INSPECTION_CUE = compile_fast(r"巡[察视]\S{0,2}组|(?:开展|进行)了?[^。，；]{0,8}巡[察视]|巡[察视]了")
_INSPECTION_ACT = compile_fast(r"(?:开展|进行)了?[^。，；]{0,8}巡[察视]")
_STATED_YEAR = compile_fast(rf"(?<!\d)(?P<y>(?:19|20)\d{{2}})[ \t]*年[ \t]*(?=[，{_PH}\d一二三四五六七八九十]|[上下]半年)")
_RANGE_SEP = compile_fast(r"[ \t]*起?(?:至|到|—{1,2}|-{1,2}|－{1,2}|~|～)[ \t]*")
_DAY_ONLY = compile_fast(r"(?P<d>\d{1,2})[ \t]*[日号]")
_SENT_END = "。！？\n"


@lru_cache(maxsize=4)
def _sentence_marks(text: str) -> list[int]:
    """Positions of every sentence-end mark (computed once per text; str hashes are cached)."""
    return [i for i, c in enumerate(text) if c in _SENT_END]


def _sentence(text: str, pos: int) -> tuple[int, int]:
    """Bounds of the sentence around ``pos``: after the last end mark before it, up to the next one."""
    marks = _sentence_marks(text)
    k = bisect_left(marks, pos)
    return (marks[k - 1] + 1 if k else 0), (marks[k] if k < len(marks) else len(text))


def _source_of(tok: _DateTok, evidence: str) -> str:
    return {"digits": "recovered:digits", "typo": "recovered:typo"}.get(tok.kind, f"text:{evidence}")


# --------------------------------------------------------------------------- gazetteer


Path = tuple[str, str | None, str | None]  # (province 2, city 4, county 6) code prefixes


@dataclass
class _Gazetteer:
    names: dict[str, list[str]]  # full name -> 6-digit codes
    short: dict[str, list[str]]  # short name of a province or city -> codes (manifest matching)
    code_name: dict[str, str]
    max_len: int


_SKIP_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_PROV_SUFFIX = compile_fast(r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")
_CITY_SUFFIX = compile_fast(r"(地区|盟|市)$")


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """Province, city and county names of the national statistics codes shipped with cpca."""
    src = package_file("cpca", "resources", "adcodes.csv")
    code_name: dict[str, str] = {}
    with src.open("r", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code_name.setdefault(row["adcode"][:6], row["name"].strip())
    names: dict[str, list[str]] = {}
    short: dict[str, list[str]] = {}
    for code, name in sorted(code_name.items()):
        if name in _SKIP_NAMES or "直辖" in name or len(name) < 2:
            continue
        names.setdefault(name, []).append(code)
        if code.endswith("0000"):
            short.setdefault(_PROV_SUFFIX.sub("", name), []).append(code)
        elif code.endswith("00"):
            s = _CITY_SUFFIX.sub("", name)
            if len(s) >= 2:
                short.setdefault(s, []).append(code)
    return _Gazetteer(names, short, code_name, max(len(n) for n in names))


def _path(code: str) -> Path:
    if code.endswith("0000"):
        return (code[:2], None, None)
    if code.endswith("00"):
        return (code[:2], code[:4], None)
    return (code[:2], code[:4], code[:6])


def _compatible(a: Path, b: Path) -> bool:
    return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def _merge(a: Path, b: Path) -> Path:
    return tuple(x if x is not None else y for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _combine(paths: set[Path] | None, new: set[Path]) -> set[Path]:
    if paths is None:
        return set(new)
    return {_merge(a, b) for a in paths for b in new if _compatible(a, b)}


def _is_cjk_or_ph(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or c in _PH


def _scan_places(s: str, strict: bool = True) -> list[tuple[int, int, str, list[str]]]:
    """Full place names in ``s``, longest first, left to right.

    A name counts only at a word boundary: the start of the string, after a non-Chinese
    character, right after another place name, or after 中共; so 市中区 inside XX市中区 and
    names inside street names are not read. ``strict=False`` (clean gazetteer-like strings such as
    the phone geocoder's 内蒙古包头市) drops the boundary rule and also reads province short names.
    """
    g = _gazetteer()
    out: list[tuple[int, int, str, list[str]]] = []
    i, last_end = 0, -1
    while i < len(s):
        hit = None
        for n in range(min(g.max_len, len(s) - i), 1, -1):
            codes = g.names.get(s[i:i + n]) or (None if strict else g.short.get(s[i:i + n]))
            if codes and (strict or i == 0 or not all(c.endswith("0000") for c in codes) or n >= 3):
                hit = (n, codes)
                break
        ok = not strict or i == 0 or i == last_end or not _is_cjk_or_ph(s[i - 1]) or s[:i].endswith(("中共", "中国共产党"))
        if hit and ok:
            out.append((i, i + hit[0], s[i:i + hit[0]], hit[1]))
            i += hit[0]
            last_end = i
        else:
            i += 1
    return out


def _paths_from_string(s: str) -> set[Path] | None:
    """Candidate (province, city, county) paths named by a string, earlier names narrowing later ones."""
    paths: set[Path] | None = None
    for *_, codes in _scan_places(s):
        new = _combine(paths, {_path(c) for c in codes})
        if new:  # a name that contradicts the names before it is ignored
            paths = new
    return paths


# --------------------------------------------------------------------------- domains


@lru_cache(maxsize=1)
def _province_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in load_table("province_codes.csv").itertuples():
        for label in row.domain_labels.split():
            out[label.lower()] = row.code
    return out


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


def _alternatives(desc: str) -> set[Path]:
    """Paths of a geocoder description; cities listed with 、 are alternatives (辽宁省沈阳市、铁岭市)."""
    found = _scan_places(desc, strict=False)
    provs = {_path(c) for *_, codes in found for c in codes if c.endswith("0000")}
    out: set[Path] = set()
    for *_, codes in found:
        for c in codes:
            q = _path(c)
            if q[1] and (not provs or any(_compatible(q, p) for p in provs)):
                out.add(q)
    return out or provs


@lru_cache(maxsize=1)
def _city_pinyin() -> dict[str, tuple[str, set[str]]]:
    """City code -> (pinyin, initials), from the geocoding data of the phonenumbers package."""
    try:
        from phonenumbers.geodata import GEOCODE_DATA
    except ImportError:  # pragma: no cover - layout of the phonenumbers package changed
        return {}
    g = _gazetteer()
    out: dict[str, tuple[str, set[str]]] = {}
    for prefix, names in GEOCODE_DATA.items():
        if not prefix.startswith("86") or prefix[2] == "1" and prefix != "8610" or len(prefix) > 6:
            continue
        zh, en = names.get("zh", ""), names.get("en", "")
        if "," not in en:
            continue
        en_cities = en.rsplit(",", 1)[0].split("/")
        zh_found = [c for *_, codes in _scan_places(zh, strict=False) for c in codes if not c.endswith("0000")]
        if len(zh_found) != 1 or len(en_cities) != 1:  # lists of cities are not always in the same order
            continue
        for code, en_city in zip(zh_found, en_cities, strict=True):
            city = code[:4]
            pinyin = re.sub(r"[^a-z]", "", en_city.lower())
            short = _CITY_SUFFIX.sub("", g.code_name.get(city + "00", ""))
            if pinyin and code.endswith("00") and city not in out:
                out[city] = (pinyin, _initials(pinyin, len(short)))
    return out


_EMAIL = compile_fast(r"[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})")
_URL = compile_fast(r"(?<![@A-Za-z0-9.-])((?:[A-Za-z0-9-]+\.)+(?:gov\.cn|com\.cn|org\.cn|cn))(?![A-Za-z0-9-])", re.I)
_DOMAIN_NOISE = {"www", "mail", "gov", "cn", "com", "org", "net", "edu", "http", "https"}


def _domain_paths(domain: str) -> set[Path] | None:
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


# --------------------------------------------------------------------------- evidence in the text

_ADDRESS = compile_fast(r"(?<!电子)(?:邮政信箱|邮寄地址|通讯地址|通信地址|联系地址|来信地址|办公地址|地址|信箱)[：:]?[ \t]*"
                      r"(?P<v>[^，；。\n]{2,60})")
_PHONE = compile_fast(r"(?<![\d-])[（(]?(?P<ac>0\d{2,3})[）)]?[ \t]*[-－—‐]?[ \t]*(?P<local>\d{7,8})(?![\d-])")
_PHONE_CUE = compile_fast(r"电话|热线|传真|联系方式|举报|Tel|TEL|tel")


def _phone_descriptions(text: str) -> list[tuple[str, str]]:
    """(number, 'zh' geocoder description) of landline numbers with an area code."""
    out = []
    for m in _PHONE.finditer(text):
        if not _PHONE_CUE.search(text[max(0, m.start() - 25):m.start()]):
            continue
        digits = m.group("ac")[1:] + m.group("local")
        try:
            num = phonenumbers.parse("+86" + digits)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(num) and phonenumbers.number_type(num) != phonenumbers.PhoneNumberType.MOBILE:
            desc = geocoder.description_for_number(num, "zh")
            if desc:
                out.append((m.group(0), desc))
    return out


# --------------------------------------------------------------------------- organisations


@lru_cache(maxsize=1)
def _unit_keywords() -> list[tuple[str, str]]:
    rows = [(r.keyword, r.unit_type) for r in load_table("unit_types.csv").itertuples()]
    return sorted(rows, key=lambda r: -len(r[0]))


@lru_cache(maxsize=1)
def _org_suffixes() -> list[tuple[str, str]]:
    rows = [(r.suffix, r.short) for r in load_table("org_suffixes.csv").itertuples()]
    return sorted(rows, key=lambda r: -len(r[0]))


_DETERMINERS = set("我本该各全此由经在对向按根据为从将把被使让及与和并而其")


def _unit_type(name: str | None) -> str | None:
    if not name:
        return None
    for kw, kind in _unit_keywords():
        if name.endswith(kw):
            return kind
    return "other"


def _is_specific(unit: str) -> bool:
    """A unit name with a proper name before its type keyword (泰达街道, X路街道; not 街道, 我街道)."""
    for kw, _ in _unit_keywords():
        if unit.endswith(kw):
            head = unit[: -len(kw)]
            return bool(head) and head[0] not in _DETERMINERS
    return len(unit) >= 2 and unit[0] not in _DETERMINERS


def _org_parts(name: str) -> tuple[str, str | None, bool]:
    """(unit, short form of the organisation ending, formal full name?) of an issuer name."""
    s = name.strip()
    full = False
    for p in ("中国共产党", "中共"):
        if s.startswith(p):
            s, full = s[len(p):], True
    pos = 0
    for start, end, *_ in _scan_places(s):
        if start != pos:
            break
        pos = end
    if pos and len(s) > pos:
        rest = s[pos:]
        rest = rest[3:] if rest.startswith("委员会") and len(rest) > 3 else rest
        if any(rest.endswith(suf) and len(rest) > len(suf) for suf, _ in _org_suffixes()):
            s, full = rest, True
    for suf, short in _org_suffixes():
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)], short, full
    return s, None, full


def _short_issuer(unit: str, short: str | None, text: str) -> tuple[str, str]:
    """(issuer, unit) in the short form the notice itself uses (东港街道党工委, 区卫生健康局党组)."""
    shorts = sorted({sh for _, sh in _org_suffixes()}, key=len, reverse=True)
    alts = "|".join(re.escape(s) for s in shorts)
    # a body without a proper name (卫生健康局) is usually written with its level (区卫生健康局)
    level = "[省市区县旗]?" if _unit_type(unit) in ("bureau", "department") else ""
    found = Counter((m.group(1), m.group(2)) for m in re.finditer(f"({level}{re.escape(unit)})({alts})", text))
    if found:
        (u, suf), _ = found.most_common(1)[0]
        return u + suf, u
    return unit + (short or ""), unit


@lru_cache(maxsize=1)
def _mention_re() -> re.Pattern[str]:
    kws = "|".join(re.escape(k) for k, _ in _unit_keywords())
    sufs = "|".join(re.escape(s) for s, _ in _org_suffixes())
    return compile_fast(rf"(?:^|(?<=[。；！？]))[ \t]*(?P<org>[{_PH}{_CJK}]{{1,12}}?(?:{kws})(?:{sufs}))", re.M)


def _text_issuer(text: str) -> str | None:
    """Most frequent organisation named at the start of a sentence (X路街道党工委高度重视…)."""
    counts: Counter[str] = Counter()
    for m in _mention_re().finditer(text):
        unit, _, _ = _org_parts(m.group("org"))
        if _is_specific(unit):
            counts[m.group("org")] += 1
    return counts.most_common(1)[0][0] if counts else None


# --------------------------------------------------------------------------- title and signature

_TITLE_END = compile_fast(r"(通报|公告|公示)[》”]?$")
_TITLE_PART = compile_fast(rf"^[{_CJK}{_PH}0-9（）《》“”·]+$")
_SENT_PUNCT = compile_fast(r"[，。；！？：]")
_FURNITURE = compile_fast(r"发布日期|发布时间|浏览次数|字体|打印本页|关闭窗口|来源[：:]|分享到|上一篇|下一篇|责任编辑|"
                        r"【|】|^\W*$|^（[^）]{0,20}）$")
_ORG_LINE_MAX = 40


def _title(lines: list[str]) -> str | None:
    """First line(s) forming a title that ends in 通报 (two or three adjacent lines are joined)."""
    seen = 0
    for i, line in enumerate(lines):
        if not line:
            continue
        seen += 1
        if seen > 6 or len(line) > 100:
            return None
        if _TITLE_END.search(line) and not _SENT_PUNCT.search(line):
            parts, k = [line], i - 1
            while k >= 0 and len(parts) < 3 and len(lines[k]) <= _ORG_LINE_MAX and _TITLE_PART.match(lines[k]):
                parts.insert(0, lines[k])
                k -= 1
            return "".join(parts)
        if "。" in line:
            return None
    return None


def _title_issuer(title: str) -> str | None:
    """Issuing organisation named in a title: before 关于, or right after it (关于XX镇党委巡察整改…)."""
    head = title.split("关于", 1)[0] if "关于" in title else re.split(r"巡察|巡视|对", title, maxsplit=1)[0]
    head = head.split("所属", 1)[0].strip()
    if re.search("巡[察视]", head):  # the inspection office publishing for the unit (区委巡察办关于XX镇党委…)
        head = ""
    if not head and "关于" in title:
        after = re.split(r"巡察|巡视|落实|对|关于", title.split("关于", 1)[1], maxsplit=1)[0]
        if _org_parts(after)[1]:
            head = after
    return head or None


def _is_org_line(line: str) -> bool:
    return (0 < len(line) <= _ORG_LINE_MAX and not _SENT_PUNCT.search(line)
            and any(line.endswith(s) for s, _ in _org_suffixes()))


_DATE_LINE = compile_fast(r"^(?P<org>.*?)[ \t]*(?P<date>(?:19|20)\d{2}[ \t]*年.*日|[〇○零一二三四五六七八九]{4}[ \t]*年.*日|"
                        r"(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2})$")


def _signature(lines: list[str]) -> tuple[list[str], _DateTok | None]:
    """Organisation line(s) and date at the end of the notice."""
    orgs: list[str] = []
    date: _DateTok | None = None
    tail = [ln for ln in lines if ln][-8:]
    for line in reversed(tail):
        if _FURNITURE.search(line):
            continue
        m = _DATE_LINE.match(line)
        toks = _tokenize_dates(m.group("date")) if m and date is None and not orgs else []
        if toks and len(toks) == 1 and toks[0].kind == "full" and toks[0].raw == m.group("date"):
            date = toks[0]
            if m.group("org") and _is_org_line(m.group("org")):
                orgs.insert(0, m.group("org"))
            continue
        if _is_org_line(line) and len(orgs) < 2:
            orgs.insert(0, line)
            continue
        break
    return orgs, date


_FURNITURE_DATE = compile_fast(r"(?:发布|发表|更新|发文|成文|公开|信息)(?:日期|时间)[：:][ \t]*(?P<date>[^ \t\n]{6,20})")


# --------------------------------------------------------------------------- the extractor


@dataclass
class _Out:
    values: dict = field(default_factory=lambda: dict.fromkeys(METADATA_FIELDS))
    warnings: list[str] = field(default_factory=list)

    def set(self, key: str, value, source: str | None) -> None:
        self.values[key] = value
        self.values[key + "_source"] = source if value is not None else None


def _is_anonymized(text: str, toks: list[_DateTok]) -> bool:
    """Placeholder dates (X月X日) or at least two placeholders in name/number slots (XX同志, 第X)."""
    if any(t.kind == "placeholder" for t in toks):
        return True
    marks = re.findall(rf"(?<![A-Za-z])(?:[{_PH}]{{2,}}|[{_PH}](?=[月日年次个名人项件同省市区县路街镇乡村])|(?<=第)[{_PH}])"
                       r"(?![A-Za-z])", text)
    return len(marks) >= 2


def _inspection_range(text: str, toks: list[_DateTok], out: _Out) -> tuple[_DateTok | None, int | None]:
    """Inspection start and end from the first date range in a sentence about the inspection."""
    for i, t1 in enumerate(toks):
        sep = _RANGE_SEP.match(text, t1.end)
        if not sep:
            continue
        t2 = toks[i + 1] if i + 1 < len(toks) and toks[i + 1].start == sep.end() else None
        if t2 is None and (dm := _DAY_ONLY.match(text, sep.end())) and t1.m:
            t2 = _DateTok(dm.start(), dm.end(), dm.group(0), "md", None, t1.m, int(dm.group("d")))
        if t2 is None:
            continue
        s0, s1 = _sentence(text, t1.start)
        if not _INSPECTION_CUE.search(text[s0:s1]):
            continue
        raw = text[t1.start:t2.end]
        starts = t1.readings()
        pairs = []
        for s in starts:
            for base in (s.year, s.year + 1) if t2.y is None else (None,):
                for e in t2.readings(base):
                    if 0 <= (e - s).days <= _MAX_RANGE_DAYS and (s, e) not in pairs:
                        pairs.append((s, e))
        if not starts and t1.kind != "placeholder":
            out.warnings.append(f"inspection start '{t1.raw}' unreadable, left NULL")
        sset, eset = {p[0] for p in pairs}, {p[1] for p in pairs}
        if len(sset) == 1:
            out.set("inspection_start", sset.pop(), _source_of(t1, "range"))
        elif starts:
            out.warnings.append(f"inspection dates '{raw}' ambiguous, start left NULL")
        if len(eset) == 1:
            out.set("inspection_end", eset.pop(), _source_of(t2, "range"))
        elif starts and t2.kind != "placeholder":
            out.warnings.append(f"inspection dates '{raw}' ambiguous, end left NULL")
        for key, tok in (("inspection_start", t1), ("inspection_end", t2)):
            if out.values[key] and tok.kind in ("digits", "typo"):
                out.warnings.append(f"{key.replace('_', ' ')} '{tok.raw}' recovered as {out.values[key]}")
        return t1, s0
    return None, None


def _in_range(text: str, toks: list[_DateTok], item: _DateTok) -> bool:
    """Whether ``item`` is one end of a date range (a range end is not a feedback date).

    ``toks`` are sorted and do not overlap (as :func:`_tokenize_dates` returns them), so only the
    token right after the separator, or the nearest token ending before ``item``, can pair with it.
    """
    starts = [t.start for t in toks]
    sep = _RANGE_SEP.match(text, item.end)
    if sep:
        k = bisect_left(starts, sep.end())
        if k < len(toks) and toks[k].start == sep.end():
            return True
    k = bisect_right(starts, item.start) - 1
    while k >= 0 and toks[k].end > item.start:
        k -= 1
    return k >= 0 and bool(_RANGE_SEP.fullmatch(text, toks[k].end, item.start))


_BARE = compile_fast(rf"(?<=[{_CJK}])(?P<n>\d{{2,4}})(?=[{_CJK}])(?![个项名人次件条万元家户份年月日号批轮届组期岁天])")
# between a date and 反馈: words that make the date something else (a deadline, a meeting about the feedback)
_DEADLINE = compile_fast(r"以前|之前|以来|期间|截至|截止|前")
_FEEDBACK_BLOCK = compile_fast(r"以前|之前|以来|期间|截至|截止|前|召开|研究|制定|印发|学习|部署|讨论|整改|针对|对照|梳理|会议")


def _feedback(text: str, toks: list[_DateTok], out: _Out) -> None:
    """Feedback date: the date nearest before 反馈 in a sentence about the inspection feedback."""
    end = out.values["inspection_end"]
    start = out.values["inspection_start"]
    base_year = end.year if end else start.year if start else out.values["inspection_year"]
    statements: list[tuple[dt.date, str, str]] = []
    for m in re.finditer("反馈", text):
        pos = m.start()
        if text[max(0, pos - 2):pos] == "巡察" and not text.startswith("会", m.end()):
            continue  # 巡察反馈问题/意见: a noun phrase, not the act of feedback
        s0, _ = _sentence(text, pos)
        lo = max(s0, pos - 60)
        cands = [t for t in toks if lo <= t.start and t.end <= pos]
        item: _DateTok | None = cands[-1] if cands else None
        for b in _BARE.finditer(text, lo, pos):
            if item is None or b.start() >= item.end:
                item = _DateTok(b.start(), b.end(), b.group("n"), "digits", None,
                                splits=_month_day_splits(b.group("n")))
        if item is None:
            continue
        gap = text[item.end:pos]
        s1 = _sentence(text, pos)[1]
        block = _DEADLINE if text.startswith("会", m.end()) else _FEEDBACK_BLOCK  # 召开巡察反馈会 is fine
        if re.search("[。；]", gap) or block.search(gap) or not re.search("巡[察视]", text[s0:s1]) \
                or re.match("[至给到]", text[m.end():]):
            continue
        if _in_range(text, toks, item):
            continue
        if item.kind == "placeholder":
            continue
        raw = text[item.start:min(item.end + 2, pos)] if item.kind == "digits" and item.y is None else item.raw
        readings = []
        for y in ([item.y] if item.y is not None else [base_year, base_year + 1] if base_year else [None]):
            for d in item.readings(y):
                inferred = item.kind in ("md", "digits")  # the year or the month/day split is a guess
                if inferred and end and not 0 <= (d - end).days <= _MAX_FEEDBACK_DAYS:
                    continue
                if not end and start and d < start:
                    continue
                if item.y is None and end is None and y != base_year:
                    continue
                readings.append(d)
        readings = sorted(set(readings))
        if item.kind == "md" and len(readings) > 1:
            readings = readings[:1]  # same-year reading of a date stated without its year
        if item.y is None and base_year is None:
            out.warnings.append(f"feedback date '{raw}' has no year and the inspection year is unknown, left NULL")
        elif len(readings) == 1:
            statements.append((readings[0], _source_of(item, "feedback"), raw))
            if item.kind in ("digits", "typo"):
                out.warnings.append(f"feedback date '{raw}' recovered as {readings[0]}")
        else:
            shown = ", ".join(str(d) for d in readings) or "no valid reading"
            out.warnings.append(f"feedback date '{raw}' ambiguous ({shown}), left NULL")
    if statements:
        date, source, raw = statements[0]
        out.set("feedback_date", date, source)
        others = sorted({d for d, _, _ in statements[1:] if d != date})
        if others:
            out.warnings.append(f"feedback date stated with different days ({date} and "
                                f"{', '.join(map(str, others))}); took the first, {date}")
        if end and date < end:
            out.warnings.append(f"feedback date {date} is before the inspection end {end}")


_GROUP = compile_fast(rf"第(?P<a>{_NUM}|[{_PH}]{{1,3}})?巡察小?组|巡察第?(?P<b>{_NUM}|[{_PH}]{{1,3}})小?组")


def _group(text: str, out: _Out) -> None:
    """Inspection group number: the first numbered statement (区委巡察五组, 第二巡察组); X is no number."""
    first_lost = None
    numbers: list[int] = []
    for m in _GROUP.finditer(text):
        val = m.group("a") or m.group("b")
        if val is None:
            first_lost = first_lost if first_lost is not None or numbers else m.group(0)
            continue
        n = _cn_int(val)
        if n:
            numbers.append(n)
    if not numbers:
        if first_lost:
            out.warnings.append(f"inspection group number lost ('{first_lost}'), left NULL")
        return
    source = "recovered:other_statement" if first_lost else "text:group"
    out.set("inspection_group", numbers[0], source)
    if first_lost:
        out.warnings.append(f"inspection group number lost in '{first_lost}', recovered as {numbers[0]} "
                            "from another statement")
    if len(set(numbers)) > 1:
        out.warnings.append(f"inspection group stated as {sorted(set(numbers))}; took the first, {numbers[0]}")


_ROUND = compile_fast(rf"(?:{_NUM}届)?(?:中共)?(?:[省市区县州旗盟]委)?第{_NUM}轮(?:第{_NUM}批)?")


def _round(title: str | None, text: str, range_sentence: int | None) -> str | None:
    """Inspection round from the title, or from the sentence that states the inspection."""
    if title and (m := _ROUND.search(title)):
        return m.group(0)
    for m in _ROUND.finditer(text):
        s0, s1 = _sentence(text, m.start())
        if "统一部署" in text[s0:s1] or s0 == range_sentence:
            return m.group(0)
    return None


def _path_name(q: Path) -> str:
    g = _gazetteer()
    parts = [q[0] + "0000", q[1] + "00" if q[1] else None, q[2]]
    return "".join(n for c in parts if c and (n := g.code_name.get(c, "")) not in _SKIP_NAMES)


def _places(text: str, title_issuer: str | None, sig_orgs: list[str], manifest: dict, out: _Out) -> None:
    """Province / city / district from manifest, issuer name, address, phone and domain evidence."""
    g = _gazetteer()
    items: list[tuple[str, str, set[Path]]] = []  # (label, what, paths) in priority order
    mpaths: set[Path] | None = None
    for key in ("province", "city", "district"):
        name = (manifest.get(key) or "").strip()
        codes = g.names.get(name) or g.short.get(name) or []
        if codes:
            new = _combine(mpaths, {_path(c) for c in codes})
            mpaths = new or mpaths
    if mpaths:
        items.append(("manifest", "manifest", mpaths))
    for name in [n for n in [title_issuer, *sig_orgs] if n]:
        if p := _paths_from_string(name):
            items.append(("issuer", name, p))
    for m in _ADDRESS.finditer(text):
        if p := _paths_from_string(m.group("v")):
            items.append(("address", m.group("v"), p))
    for num, desc in _phone_descriptions(text):
        if p := _alternatives(desc):
            items.append(("phone", num, p))
    domains = [m.group(1) for m in _EMAIL.finditer(text)] + [m.group(1) for m in _URL.finditer(text)]
    for dom in dict.fromkeys(d.lower() for d in domains):
        if p := _domain_paths(dom):
            items.append(("domain", dom, p))

    applied: list[tuple[str, set[Path], set[Path]]] = []  # (label, own paths, cumulative paths)
    paths: set[Path] | None = None
    for label, what, p in items:
        new = _combine(paths, p)
        if not new:
            out.warnings.append(f"place evidence {label} '{what}' contradicts earlier evidence, ignored")
            continue
        paths = new
        applied.append((label, p, new))
    if not paths:
        for key in ("province", "city", "district"):
            if manifest.get(key):
                out.set(key, manifest[key], "manifest")
        return

    def source(level: int, value: str) -> str:
        for label, own, _ in applied:  # one piece of evidence that names the value alone
            if {q[level] for q in own} == {value}:
                return "manifest" if label == "manifest" else f"text:{label}"
        labels: list[str] = []
        for label, _, cum in applied:
            labels.append(label)
            if {q[level] for q in cum} == {value}:
                break
        return "text:" + "+".join(dict.fromkeys(labels))

    values: dict[str, tuple[str, str] | None] = dict.fromkeys(("province", "city", "district"))
    provs = {q[0] for q in paths}
    prov = next(iter(provs)) if len(provs) == 1 else None
    if prov:
        values["province"] = (g.code_name[prov + "0000"], source(0, prov))
        if prov in _MUNICIPALITIES:
            values["city"] = values["province"]
    cities = {q[1] for q in paths}
    if values["city"] is None and len(cities) == 1 and None not in cities:
        city = next(iter(cities))
        name = g.code_name.get(city + "00", "")
        if name and name not in _SKIP_NAMES and "直辖" not in name:
            values["city"] = (name, source(1, city))
    counties = {q[2] for q in paths}
    if None not in counties and len({g.code_name[c] for c in counties}) == 1:
        county = min(counties)
        if len(counties) == 1:
            values["district"] = (g.code_name[county], source(2, county))
        else:  # the same name in several cities (普陀区): the name is known, its city is not
            label = next(lb for lb, own, _ in applied if any(q[2] in counties for q in own))
            values["district"] = (g.code_name[county], "manifest" if label == "manifest" else f"text:{label}")
    if len(provs) > 1 or len(cities - {None}) > 1 and values["city"] is None:
        readings = ", ".join(sorted(_path_name(q) for q in paths))
        out.warnings.append(f"place ambiguous ({readings}); left NULL where undecided")
    for key in ("province", "city", "district"):
        if manifest.get(key):
            out.set(key, manifest[key], "manifest")
        elif values[key]:
            out.set(key, *values[key])


def extract_metadata(text: str, manifest: dict | None = None) -> dict:
    """Metadata of one notice from its normalised text; manifest values win, text fills the rest.

    Returns a dict with the keys of :data:`METADATA_FIELDS`.
    """
    manifest = {k: (v or "").strip() if isinstance(v, str) else "" for k, v in (manifest or {}).items()}
    out = _Out()
    lines = [ln.strip() for ln in text.split("\n")]
    toks = _tokenize_dates(text)
    out.values["anonymized"] = _is_anonymized(text, toks)

    # title, issuer, unit
    title = _title(lines)
    out.values["title"] = title
    sig_orgs, sig_date = _signature(lines)
    head = _title_issuer(title) if title else None
    issuer = unit = None
    generic_unit = None
    if head:
        u, short, full = _org_parts(head)
        if _is_specific(u):
            issuer, unit = _short_issuer(u, short, text) if full else (head, u)
        else:
            generic_unit = u
    for org in sig_orgs if issuer is None else []:
        u, short, full = _org_parts(org)
        if _is_specific(u):
            issuer, unit = _short_issuer(u, short, text) if full else (org, u)
            break
    if issuer is None and (found := _text_issuer(text)):
        issuer, unit = found, _org_parts(found)[0]
    out.values["issuer"] = issuer
    if manifest.get("unit"):
        out.set("unit", manifest["unit"], "manifest")
    elif unit:
        out.set("unit", unit, "text:issuer")
    if manifest.get("unit_type"):
        out.set("unit_type", manifest["unit_type"], "manifest")
    else:
        base = out.values["unit"] or generic_unit
        kind = _unit_type(base)
        out.set("unit_type", kind, "manifest" if manifest.get("unit") else "text:issuer")

    # places
    _places(text, head, sig_orgs, manifest, out)

    # dates
    for t in toks:
        if t.kind == "typo":
            out.warnings.append(f"date typo '{t.raw}' read as {_date(t.y, t.m, t.d)}")
    range_tok, range_sentence = _inspection_range(text, toks, out)
    if out.values["inspection_start"]:
        out.set("inspection_year", out.values["inspection_start"].year, out.values["inspection_start_source"])
    elif range_tok is not None and range_tok.y:
        out.set("inspection_year", range_tok.y, "text:range")
    else:
        for m in _STATED_YEAR.finditer(text):
            s0, s1 = _sentence(text, m.start())
            if _INSPECTION_ACT.search(text[s0:s1]) and "反馈" not in text[s0:s1]:
                out.set("inspection_year", int(m.group("y")), "text:statement")
                break
    _feedback(text, toks, out)
    fdate = None
    for m in _FURNITURE_DATE.finditer(text):
        ft = [t for t in _tokenize_dates(m.group("date")) if t.kind == "full" and t.start == 0]
        if ft:
            fdate = _date(ft[0].y, ft[0].m, ft[0].d)
            break
    if sig_date:
        out.set("publish_date", _date(sig_date.y, sig_date.m, sig_date.d), "text:signature")
        if fdate and fdate != out.values["publish_date"]:
            out.warnings.append(f"page furniture date {fdate} differs from the signature date; took the signature")
    elif fdate:
        out.set("publish_date", fdate, "text:page_furniture")
    pub, fb = out.values["publish_date"], out.values["feedback_date"]
    if pub and fb and pub < fb:
        out.warnings.append(f"publish date {pub} is before the feedback date {fb}")

    # group and round
    _group(text, out)
    out.values["inspection_round"] = _round(title, text, range_sentence)
    out.values["warnings"] = out.warnings
    return {k: out.values[k] for k in METADATA_FIELDS}
