"""The inspection itself: its period (start and end), year, feedback date, group and round.

The period is the first date range in a sentence about the inspection (2022年8月1日至9月14日，
区委第一巡察组对…开展了巡察); the feedback date is the date nearest before 反馈 in a sentence
about the inspection feedback; the group is the first numbered 巡察组; the round is read from the
title or from the sentence that states the inspection.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from typing import NamedTuple

from analysis.fastre import compile_fast
from analysis.genre.sentences import sentence_bounds
from analysis.notice.metadata.common import CJK, NUM, PH, RUN_NUM, Out, cn_int
from analysis.notice.metadata.cues import alternation, chars, words
from analysis.notice.metadata.dates import DateTok, month_day_splits, source_of

_MAX_RANGE_DAYS = 366
_MAX_FEEDBACK_DAYS = 365

_VERB = alternation("inspection_verb")
_INSPECTION_CUE = compile_fast(rf"巡[察视]\S{{0,2}}组|(?:{_VERB})了?[^。，；]{{0,8}}巡[察视]|巡[察视]了")
_INSPECTION_ACT = compile_fast(rf"(?:{_VERB})了?[^。，；]{{0,8}}巡[察视]")
_STATED_YEAR = compile_fast(rf"(?<!\d)(?P<y>(?:19|20)\d{{2}})[ \t]*年[ \t]*(?=[，{PH}\d一二三四五六七八九十]|[上下]半年)")
_RANGE_SEP = compile_fast(rf"[ \t]*起?(?:{alternation('range_separator')})[ \t]*")
_DAY_ONLY = compile_fast(r"(?P<d>\d{1,2})[ \t]*[日号]")


def _range_end(text: str, toks: list[DateTok], i: int) -> DateTok | None:
    """The token closing a range opened by ``toks[i]`` (一日至二日, or a bare day: 5月9日至20日)."""
    t1 = toks[i]
    sep = _RANGE_SEP.match(text, t1.end)
    if not sep:
        return None
    t2 = toks[i + 1] if i + 1 < len(toks) and toks[i + 1].start == sep.end() else None
    if t2 is None and (dm := _DAY_ONLY.match(text, sep.end())) and t1.m:
        t2 = DateTok(dm.start(), dm.end(), dm.group(0), "md", None, t1.m, int(dm.group("d")))
    return t2


def _set_range(t1: DateTok, t2: DateTok, raw: str, out: Out) -> None:
    """Inspection start and end from a range, when exactly one reading of each is plausible."""
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
        out.set("inspection_start", sset.pop(), source_of(t1, "range"))
    elif starts:
        out.warnings.append(f"inspection dates '{raw}' ambiguous, start left NULL")
    if len(eset) == 1:
        out.set("inspection_end", eset.pop(), source_of(t2, "range"))
    elif starts and t2.kind != "placeholder":
        out.warnings.append(f"inspection dates '{raw}' ambiguous, end left NULL")
    for key, tok in (("inspection_start", t1), ("inspection_end", t2)):
        if out.values[key] and tok.kind in ("digits", "typo"):
            out.warnings.append(f"{key.replace('_', ' ')} '{tok.raw}' recovered as {out.values[key]}")


def inspection_range(text: str, toks: list[DateTok], out: Out) -> tuple[DateTok | None, int | None]:
    """Inspection start and end from the first date range in a sentence about the inspection.

    Returns the range's first token and the start of its sentence (None, None without a range).
    """
    cue_in: dict[int, bool] = {}  # sentence start -> whether the sentence is about the inspection
    for i, t1 in enumerate(toks):
        t2 = _range_end(text, toks, i)
        if t2 is None:
            continue
        s0, s1 = sentence_bounds(text, t1.start)
        if s0 not in cue_in:
            cue_in[s0] = _INSPECTION_CUE.search(text[s0:s1]) is not None
        if not cue_in[s0]:
            continue
        _set_range(t1, t2, text[t1.start:t2.end], out)
        return t1, s0
    return None, None


def inspection_year(text: str, range_tok: DateTok | None, out: Out) -> None:
    """Inspection year: the start's year, else the range's, else a year stated with the inspection."""
    if out.values["inspection_start"]:
        out.set("inspection_year", out.values["inspection_start"].year, out.values["inspection_start_source"])
    elif range_tok is not None and range_tok.y:
        out.set("inspection_year", range_tok.y, "text:range")
    else:
        states: dict[int, bool] = {}  # sentence start -> whether it states the inspection
        for m in _STATED_YEAR.finditer(text):
            s0, s1 = sentence_bounds(text, m.start())
            if s0 not in states:
                sentence = text[s0:s1]
                states[s0] = bool(_INSPECTION_ACT.search(sentence)) and "反馈" not in sentence
            if states[s0]:
                out.set("inspection_year", int(m.group("y")), "text:statement")
                break


class _Tokens(NamedTuple):
    """The date tokens (sorted, not overlapping, as :func:`analysis.notice.metadata.dates.tokenize_dates`
    returns them) with their starts and ends, and where 巡察/巡视 is written: what the feedback
    reader looks up for each 反馈 by bisection instead of a scan of the whole list or sentence."""

    toks: list[DateTok]
    starts: list[int]
    ends: list[int]
    inspection_words: list[int]  # starts of 巡察/巡视

    @classmethod
    def of(cls, text: str, toks: list[DateTok]) -> _Tokens:
        return cls(toks, [t.start for t in toks], [t.end for t in toks],
                   [m.start() for m in _INSPECTION_WORD.finditer(text)])

    def mentions_inspection(self, s0: int, s1: int) -> bool:
        """Whether 巡察/巡视 is written inside ``text[s0:s1]``."""
        k = bisect_left(self.inspection_words, s0)
        return k < len(self.inspection_words) and self.inspection_words[k] + 2 <= s1


_INSPECTION_WORD = re.compile("巡[察视]")


def _in_range(text: str, tokens: _Tokens, item: DateTok) -> bool:
    """Whether ``item`` is one end of a date range (a range end is not a feedback date).

    The tokens are sorted and do not overlap, so only the token right after the separator, or the
    nearest token ending before ``item``, can pair with it.
    """
    toks, starts = tokens.toks, tokens.starts
    sep = _RANGE_SEP.match(text, item.end)
    if sep:
        k = bisect_left(starts, sep.end())
        if k < len(toks) and toks[k].start == sep.end():
            return True
    k = bisect_right(starts, item.start) - 1
    while k >= 0 and toks[k].end > item.start:
        k -= 1
    return k >= 0 and bool(_RANGE_SEP.fullmatch(text, toks[k].end, item.start))


_BARE = compile_fast(rf"(?<=[{CJK}])(?P<n>\d{{2,4}})(?=[{CJK}])(?![{chars('count_chars')}])")
# between a date and 反馈: words that make the date something else (a deadline, a meeting about the feedback)
_DEADLINE = compile_fast(alternation("feedback_deadline"))
_FEEDBACK_BLOCK = compile_fast(alternation("feedback_deadline") + "|" + alternation("feedback_block"))
_RECIPIENT = compile_fast(f"[{chars('feedback_recipient_chars')}]")


def _feedback_item(text: str, tokens: _Tokens, m: re.Match, s0: int) -> DateTok | None:
    """The date stated right before this 反馈 (a token, or a bare digit run that lost its markers)."""
    pos = m.start()
    lo = max(s0, pos - 60)
    k = bisect_right(tokens.ends, pos) - 1  # the last token ending by pos (ends grow with starts)
    item: DateTok | None = tokens.toks[k] if k >= 0 and tokens.starts[k] >= lo else None
    for b in _BARE.finditer(text, lo, pos):
        if item is None or b.start() >= item.end:
            item = DateTok(b.start(), b.end(), b.group("n"), "digits", None, splits=month_day_splits(b.group("n")))
    return item


def _is_feedback_date(text: str, tokens: _Tokens, m: re.Match, s0: int, item: DateTok) -> bool:
    """Whether ``item`` dates the inspection feedback stated by the 反馈 at ``m``."""
    pos = m.start()
    gap = text[item.end:pos]
    s1 = sentence_bounds(text, pos)[1]
    block = _DEADLINE if text.startswith("会", m.end()) else _FEEDBACK_BLOCK  # 召开巡察反馈会 is fine
    if re.search("[。；]", gap) or block.search(gap) or not tokens.mentions_inspection(s0, s1) \
            or _RECIPIENT.match(text, m.end()):
        return False
    return not _in_range(text, tokens, item) and item.kind != "placeholder"


def _feedback_readings(item: DateTok, base_year: int | None, start: dt.date | None,
                       end: dt.date | None) -> list[dt.date]:
    """Plausible readings of a feedback date: within a year after the inspection end."""
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
    return readings


def _feedback_statements(text: str, toks: list[DateTok], out: Out) -> list[tuple[dt.date, str, str]]:
    """(date, source, raw) of every statement of the feedback date, in reading order."""
    end = out.values["inspection_end"]
    start = out.values["inspection_start"]
    base_year = end.year if end else start.year if start else out.values["inspection_year"]
    statements: list[tuple[dt.date, str, str]] = []
    tokens = _Tokens.of(text, toks)
    for m in re.finditer("反馈", text):
        pos = m.start()
        if text[max(0, pos - 2):pos] == "巡察" and not text.startswith("会", m.end()):
            continue  # 巡察反馈问题/意见: a noun phrase, not the act of feedback
        s0, _ = sentence_bounds(text, pos)
        item = _feedback_item(text, tokens, m, s0)
        if item is None or not _is_feedback_date(text, tokens, m, s0, item):
            continue
        raw = text[item.start:min(item.end + 2, pos)] if item.kind == "digits" and item.y is None else item.raw
        readings = _feedback_readings(item, base_year, start, end)
        if item.y is None and base_year is None:
            out.warnings.append(f"feedback date '{raw}' has no year and the inspection year is unknown, left NULL")
        elif len(readings) == 1:
            statements.append((readings[0], source_of(item, "feedback"), raw))
            if item.kind in ("digits", "typo"):
                out.warnings.append(f"feedback date '{raw}' recovered as {readings[0]}")
        else:
            shown = ", ".join(str(d) for d in readings) or "no valid reading"
            out.warnings.append(f"feedback date '{raw}' ambiguous ({shown}), left NULL")
    return statements


def feedback_date(text: str, toks: list[DateTok], out: Out) -> None:
    """Feedback date: the date nearest before 反馈 in a sentence about the inspection feedback."""
    statements = _feedback_statements(text, toks, out)
    if not statements:
        return
    end = out.values["inspection_end"]
    date, source, raw = statements[0]
    out.set("feedback_date", date, source)
    others = sorted({d for d, _, _ in statements[1:] if d != date})
    if others:
        out.warnings.append(f"feedback date stated with different days ({date} and "
                            f"{', '.join(map(str, others))}); took the first, {date}")
    if end and date < end:
        out.warnings.append(f"feedback date {date} is before the inspection end {end}")


_GROUP = compile_fast(rf"第(?P<a>{NUM}|[{PH}]{{1,3}})?巡察小?组|巡察第?(?P<b>{NUM}|[{PH}]{{1,3}})小?组")


def inspection_group(text: str, out: Out) -> None:
    """Inspection group number: the first numbered statement (区委巡察五组, 第二巡察组); X is no number."""
    first_lost = None
    numbers: list[int] = []
    for m in _GROUP.finditer(text):
        val = m.group("a") or m.group("b")
        if val is None:
            first_lost = first_lost if first_lost is not None or numbers else m.group(0)
            continue
        n = cn_int(val)
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


# the round's numeral may open the match: read from the start of a digit run (RUN_NUM), once per run
_ROUND = compile_fast(rf"(?:{RUN_NUM}届)?(?:中共)?(?:[{chars('round_committee_chars')}]委)?第{NUM}轮(?:第{NUM}批)?")


def inspection_round(title: str | None, text: str, range_sentence: int | None) -> str | None:
    """Inspection round from the title, or from the sentence that states the inspection."""
    if title and (m := _ROUND.search(title)):
        return m.group(0)
    cues = words("round_sentence_cue")
    has_cue: dict[int, bool] = {}  # sentence start -> whether it has a cue (a sentence is read once)
    for m in _ROUND.finditer(text):
        s0, s1 = sentence_bounds(text, m.start())
        if s0 not in has_cue:
            sentence = text[s0:s1]
            has_cue[s0] = any(c in sentence for c in cues)
        if has_cue[s0] or s0 == range_sentence:
            return m.group(0)
    return None
