"""The notice's province, city and district, from the manifest and the evidence of the text and page.

The kinds of evidence, their rank and confidence are in ``data/place_evidence.csv``: the manifest,
the issuer named in the title, the inspected unit (:mod:`.body`), the committees named in the body,
the signature, postal addresses, the area codes of contact phones, e-mail/web domains, the page
chrome (:mod:`.chrome`), the host of the manifest's ``source_url`` (:mod:`.domains`) and the
regulations cited. Each piece names a set of (province, city, county) paths; weighed in rank
order, a piece contradicting the pieces before it is ignored with a warning and sets
``place_conflict``. A level is filled when the remaining paths agree on it (so a province follows
from a unique city or county, and of two counties of one name neither is chosen without other
evidence); its source names the evidence that decided it (``text:address+phone`` when several
pieces were needed together) and its confidence is that evidence's (the lowest of several; one
step higher when two kinds each name it alone). An issuer or inspected unit that is a place itself
(中共舟山市委) makes the notice that place's: no deeper level is read from other evidence.
"""

from __future__ import annotations

from typing import NamedTuple

import phonenumbers
from phonenumbers import geocoder

from analysis.fastre import compile_fast
from analysis.notice.metadata.body import (
    committees,
    inspected,
    masked_spans,
    regulations,
    skip_party,
    unit_cap,
)
from analysis.notice.metadata.chrome import Chrome
from analysis.notice.metadata.common import Out
from analysis.notice.metadata.cues import PLACES, alternation, words
from analysis.notice.metadata.domains import domain_paths, host_paths, text_domains, url_host
from analysis.notice.metadata.evidence import CONFIDENCE, LEVELS, Evidence, kinds, truncate
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
from analysis.notice.metadata.names import chains_in

_MUNICIPALITIES = {"11", "12", "31", "50"}  # Beijing, Tianjin, Shanghai, Chongqing: the province is also the city

_NOT_AFTER = "".join(f"(?<!{w})" for w in words("not_address_after", PLACES))
_ADDRESS = compile_fast(rf"{_NOT_AFTER}(?:{alternation('address_label', PLACES)})[：:]?[ \t]*"
                        r"(?P<v>[^，；。\n]{2,60})")
_PHONE = compile_fast(r"(?<![\d-])[（(]?(?P<ac>0\d{2,3})[）)]?[ \t]*[-－—‐]?[ \t]*(?P<local>\d{7,8})(?![\d-])")
_PHONE_CUE = compile_fast(alternation("phone_cue", PLACES))
_MAX_PHONES = 20  # contact numbers of a text that are read


class Applied(NamedTuple):
    """A piece of evidence that was weighed in: its label, confidence, own and cumulative paths."""

    label: str
    confidence: str
    own: set[PlacePath]
    cumulative: set[PlacePath]


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
                if len(out) >= _MAX_PHONES:
                    break
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
    for key in LEVELS:
        name = (manifest.get(key) or "").strip()
        codes = g.names.get(name) or g.short.get(name) or []
        if codes:
            new = combine(mpaths, {place_path(c) for c in codes})
            mpaths = new or mpaths
    return mpaths


def _issuer(kind: str, name: str) -> Evidence | None:
    """An issuer's name (title or signature); a committee of a place (中共舟山市委) caps the level."""
    if not (p := paths_from_string(name)):
        return None
    head = skip_party(name, 0)
    found = chains_in(name, head, len(name))
    cap = unit_cap(found[0], name[found[0].end:]) if found and found[0].start == head else None
    return Evidence(kind, name, p, cap=cap)


def _evidence(text: str, title_issuer: str | None, sig_orgs: list[str], manifest: dict,
              chrome: Chrome, title: str | None) -> list[Evidence]:
    """Every piece of place evidence, in rank order."""
    items: list[Evidence] = []
    if mpaths := _manifest_paths(manifest):
        items.append(Evidence("manifest", "manifest", mpaths))
    if title_issuer and (ev := _issuer("title", title_issuer)):
        items.append(ev)
    spans = masked_spans(text, [sp for sp in chrome.spans if sp[1] > sp[0]])
    items += [ev for ev in (inspected(text, spans), committees(text, spans, title, sig_orgs)) if ev]
    items += [ev for name in sig_orgs if name and (ev := _issuer("signature", name))]
    for m in _ADDRESS.finditer(text):
        if p := paths_from_string(m.group("v")):
            items.append(Evidence("address", m.group("v"), p))
    for num, desc in _phone_descriptions(text):
        if p := _alternatives(desc):
            items.append(Evidence("phone", num, p))
    for dom in text_domains(text):
        if p := domain_paths(dom):
            items.append(Evidence("domain", dom, p))
    if chrome.evidence:
        items.append(chrome.evidence)
    if (host := url_host(manifest.get("source_url") or "")) and (hp := host_paths(host)):
        items.append(Evidence("source_url", host, hp[0], narrow_only=hp[1]))
    if ev := regulations(text):
        items.append(ev)
    rank = kinds()
    return sorted(items, key=lambda ev: rank[ev.kind].rank)


def _apply(items: list[Evidence], out: Out) -> tuple[list[Applied], set[PlacePath] | None, int | None]:
    """Narrow the paths piece by piece, skipping (with a warning) a piece that contradicts the others.

    Returns the pieces weighed in, the remaining paths and the level cap (see the module docstring).
    """
    caps = [ev.cap for ev in items if ev.cap is not None]
    cap = caps[0] if caps else None
    applied: list[Applied] = []
    paths: set[PlacePath] | None = None
    for ev in items:
        own = truncate(ev.paths, cap) if cap is not None else ev.paths
        if ev.narrow_only and paths is None:
            continue
        new = combine(paths, own)
        if not new:
            if not ev.narrow_only:
                out.warnings.append(f"place evidence {ev.kind} '{ev.what}' contradicts earlier evidence, ignored")
                out.values["place_conflict"] = True
            continue
        paths = new
        kind = kinds()[ev.kind]
        applied.append(Applied(kind.label, kind.confidence, own, new))
    return applied, paths, cap


def _label_source(labels: list[str]) -> str:
    if labels == ["manifest"]:
        return "manifest"
    if labels == ["source_url"]:
        return "source_url"
    return "text:" + "+".join(labels)


def _decide(applied: list[Applied], level: int, value: str) -> tuple[str, str]:
    """(source, confidence) of a level's value: the pieces naming it alone, else those needed up to it."""
    alone = [a for a in applied if {q[level] for q in a.own} == {value}]
    if alone:
        conf = CONFIDENCE.index(alone[0].confidence)
        if len({a.label for a in alone}) >= 2:
            conf = min(conf + 1, len(CONFIDENCE) - 1)
        return _label_source([alone[0].label]), CONFIDENCE[conf]
    needed: list[Applied] = []
    for a in applied:
        needed.append(a)
        if {q[level] for q in a.cumulative} == {value}:
            break
    labels = list(dict.fromkeys(a.label for a in needed))
    return _label_source(labels), min((a.confidence for a in needed), key=CONFIDENCE.index)


Value = tuple[str, str, str]  # (name, source, confidence)


def _resolve(paths: set[PlacePath], applied: list[Applied], cap: int | None, out: Out) -> dict[str, Value | None]:
    """(name, source, confidence) of each level the remaining paths agree on; a warning when they do not."""
    g = gazetteer()
    values: dict[str, Value | None] = dict.fromkeys(LEVELS)
    provs = {q[0] for q in paths}
    prov = next(iter(provs)) if len(provs) == 1 else None
    if prov:
        values["province"] = (g.code_name[prov + "0000"], *_decide(applied, 0, prov))
        if prov in _MUNICIPALITIES:
            values["city"] = values["province"]
    cities = {q[1] for q in paths}
    if values["city"] is None and len(cities) == 1 and None not in cities:
        city = next(iter(cities))
        name = g.code_name.get(city + "00", "")
        if name and not is_skipped(name):
            values["city"] = (name, *_decide(applied, 1, city))
    counties = {q[2] for q in paths}
    if None not in counties and len({g.code_name[c] for c in counties}) == 1:
        county = min(counties)
        if len(counties) == 1:
            values["district"] = (g.code_name[county], *_decide(applied, 2, county))
        else:  # the same name in several cities (普陀区): the name is known, its city is not
            first = next(a for a in applied if any(q[2] in counties for q in a.own))
            values["district"] = (g.code_name[county], _label_source([first.label]), first.confidence)
    if len(provs) > 1 or len(cities - {None}) > 1 and values["city"] is None:
        readings = ", ".join(sorted(path_name(q) for q in paths))
        out.warnings.append(f"place ambiguous ({readings}); left NULL where undecided")
    if cap is not None:
        for level in LEVELS[cap + 1:]:
            if not (level == "city" and prov in _MUNICIPALITIES):
                values[level] = None
    return values


def read_places(text: str, title_issuer: str | None, sig_orgs: list[str], manifest: dict, out: Out,
                chrome: Chrome | None = None, title: str | None = None) -> None:
    """Province / city / district, each with its source and confidence, and ``place_conflict``.

    ``title``: the notice's title (its committee names are the title issuer's evidence)."""
    out.values["place_conflict"] = False
    items = _evidence(text, title_issuer, sig_orgs, manifest, chrome or Chrome(), title)
    applied, paths, cap = _apply(items, out)
    values = _resolve(paths, applied, cap, out) if paths else dict.fromkeys(LEVELS)
    for key in LEVELS:
        if manifest.get(key):
            out.set(key, manifest[key], "manifest")
            out.values[key + "_confidence"] = "high"
        elif values[key]:
            name, source, conf = values[key]
            out.set(key, name, source)
            out.values[key + "_confidence"] = conf
