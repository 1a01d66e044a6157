"""Title, signature and page furniture: what the layout of a notice says about it.

The title is the first line (or two or three adjacent lines) ending in 通报; the signature is the
organisation line(s) and date closing the notice. Notices copied from web pages carry page furniture
(``data/page_furniture.csv``: 发布日期, 打印本页, 关闭窗口…), skipped when the signature is read; the
page's own date (发布日期：…) is the publication date when the signature has none.
"""

from __future__ import annotations

import re

from analysis.fastre import compile_fast
from analysis.notice.metadata.chrome import Chrome
from analysis.notice.metadata.common import CJK, PH, Out
from analysis.notice.metadata.cues import FURNITURE, PLACES, alternation, words
from analysis.notice.metadata.dates import DateTok, make_date, tokenize_dates
from analysis.notice.metadata.issuer import org_parts, org_suffixes

_TITLE_END = compile_fast(rf"({alternation('title_end')})[》”]?$")
_TITLE_PART = compile_fast(rf"^[{CJK}{PH}0-9（）《》“”·]+$")
_SENT_PUNCT = compile_fast(r"[，。；！？：]")
_ABOUT = alternation("title_about")
_TOPIC_START = compile_fast(alternation("title_topic_start"))
_SUBORDINATE = alternation("title_subordinate")
_AFTER_ABOUT_STOP = compile_fast(alternation("title_after_about_stop"))
_FURNITURE = compile_fast(alternation("line", FURNITURE))
_SITE_NAME_END = words("site_name_end", FURNITURE)
_BREADCRUMB = compile_fast("|".join(re.escape(s) for s in words("breadcrumb_separator", PLACES) if len(s) > 1 or s in "＞›»→"))
_FURNITURE_DATE = compile_fast(rf"(?:{alternation('date_label_lead', FURNITURE)})"
                               rf"(?:{alternation('date_label_noun', FURNITURE)})[：:][ \t]*(?P<date>[^ \t\n]{{6,20}})")
# a line ending in a date: "<org> <date>", the date written 2023年9月1日 / 二〇二三年九月一日 (from its
# year to the line's final 日) or 2023-09-01 (the line's end); read by :func:`date_line`
_DATE_HEAD = re.compile(r"(?:19|20)\d{2}[ \t]*年|[〇○零一二三四五六七八九]{4}[ \t]*年")
_DATE_NUMERIC = re.compile(r"(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}$")
_DATE_NUMERIC_MAX = 10  # characters of the longest numeric date (2023-09-01)
_ORG_LINE_MAX = 40


def _joins_title(above: str, title: str) -> bool:
    """Whether the line above belongs to the title read so far: an issuer line above 关于…, or the
    first part of a title wrapped over two lines; never a site's name (舟山市纪委监委网站)."""
    if len(above) > _ORG_LINE_MAX or not _TITLE_PART.match(above) or above.endswith(_SITE_NAME_END):
        return False
    return title.startswith(_ABOUT) or _ABOUT not in title


def find_title(lines: list[str]) -> str | None:
    """First line(s) forming a title that ends in 通报 (two or three adjacent lines are joined);
    lines of the page's chrome above it are skipped."""
    seen = 0
    for i, line in enumerate(lines):
        if not line or _FURNITURE.search(line) or _BREADCRUMB.search(line):
            continue  # the page's chrome above the title (发布日期, 来源, 首页 > …)
        seen += 1
        if seen > 6 or len(line) > 100:
            return None
        if _TITLE_END.search(line) and not _SENT_PUNCT.search(line):
            parts, k = [line], i - 1
            while k >= 0 and len(parts) < 3 and _joins_title(lines[k], "".join(parts)):
                parts.insert(0, lines[k])
                k -= 1
            return "".join(parts)
        if "。" in line:
            return None
    return None


def title_issuer(title: str) -> str | None:
    """Issuing organisation named in a title: before 关于, or right after it (关于XX镇党委巡察整改…)."""
    head = title.split(_ABOUT, 1)[0] if _ABOUT in title else _TOPIC_START.split(title, maxsplit=1)[0]
    head = head.split(_SUBORDINATE, 1)[0].strip()
    if re.search("巡[察视]", head):  # the inspection office publishing for the unit (区委巡察办关于XX镇党委…)
        head = ""
    if not head and _ABOUT in title:
        after = _AFTER_ABOUT_STOP.split(title.split(_ABOUT, 1)[1], maxsplit=1)[0]
        if org_parts(after)[1]:
            head = after
    return head or None


def date_line(line: str) -> tuple[str, str] | None:
    """``(org, date)`` of a line that ends in a date, the org being what precedes the date and the
    spaces before it; None when the line does not end in one.

    The same as matching ``^(?P<org>.*?)[ \\t]*(?P<date>…年.*日|…)$`` (the earliest date that runs to
    the line's end), without that pattern's cost: it reads a long line to its end from every year in
    it (quadratic in a line full of years). A date written with 年 ends at the line's final 日, so it
    starts at the first year followed by 年; a numeric date is among the line's last characters.
    """
    if line.endswith("日"):
        head = _DATE_HEAD.search(line)
        start = head.start() if head else None
    else:
        start = next((i for i in range(max(0, len(line) - _DATE_NUMERIC_MAX), len(line))
                      if _DATE_NUMERIC.match(line, i)), None)
    if start is None:
        return None
    org_end = start
    while org_end > 0 and line[org_end - 1] in " \t":
        org_end -= 1
    return line[:org_end], line[start:]


def _is_org_line(line: str) -> bool:
    return (0 < len(line) <= _ORG_LINE_MAX and not _SENT_PUNCT.search(line)
            and any(line.endswith(s) for s, _ in org_suffixes()))


_TAIL_LINES = 8  # lines of the notice's end read for its signature
_TAIL_FURNITURE_MAX = 40  # page-furniture lines skipped at most after it (a web page's footer)


def _tail(lines: list[str]) -> list[str]:
    """The last lines of the notice, last first, without the page furniture that follows it."""
    out: list[str] = []
    skipped = 0
    for line in reversed(lines):
        if not line:
            continue
        if _FURNITURE.search(line):
            skipped += 1
            if skipped > _TAIL_FURNITURE_MAX:
                break
            continue
        out.append(line)
        if len(out) >= _TAIL_LINES:
            break
    return out


def signature(lines: list[str]) -> tuple[list[str], DateTok | None]:
    """Organisation line(s) and date at the end of the notice."""
    orgs: list[str] = []
    date: DateTok | None = None
    for line in _tail(lines):
        m = date_line(line)
        toks = tokenize_dates(m[1]) if m and date is None and not orgs else []
        if toks and len(toks) == 1 and toks[0].kind == "full" and toks[0].raw == m[1]:
            date = toks[0]
            if m[0] and _is_org_line(m[0]):
                orgs.insert(0, m[0])
            continue
        if _is_org_line(line) and len(orgs) < 2:
            orgs.insert(0, line)
            continue
        break
    return orgs, date


def publish_date(text: str, sig_date: DateTok | None, out: Out, chrome: Chrome | None = None) -> None:
    """Publication date: the signature's date, else a dateline under the title, else the page's own
    date (发布日期：…, a leading time stamp, 日期：… at the top; see :mod:`.chrome`)."""
    fdate = None
    for m in _FURNITURE_DATE.finditer(text):
        ft = [t for t in tokenize_dates(m.group("date")) if t.kind == "full" and t.start == 0]
        if ft:
            fdate = make_date(ft[0].y, ft[0].m, ft[0].d)
            break
    candidates = []  # (date, source) in priority order
    if sig_date:
        candidates.append((make_date(sig_date.y, sig_date.m, sig_date.d), "text:signature"))
    if chrome and chrome.date and chrome.date_source == "text:dateline":
        candidates.append((chrome.date, chrome.date_source))
    if fdate:
        candidates.append((fdate, "text:page_furniture"))
    if chrome and chrome.date and chrome.date_source != "text:dateline":
        candidates.append((chrome.date, chrome.date_source))
    if candidates:
        date, source = candidates[0]
        out.set("publish_date", date, source)
        for other, osrc in dict.fromkeys(candidates[1:]):
            if other != date:
                what = {"text:dateline": "dateline", "text:page_furniture": "page furniture"}.get(osrc, osrc)
                taken = {"text:signature": "the signature", "text:dateline": "the dateline"}.get(source, source)
                out.warnings.append(f"{what} date {other} differs from the {source.split(':')[-1]} date; took {taken}")
                break
    pub, fb = out.values["publish_date"], out.values["feedback_date"]
    if pub and fb and pub < fb:
        out.warnings.append(f"publish date {pub} is before the feedback date {fb}")
