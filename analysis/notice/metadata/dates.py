"""Date tokens of a notice: every date-like string, read as a calendar date when it can be.

Besides well-formed dates (2022年8月1日, 二〇二二年八月一日, 2022-08-01, 8月1日) the tokenizer keeps
placeholders of anonymised templates (X月X日), dates that lost their 月/日 markers in a web copy
(2022412日: kind ``digits``, read only when one month/day split is valid) and stray markers
(2022年2月年10日: kind ``typo``).
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate

from analysis.fastre import compile_fast
from analysis.notice.metadata.common import PH, cn_int, is_placeholder


def make_date(y: int | None, m: int | None, d: int | None) -> dt.date | None:
    """The calendar date, or None when a part is missing or the date does not exist."""
    if y is None or m is None or d is None:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def month_day_splits(digits: str) -> list[tuple[int, int]]:
    """Every (month, day) reading of a digit run that lost its 月/日 markers: '412' -> (4, 12)."""
    out = []
    for i in range(1, len(digits)):
        ms, ds = digits[:i], digits[i:]
        if len(ms) > 2 or len(ds) > 2:
            continue
        m, d = int(ms), int(ds)
        if 1 <= m <= 12 and 1 <= d <= 31 and make_date(2000, m, d):  # 2000 is a leap year: 2-29 allowed
            out.append((m, d))
    return out


@dataclass
class DateTok:
    """One date-like token of the text."""

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
            d = make_date(y, self.m, self.d)
            return [d] if d else []
        if self.kind == "digits":
            return [d for m, dd in self.splits if (d := make_date(y, m, dd))]
        return []


_S = r"[ \t]*"
_TOK_YEAR = compile_fast(
    rf"(?<![\d.])(?P<y>(?:19|20)\d{{2}}|(?:19|20)?[{PH}]{{2,4}})(?P<rest>[ \t年月\d{PH}]{{1,14}}?)[日号]"
)
_TOK_MD = compile_fast(rf"(?<![\d年月{PH}.])(?P<m>\d{{1,2}}|[{PH}]{{1,2}}){_S}月{_S}(?P<d>\d{{1,2}}|[{PH}]{{1,2}}){_S}[日号]")
_TOK_CN = compile_fast(
    rf"(?P<y>[〇○零一二三四五六七八九]{{4}}){_S}年{_S}(?P<m>[一二三四五六七八九十]{{1,2}}){_S}月{_S}"
    rf"(?P<d>[一二三四五六七八九十]{{1,3}}){_S}日"
)
_TOK_ISO = compile_fast(r"(?<![\d.])(?P<y>(?:19|20)\d{2})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?![\d.])")
_REST_OK = compile_fast(rf"^年(\d{{1,2}}|[{PH}]{{1,2}})月(\d{{1,2}}|[{PH}]{{1,2}})$")
_REST_TYPO = compile_fast(r"^年?[年月]*(\d{1,2})[年月]+(\d{1,2})$")
_REST_DIGITS = compile_fast(r"^年?(\d{2,4})$")


def _year_tokens(text: str) -> list[DateTok]:
    """Tokens that start with a year (or a placeholder year): full, typo, digits and placeholders."""
    toks: list[DateTok] = []
    for m in _TOK_YEAR.finditer(text):
        ys, rest = m.group("y"), re.sub(r"[ \t]", "", m.group("rest"))
        y = None if is_placeholder(ys) else int(ys)
        tok = DateTok(m.start(), m.end(), m.group(0), "placeholder", y)
        if ok := _REST_OK.match(rest):
            if is_placeholder(ys) or is_placeholder(rest):
                tok.kind = "placeholder"
            else:
                tok.kind, tok.m, tok.d = "full", int(ok.group(1)), int(ok.group(2))
        elif y is not None and (ty := _REST_TYPO.match(rest)):
            tok.kind, tok.m, tok.d = "typo", int(ty.group(1)), int(ty.group(2))
        elif y is not None and (dg := _REST_DIGITS.match(rest)):
            tok.kind, tok.splits = "digits", month_day_splits(dg.group(1))
        elif not is_placeholder(rest) or not rest.startswith("年"):
            continue
        toks.append(tok)
    return toks


def _month_day_tokens(text: str, taken: list[tuple[int, int]]) -> list[DateTok]:
    """Month-day tokens without a year (8月1日, X月X日) outside the spans already ``taken`` (sorted).

    A match overlaps a taken span when one of the spans starting before its end reaches past its
    start: the running maximum of the ends tells, by bisection, without a scan of every span."""
    starts = [s for s, _ in taken]
    reach = list(accumulate((e for _, e in taken), max))
    toks: list[DateTok] = []
    for m in _TOK_MD.finditer(text):
        k = bisect_left(starts, m.end())
        if k and reach[k - 1] > m.start():
            continue
        ph = is_placeholder(m.group("m")) or is_placeholder(m.group("d"))
        toks.append(DateTok(m.start(), m.end(), m.group(0), "placeholder" if ph else "md", None,
                            None if ph else int(m.group("m")), None if ph else int(m.group("d"))))
    return toks


def tokenize_dates(text: str) -> list[DateTok]:
    """All date-like tokens of the text, in reading order, without overlaps."""
    toks = _year_tokens(text)
    for m in _TOK_CN.finditer(text):
        toks.append(DateTok(m.start(), m.end(), m.group(0), "full", cn_int(m.group("y")),
                            cn_int(m.group("m")), cn_int(m.group("d"))))
    for m in _TOK_ISO.finditer(text):
        toks.append(DateTok(m.start(), m.end(), m.group(0), "full", int(m.group("y")),
                            int(m.group("m")), int(m.group("d"))))
    toks += _month_day_tokens(text, sorted((t.start, t.end) for t in toks))
    toks.sort(key=lambda t: t.start)
    out: list[DateTok] = []
    for t in toks:  # keep the first of overlapping tokens
        if out and t.start < out[-1].end:
            continue
        if t.kind in ("full", "md", "typo") and not make_date(t.y or 2000, t.m, t.d):
            continue
        out.append(t)
    return out


def source_of(tok: DateTok, evidence: str) -> str:
    """``<field>_source`` of a date read from ``tok``: ``recovered:…`` for repaired tokens."""
    return {"digits": "recovered:digits", "typo": "recovered:typo"}.get(tok.kind, f"text:{evidence}")
