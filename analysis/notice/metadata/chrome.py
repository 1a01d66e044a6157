"""The chrome of a saved web page: the lines around the notice that belong to the page.

At the top of the page (the lines before the first line of prose, at most ``_HEAD_LINES``):

- a leading time stamp, alone or with the site's name: ``2025-06-10 09:00 浙江省纪委网站``;
- a date line under the title: ``（2023年3月10日）`` (the notice's own dateline);
- bare date labels: ``日期：2023-03-14``, ``时间：2023年3月14日`` (发布日期/发布时间 are read anywhere,
  see :func:`analysis.notice.metadata.layout.publish_date`);
- a breadcrumb: ``首页 > 舟山市纪委监委 > 巡察工作``;
- the publisher: ``来源：舟山市普陀区纪委监委`` (also at the start of any line: ``（来源：…）`` under the body).

The site's name, the breadcrumb's crumbs and the publisher name the place of the page (kind
``page``, the majority of them); the dates give the publication date when the notice has no dated
signature.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from analysis.fastre import compile_fast
from analysis.notice.metadata.cues import PLACES, alternation, words
from analysis.notice.metadata.dates import make_date, tokenize_dates
from analysis.notice.metadata.evidence import Evidence, consensus
from analysis.notice.metadata.names import Chain, chains_in

_HEAD_LINES = 15
_HEAD_LINE_MAX = 100
_MAX_SOURCE_LINES = 20  # publisher lines read below the head (a page has one or two)
_PROSE = re.compile(r"[。；，！？]")
_SITE_WORDS = tuple(words("organ_after_place", PLACES)) + tuple(words("site_after_place", PLACES))
_SOURCE_LABEL = alternation("source_label", PLACES)
_SOURCE_LINE = compile_fast(rf"^[ \t（(【\[]{{0,3}}(?:{_SOURCE_LABEL})[ \t]{{0,3}}[：:][ \t]*"
                            r"(?P<v>[^ \t\n|，。；）)】\]]{2,40})", re.M)
_SOURCE_IN_HEAD = compile_fast(rf"(?:{_SOURCE_LABEL})[ \t]{{0,3}}[：:][ \t]*(?P<v>[^ \t\n|，。；）)】\]]{{2,40}})")
_STAMP = compile_fast(r"^[（(]?(?P<date>(?:19|20)\d{2}[-/.年][ \t]*\d{1,2}[ \t]*[-/.月][ \t]*\d{1,2}[ \t]*日?)[）)]?"
                      r"(?P<time>[ \t]+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?[ \t]*(?P<rest>[^\n]*)$")
_BARE_DATE = compile_fast(r"(?<![\u4e00-\u9fff])(?:日期|时间)[ \t]*[：:][ \t]*(?P<date>[^ \t\n]{6,20})")
_RANGE_REST = compile_fast(rf"(?:{alternation('range_separator')})")  # a period (2022年8月1日至9月14日), not a stamp
_HOME = tuple(words("breadcrumb_home", PLACES))
_SEPARATORS = sorted(words("breadcrumb_separator", PLACES), key=len, reverse=True)
_SEP_RX = re.compile("|".join(re.escape(s) for s in _SEPARATORS))


@dataclass
class Chrome:
    """What the page chrome says: place evidence, and a date with its source."""

    evidence: Evidence | None = None
    date: dt.date | None = None
    date_source: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)  # the chrome's lines: not the body


def head_lines(text: str) -> list[tuple[int, str]]:
    """(offset, line) of the lines before the first line of prose (stripped, non-empty)."""
    out: list[tuple[int, str]] = []
    pos = 0
    while pos < len(text) and len(out) < _HEAD_LINES:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        raw = text[pos:end]
        line = raw.strip()
        if line:
            if len(line) > _HEAD_LINE_MAX or _PROSE.search(line):
                break
            out.append((pos + raw.index(line[0]), line))
        pos = end + 1
    return out


def _first_date(s: str) -> dt.date | None:
    toks = [t for t in tokenize_dates(s) if t.kind == "full" and t.start == 0]
    return make_date(toks[0].y, toks[0].m, toks[0].d) if toks else None


def _crumbs(line: str) -> list[tuple[int, int]] | None:
    """(start, end) of the crumbs of a breadcrumb line, None when the line is not one."""
    seps = list(_SEP_RX.finditer(line))
    if not seps or len(seps) < 2 and not any(h in line for h in _HOME):
        return None
    bounds = [0] + [x for m in seps for x in m.span()] + [len(line)]
    return [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]


def _value_chain(text: str, start: int, end: int) -> Chain | None:
    """The first chain of a chrome value (a publisher, a crumb, a site name)."""
    while start < end and text[start] in " \t：:":
        start += 1
    found = chains_in(text, start, end, _SITE_WORDS)
    return found[0] if found else None


def read_chrome(text: str, title: str | None) -> Chrome:
    """Place evidence and the date of the page chrome."""
    out = Chrome()
    mentions: list[Chain] = []
    head = head_lines(text)
    title_seen = False
    for off, line in head:
        is_title = bool(title) and line in title
        if is_title:
            title_seen = True
            continue
        if (m := _STAMP.match(line)) and not _RANGE_REST.match(m.group("rest")):
            d = _first_date(re.sub(r"[ \t]", "", m.group("date")))
            bare = not m.group("time") and not m.group("rest")
            if d and out.date is None:
                out.date = d
                out.date_source = "text:dateline" if bare and title_seen else "text:page_furniture"
            rest0 = off + m.start("rest")
            if m.group("rest") and (c := _value_chain(text, rest0, off + len(line))):
                mentions.append(c)
            continue
        if out.date is None and (b := _BARE_DATE.search(line)) and (d := _first_date(b.group("date"))):
            out.date, out.date_source = d, "text:page_furniture"
        if (crumbs := _crumbs(line)) is not None:
            for s, e in crumbs:
                if c := _value_chain(text, off + s, off + e):
                    mentions.append(c)
            continue
        for v in _SOURCE_IN_HEAD.finditer(line):
            if c := _value_chain(text, off + v.start("v"), off + v.end("v")):
                mentions.append(c)
        if not _SOURCE_IN_HEAD.search(line) and (c := _value_chain(text, off, off + len(line))):
            if c.end == off + len(line) or any(text.startswith(w, c.end) for w in _SITE_WORDS):
                mentions.append(c)  # a site's name standing alone (舟山市普陀区人民政府)
    head_end = head[-1][0] + len(head[-1][1]) if head else 0
    out.spans.append((0, head_end))
    for k, m in enumerate(_SOURCE_LINE.finditer(text, head_end)):
        out.spans.append(m.span())
        if k < _MAX_SOURCE_LINES and (c := _value_chain(text, m.start("v"), m.end("v"))):
            mentions.append(c)
    if mentions:
        paths = consensus([c.paths for c in mentions])
        if paths:
            shown = "、".join(dict.fromkeys(text[c.start:c.end] for c in mentions))
            out.evidence = Evidence("page", shown[:80], paths)
    return out
