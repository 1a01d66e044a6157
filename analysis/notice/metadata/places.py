"""The notice's province, city and district, from the manifest and evidence in the text.

Evidence, in priority order: the manifest, the issuer's full name (title or signature), postal
addresses, the area codes of contact phone numbers and e-mail/web domains. Each piece names a set of
(province, city, county) paths; a piece contradicting the pieces before it is ignored with a warning.
A level is filled when the remaining paths agree on it; its source names the evidence that decided
it (``text:address+phone`` when several pieces were needed together).
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import geocoder

from analysis.fastre import compile_fast
from analysis.notice.metadata.common import Out
from analysis.notice.metadata.cues import PLACES, alternation, words
from analysis.notice.metadata.domains import domain_paths, text_domains
from analysis.notice.metadata.gazetteer import (
    PlacePath,
    combine,
    compatible,
    gazetteer,
    is_skipped,
    path_name,
    paths_from_string,
    place_path,
    scan_places,
)

_MUNICIPALITIES = {"11", "12", "31", "50"}  # Beijing, Tianjin, Shanghai, Chongqing: the province is also the city
_LEVELS = ("province", "city", "district")

_NOT_AFTER = "".join(f"(?<!{w})" for w in words("not_address_after", PLACES))
_ADDRESS = compile_fast(rf"{_NOT_AFTER}(?:{alternation('address_label', PLACES)})[：:]?[ \t]*"
                        r"(?P<v>[^，；。\n]{2,60})")
_PHONE = compile_fast(r"(?<![\d-])[（(]?(?P<ac>0\d{2,3})[）)]?[ \t]*[-－—‐]?[ \t]*(?P<local>\d{7,8})(?![\d-])")
_PHONE_CUE = compile_fast(alternation("phone_cue", PLACES))

Evidence = tuple[str, str, set[PlacePath]]  # (label, what was read, paths)
Applied = tuple[str, set[PlacePath], set[PlacePath]]  # (label, own paths, cumulative paths)


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


def _alternatives(desc: str) -> set[PlacePath]:
    """Paths of a geocoder description; cities listed with 、 are alternatives (辽宁省沈阳市、铁岭市)."""
    found = scan_places(desc, strict=False)
    provs = {place_path(c) for *_, codes in found for c in codes if c.endswith("0000")}
    out: set[PlacePath] = set()
    for *_, codes in found:
        for c in codes:
            q = place_path(c)
            if q[1] and (not provs or any(compatible(q, p) for p in provs)):
                out.add(q)
    return out or provs


def _manifest_paths(manifest: dict) -> set[PlacePath] | None:
    g = gazetteer()
    mpaths: set[PlacePath] | None = None
    for key in _LEVELS:
        name = (manifest.get(key) or "").strip()
        codes = g.names.get(name) or g.short.get(name) or []
        if codes:
            new = combine(mpaths, {place_path(c) for c in codes})
            mpaths = new or mpaths
    return mpaths


def _evidence(text: str, title_issuer: str | None, sig_orgs: list[str], manifest: dict) -> list[Evidence]:
    """Every piece of place evidence, in priority order."""
    items: list[Evidence] = []
    if mpaths := _manifest_paths(manifest):
        items.append(("manifest", "manifest", mpaths))
    for name in [n for n in [title_issuer, *sig_orgs] if n]:
        if p := paths_from_string(name):
            items.append(("issuer", name, p))
    for m in _ADDRESS.finditer(text):
        if p := paths_from_string(m.group("v")):
            items.append(("address", m.group("v"), p))
    for num, desc in _phone_descriptions(text):
        if p := _alternatives(desc):
            items.append(("phone", num, p))
    for dom in text_domains(text):
        if p := domain_paths(dom):
            items.append(("domain", dom, p))
    return items


def _apply(items: list[Evidence], out: Out) -> tuple[list[Applied], set[PlacePath] | None]:
    """Narrow the paths piece by piece, skipping (with a warning) a piece that contradicts the others."""
    applied: list[Applied] = []
    paths: set[PlacePath] | None = None
    for label, what, p in items:
        new = combine(paths, p)
        if not new:
            out.warnings.append(f"place evidence {label} '{what}' contradicts earlier evidence, ignored")
            continue
        paths = new
        applied.append((label, p, new))
    return applied, paths


def _source(applied: list[Applied], level: int, value: str) -> str:
    """Source of a level's value: one piece naming it alone, else the pieces needed up to it."""
    for label, own, _ in applied:
        if {q[level] for q in own} == {value}:
            return "manifest" if label == "manifest" else f"text:{label}"
    labels: list[str] = []
    for label, _, cum in applied:
        labels.append(label)
        if {q[level] for q in cum} == {value}:
            break
    return "text:" + "+".join(dict.fromkeys(labels))


def _resolve(paths: set[PlacePath], applied: list[Applied], out: Out) -> dict[str, tuple[str, str] | None]:
    """(name, source) of each level the remaining paths agree on; a warning when they do not."""
    g = gazetteer()
    values: dict[str, tuple[str, str] | None] = dict.fromkeys(_LEVELS)
    provs = {q[0] for q in paths}
    prov = next(iter(provs)) if len(provs) == 1 else None
    if prov:
        values["province"] = (g.code_name[prov + "0000"], _source(applied, 0, prov))
        if prov in _MUNICIPALITIES:
            values["city"] = values["province"]
    cities = {q[1] for q in paths}
    if values["city"] is None and len(cities) == 1 and None not in cities:
        city = next(iter(cities))
        name = g.code_name.get(city + "00", "")
        if name and not is_skipped(name):
            values["city"] = (name, _source(applied, 1, city))
    counties = {q[2] for q in paths}
    if None not in counties and len({g.code_name[c] for c in counties}) == 1:
        county = min(counties)
        if len(counties) == 1:
            values["district"] = (g.code_name[county], _source(applied, 2, county))
        else:  # the same name in several cities (普陀区): the name is known, its city is not
            label = next(lb for lb, own, _ in applied if any(q[2] in counties for q in own))
            values["district"] = (g.code_name[county], "manifest" if label == "manifest" else f"text:{label}")
    if len(provs) > 1 or len(cities - {None}) > 1 and values["city"] is None:
        readings = ", ".join(sorted(path_name(q) for q in paths))
        out.warnings.append(f"place ambiguous ({readings}); left NULL where undecided")
    return values


def read_places(text: str, title_issuer: str | None, sig_orgs: list[str], manifest: dict, out: Out) -> None:
    """Province / city / district from manifest, issuer name, address, phone and domain evidence."""
    applied, paths = _apply(_evidence(text, title_issuer, sig_orgs, manifest), out)
    values = _resolve(paths, applied, out) if paths else dict.fromkeys(_LEVELS)
    for key in _LEVELS:
        if manifest.get(key):
            out.set(key, manifest[key], "manifest")
        elif values[key]:
            out.set(key, *values[key])
