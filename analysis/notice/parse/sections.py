"""Step 5 of the parser: the rows of ``sections`` and the coverage of the rectification section.

Top-level parts become level-1 sections with their kind; the part(s) holding the problems are the
rectification section (one virtual section spanning them when the problems are themselves
top-level headings). Outline nodes that are neither problems nor inside a problem become nested
sections. Coverage is the share of the rectification section's non-space characters, after its
own heading and lead paragraph, that lie inside a problem or an area heading.
"""

from __future__ import annotations

import bisect
import re

from analysis.notice.parse.problems import strip_heading
from analysis.notice.parse.tree import Node, ancestors, top_of
from analysis.notice.parse.vocabulary import classify_kind

_WS_RX = re.compile(r"\s+")


class _Sections:
    """The section rows being built, and the section id of each outline node."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.rows: list[dict] = []
        self.ids: dict[int, int] = {}

    def add(self, n: Node | None, parent: int | None, level: int, kind: str, start: int, end: int,
            marker: str | None, heading: str | None) -> int:
        sid = len(self.rows) + 1
        self.rows.append({"section_id": sid, "parent_id": parent, "level": level, "kind": kind,
                          "marker": marker, "heading": heading, "char_start": start, "char_end": end})
        if n is not None:
            self.ids[id(n)] = sid
        return sid

    def add_top(self, n: Node, kind: str) -> int:
        """A top-level part (an unheaded part has neither marker nor heading)."""
        ln = n.line
        return self.add(n, None, 1, kind, n.start, n.end, ln.marker if ln else None,
                        strip_heading(n.heading_text(self.text)) if ln else None)


def _top_section_kind(top: Node, top_kind: dict[int, str | None], rect: set[int]) -> str:
    kind = "rectification" if id(top) in rect else (top_kind[id(top)] or "other")
    if kind == "signature":
        return "other"
    if kind == "preamble":
        first = top.body_lines[0].text if top.body_lines else ""
        return "overview" if classify_kind(first) == "overview" else "other"
    return kind


def build_sections(text: str, root: Node, problems: list[Node], top_kind: dict[int, str | None]) -> list[dict]:
    """Rows of ``sections``; level-1 rows carry ``_lead_end`` (where their body starts) for coverage."""
    problem_set = {id(n) for n in problems}
    rect_tops = list({id(t): t for t in map(top_of, problems)}.values())  # in order of first problem
    rect = {id(t) for t in rect_tops}
    problems_are_top = any(id(t) in problem_set for t in rect_tops)
    out = _Sections(text)
    for top in root.children:
        if problems_are_top and id(top) in rect:
            if top is rect_tops[0]:
                vid = out.add(None, None, 1, "rectification", min(t.start for t in rect_tops),
                              max(t.end for t in rect_tops), None, None)
                out.ids.update({id(t): vid for t in rect_tops})
            continue
        sid = out.add_top(top, _top_section_kind(top, top_kind, rect))
        out.rows[sid - 1]["_lead_end"] = top.children[0].start if top.children else top.start

    def add_children(n: Node, level: int) -> None:
        # nested outline nodes that are neither problems nor inside problems become sub-sections
        for ch in n.children:
            if id(ch) in problem_set or any(id(a) in problem_set for a in ancestors(ch)):
                continue
            parent_sid = out.ids.get(id(n))
            out.add(ch, parent_sid, level, out.rows[parent_sid - 1]["kind"] if parent_sid else "other", ch.start,
                    ch.end, ch.line.marker if ch.line else None, strip_heading(ch.heading_text(text)))
            add_children(ch, level + 1)

    for top in root.children:
        if id(top) not in problem_set:
            add_children(top, 2)
    return out.rows


def _nonspace(text: str, a: int, b: int) -> int:
    seg = text[a:b]
    return len(seg) - sum(len(m) for m in _WS_RX.findall(seg))


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def coverage(text: str, sections: list[dict], covered: list[tuple[int, int]]) -> tuple[float | None, int, int]:
    """(coverage, rectification characters, lead characters) of the level-1 rectification sections."""
    rect = [s for s in sections if s["kind"] == "rectification" and s["level"] == 1]
    if not rect:
        return None, 0, 0
    cov_ranges = _merge(covered)
    range_ends = [b for _, b in cov_ranges]
    total = cov_n = lead_chars = 0
    for s in rect:
        body_from = s.get("_lead_end", s["char_start"])
        lead_chars += _nonspace(text, s["char_start"], body_from)
        total += _nonspace(text, body_from, s["char_end"])
        # merged ranges are sorted and disjoint: visit only those overlapping this section
        for a, b in cov_ranges[bisect.bisect_right(range_ends, body_from):]:
            if a >= s["char_end"]:
                break
            lo, hi = max(a, body_from), min(b, s["char_end"])
            if hi > lo:
                cov_n += _nonspace(text, lo, hi)
    return (cov_n / total if total else None), total, lead_chars
