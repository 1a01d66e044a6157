"""analysis.fastre: the look-ahead compiler matches exactly what re does; required strings are sound."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.fastre import compile_fast, required_text
from analysis.notice import stated_figures
from analysis.notice.metadata import dates, inspection, places

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
TEXTS = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]


@pytest.mark.parametrize("pattern, expected", [
    (r"(?:反馈|指出)(?:了)?问题\s*(?P<num>\d+)(?P<unit>个|条)", ("问题",)),
    (r"红色(?:监督)?预警(?:提醒)?卡", ("红色",)),
    (r"(?P<num>\d+)\s*(?:个|条)", ("个", "条")),
    (r"(?<![\d.])(?P<num>\d+)(?:万元|元)", ("万元", "元")),
    (r"(?:^|(?<=，))完成整改", ("完成整改",)),
    (r"a|b?", None),            # may match the empty string
    (r"\d+", None),             # no literal at all
    (r"abc", ("abc",)),
])
def test_required_text(pattern, expected):
    assert required_text(pattern) == expected


def test_required_text_ignores_case_insensitive_patterns():
    assert required_text("abc", re.I) is None


PATTERNS = [r.rx.pattern for r in stated_figures._figure_rules()[0]] + [
    getattr(module, n).pattern for module, n in (
        (dates, "_TOK_YEAR"), (dates, "_TOK_MD"), (dates, "_TOK_ISO"), (inspection, "_ROUND"), (places, "_PHONE"),
        (places, "_ADDRESS"), (inspection, "_GROUP"))]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_fast_patterns_match_like_re_and_contain_their_required_text(pattern):
    plain, fast = re.compile(pattern), compile_fast(pattern)
    req = required_text(pattern)
    for text in TEXTS + ["巡察组反馈问题16个，已完成整改12个，完成率75%。2023年3月1日至4月30日，第三轮巡察。"]:
        got = [(m.span(), m.groupdict()) for m in fast.finditer(text)]
        assert got == [(m.span(), m.groupdict()) for m in plain.finditer(text)]
        if req:
            for m in fast.finditer(text):
                assert any(w in m.group(0) for w in req), (pattern, m.group(0), req)
