"""Place evidence in the body of a notice: the inspected unit, the committees it names, the
regulations it cites.

- *inspected*: the unit of the inspection sentence (区委第二巡察组对[普陀区东港街道]开展了常规巡察,
  省委第七巡视组对[舟山市普陀区]开展了巡视, 巡视组进驻[…]开展巡视), when it starts with a place name;
  when the unit is the place itself (对舟山市普陀区…, 对中共舟山市委…) it caps the notice's level;
- *committee*: place names right before a committee, commission or government word (普陀区委把巡视整改…,
  中共沛县县委, 舟山市纪委监委), outside book titles and quotations, the majority of them;
- *regulation*: book titles that start with a place name (《舟山市…办法》, 《中共浙江省委…》), weak
  evidence of the place that issued them, the majority of them.

Names inside a book title or a quotation are never read as the notice's own place, except as
*regulation* evidence. Every pattern reads a bounded window once.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from analysis.fastre import compile_fast
from analysis.genre.titles import find_titles
from analysis.notice.metadata.cues import PLACES, alternation, chars, words
from analysis.notice.metadata.evidence import Evidence, consensus, depth
from analysis.notice.metadata.issuer import unit_keywords
from analysis.notice.metadata.names import Chain, chain_ending_at, chains_in

_PARTY = tuple(words("party_prefix"))
_ORGANS = tuple(words("organ_after_place", PLACES))
_NOT_ORGANS = tuple(words("organ_false", PLACES))
_UNIT_TAILS = frozenset(words("place_unit_tail", PLACES))
_LEADS = tuple(sorted(words("inspected_lead", PLACES), key=len, reverse=True))
_ACT = compile_fast(rf"(?:{alternation('inspected_verb', PLACES)})了?[^。，；\n]{{0,12}}?巡[察视]")
_QUOTE = re.compile(r"“[^“”\n]{1,100}”")
_TARGET_MAX = 40
_MAX_ACTS = 200  # inspection statements read for the inspected unit (it is stated near the start)
_MAX_TITLES = 200  # book titles read for regulation evidence (a notice cites a few dozen at most)
_MAX_MENTIONS = 1000  # committee mentions weighed (the majority is decided long before)
_MAX_CANDIDATES = 5000  # places where a committee or a unit's organisation may be named, read at most
_TARGET_STOP = re.compile(r"[。；，、：\n]")


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with the overlapping ones merged (what :func:`_inside` bisects)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def masked_spans(text: str, extra: tuple[tuple[int, int], ...] | list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Book titles, quotations and ``extra`` spans (the page chrome), merged: names inside them are
    not the notice's place."""
    return merge_spans(find_titles(text) + [m.span() for m in _QUOTE.finditer(text)] + list(extra))


def _inside(spans: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    k = bisect_right(starts, pos) - 1
    return k >= 0 and spans[k][0] <= pos < spans[k][1]


def skip_party(text: str, pos: int) -> int:
    """Position after a party prefix (中共, 中国共产党) at ``pos``, else ``pos``."""
    for p in _PARTY:
        if text.startswith(p, pos):
            return pos + len(p)
    return pos


def unit_cap(chain: Chain, tail: str) -> int | None:
    """The level a unit pins down when it is the place itself (舟山市 + 委): the chain's depth."""
    return depth(chain.paths) if tail in _UNIT_TAILS and depth(chain.paths) >= 0 else None


def inspected(text: str, spans: list[tuple[int, int]]) -> Evidence | None:
    """The inspected unit of the first inspection sentence that names it with a place."""
    starts = [s for s, _ in spans]
    for k, m in enumerate(_ACT.finditer(text)):
        if k >= _MAX_ACTS:
            break
        p = m.start()
        window = text[max(0, p - _TARGET_MAX - 2):p]
        hit = max(((window.rfind(w), w) for w in _LEADS), key=lambda x: x[0])
        if hit[0] < 0:
            continue
        t0 = p - len(window) + hit[0] + len(hit[1])
        if _TARGET_STOP.search(text, t0, p) or p - t0 < 2 or _inside(spans, starts, t0):
            continue
        head = skip_party(text, t0)
        found = chains_in(text, t0, p)
        chain = found[0] if found and found[0].start == head else None
        if chain is None:
            continue
        return Evidence("inspected", text[t0:p], set(chain.paths), cap=unit_cap(chain, text[chain.end:p]))
    return None


_LINE_MAX = 100


def _own_line(text: str, chain: Chain) -> str | None:
    """The stripped line holding the chain when it is a short line, else None."""
    a = text.rfind("\n", max(0, chain.start - _LINE_MAX), chain.start)
    b = text.find("\n", chain.end, chain.end + _LINE_MAX)
    if a < 0 and chain.start > _LINE_MAX or b < 0 and len(text) - chain.end > _LINE_MAX:
        return None
    return text[a + 1:b if b >= 0 else len(text)].strip()


def is_organ(text: str, pos: int) -> bool:
    """Whether an organ word (委, 纪委, 人民政府…) starts at ``pos`` (委员会 yes, 委托 no)."""
    organ = next((w for w in _ORGANS if text.startswith(w, pos)), None)
    if organ is None:
        return False
    return len(organ) > 1 or not any(text.startswith(w, pos) for w in _NOT_ORGANS)


def _is_own(line: str | None, title: str | None, sig_orgs: list[str]) -> bool:
    return bool(line) and (bool(title) and line in title or any(line.startswith(o) for o in sig_orgs if o))


_LEVEL_CHARS = chars("masked_level_chars", PLACES)
_ORGAN_AT = compile_fast(rf"(?<=[{_LEVEL_CHARS}])(?:{alternation('organ_after_place', PLACES)})")


_ORG_AT = compile_fast(alternation("unit_org_suffix", PLACES))
_UNIT_MAX = 14  # characters of a unit's name between its place and its Party organisation
_UNIT_STOP = re.compile(r"[^\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _unit_endings() -> tuple[str, ...]:
    return tuple(kw for kw, _ in unit_keywords())


def _unit_places(text: str, spans: list[tuple[int, int]], starts: list[int]) -> list[Chain]:
    """Places written before a unit's Party organisation (仪陇县新政镇党委, 金水区市场监督管理局党组)."""
    levels = _LEVEL_CHARS
    out: list[Chain] = []
    for k, m in enumerate(_ORG_AT.finditer(text)):
        if k >= _MAX_CANDIDATES:
            break
        q = m.start()
        w0 = max(0, q - _UNIT_MAX)
        cut = [x.end() for x in _UNIT_STOP.finditer(text, w0, q)]
        w0 = cut[-1] if cut else w0
        for p in range(q - 2, w0 - 1, -1):  # the place nearest the unit (普陀区, not 舟山市)
            if text[p] not in levels or _inside(spans, starts, p):
                continue
            unit = text[p + 1:q]
            if any(unit.endswith(kw) and len(unit) > len(kw) for kw in _unit_endings()) \
                    and (c := chain_ending_at(text, p + 1)):
                out.append(c)
                break
    return out


def committees(text: str, spans: list[tuple[int, int]], title: str | None = None,
               sig_orgs: tuple[str, ...] | list[str] = ()) -> Evidence | None:
    """The place of the committees named in the body (普陀区委, 中共沛县县委) and of the units
    named with their place (仪陇县新政镇党委), by majority.

    Every full place name ends in a level character (省市区县州旗盟), so a committee is looked for
    only where an organ word follows one, and its names are read backwards from there. The lines
    of the title and of the signature are not the body: they are weighed as their own evidence."""
    starts = [s for s, _ in spans]
    found: list[Chain] = []
    for k, m in enumerate(_ORGAN_AT.finditer(text)):
        if k >= _MAX_CANDIDATES or len(found) >= _MAX_MENTIONS:
            break
        if is_organ(text, m.start()) and not _inside(spans, starts, m.start()):
            if c := chain_ending_at(text, m.start()):
                found.append(c)
    found += _unit_places(text, spans, starts)
    own = title or sig_orgs
    mentions = [c for c in found if not (own and _is_own(_own_line(text, c), title, list(sig_orgs)))]
    if not mentions:
        return None
    paths = consensus([c.paths for c in mentions])
    shown = "、".join(dict.fromkeys(text[c.start:c.end] for c in mentions))
    return Evidence("committee", shown[:80], paths) if paths else None


def regulations(text: str) -> Evidence | None:
    """The place of the regulations and plans cited (《舟山市…办法》), by majority; weak evidence."""
    mentions: list[Chain] = []
    for s, e in find_titles(text)[:_MAX_TITLES]:
        head = skip_party(text, s + 1)
        found = chains_in(text, head, e - 1)
        if found and found[0].start == head:
            mentions.append(found[0])
    if not mentions:
        return None
    paths = consensus([c.paths for c in mentions])
    shown = "、".join(dict.fromkeys(text[c.start:c.end] for c in mentions))
    return Evidence("regulation", shown[:80], paths) if paths else None
