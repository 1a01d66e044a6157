"""The parser's vocabulary: every data file it reads besides the numbering, loaded once.

- ``section_kinds.csv`` — what a top-level part is (overview, rectification, next steps, contact);
- ``problem_patterns.csv`` — how a heading quotes a problem (针对“…”问题);
- ``problem_cues.txt`` — problem vocabulary (不到位, 不足…);
- ``measure_labels.txt`` — labels that introduce the measures (整改情况：);
- ``outline_cues.csv`` — the signature block, heading tails, continuation paragraphs, run-on years.

The numbering (一、 （一） 1. 一是…) comes from :mod:`analysis.genre.enumerators`.
"""

from __future__ import annotations

import re
from functools import cache

from analysis.vocab import load_lines, load_table

OPEN_QUOTES = "“\"「『"
CLOSE_QUOTES = "”\"」』"


@cache
def section_kinds() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(kind, pattern, applies_to) in file order."""
    t = load_table("section_kinds.csv")
    return tuple((r.kind, re.compile(r.pattern), r.applies_to) for _, r in t.iterrows())


def classify_kind(heading: str, *, as_heading: bool = True) -> str | None:
    """Section kind from keywords (data/section_kinds.csv); None when nothing matches."""
    for kind, rx, applies in section_kinds():
        if applies == "heading" and not as_heading:
            continue
        if applies == "paragraph" and as_heading:
            continue
        if rx.search(heading):
            return kind
    return None


@cache
def problem_rx() -> tuple[re.Pattern[str], str]:
    """The lead of a quoted problem statement up to its opening quote, and the closing-word regex."""
    t = load_table("problem_patterns.csv")
    r = t[t.kind == "quoted"].iloc[0]
    lead = re.compile(rf"(?:{r.lead})[{OPEN_QUOTES}]")
    return lead, r.close


@cache
def cue_rx() -> re.Pattern[str]:
    """Any word of the problem vocabulary (longest first)."""
    return re.compile("|".join(re.escape(c) for c in sorted(load_lines("problem_cues.txt"), key=len, reverse=True)))


@cache
def label_rx() -> re.Pattern[str]:
    """A measure label (整改情况：) at the start of a clause."""
    labels = sorted(load_lines("measure_labels.txt"), key=len, reverse=True)
    return re.compile(r"(?:^|(?<=[，。；\s]))(?:" + "|".join(map(re.escape, labels)) + r")\s*[：:]")


@cache
def cue(name: str) -> str:
    """The pattern of one row of ``outline_cues.csv``."""
    t = load_table("outline_cues.csv")
    return t.loc[t["name"] == name, "pattern"].iloc[0]


@cache
def cue_compiled(name: str) -> re.Pattern[str]:
    return re.compile(cue(name))


@cache
def heading_close_rx() -> re.Pattern[str]:
    """The closing quote of a quoted problem heading, its closing word and the heading's tail
    (”问题的整改情况), matched at the closing quote."""
    return re.compile(rf"[{CLOSE_QUOTES}]\s*(?:{problem_rx()[1]}){cue('heading_tail')}")
