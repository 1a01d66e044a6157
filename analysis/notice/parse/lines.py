"""Step 1 of the parser: the notice's lines, the outline marker that opens each, and block openers.

Each non-blank line's leading marker is recognised from the outline forms of
:mod:`analysis.genre.enumerators` (一、 （一） 1. （1） ① 问题N …). Damaged markers (``四）``
without its bracket, a lone ``）``) are recognised and flagged; a problem number run into the text
after it is split; a short unnumbered heading-like line that fills a gap in a numbered sequence is
recovered as the missing sibling. Paragraphs that open a contact block, a next-steps block (下一步…)
or the signature are marked as openers: they close the outline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.genre.enumerators import lost_ordinal_rx, number_value, ordinal_rx, outline_forms
from analysis.notice.parse.vocabulary import classify_kind, cue_compiled, label_rx, section_kinds

TAIL_LINES = 4  # the signature is looked for among the last lines
SIGNATURE_MAX_CHARS = 40  # an organisation line of the signature is short
OPENER_SEARCH_CHARS = 40  # a contact / next-steps cue opens a block when it is this near the start
HEADING_MIN_CHARS, HEADING_MAX_CHARS = 4, 60  # a heading-like line without marker
BARE_NEXT_STEPS_MAX_CHARS = 20  # 下一步工作打算 standing alone as a heading
_DIGITS = re.compile(r"\d+")


@dataclass
class Line:
    start: int  # offset of the first non-space character
    end: int  # offset after the last non-space character
    indent: int
    text: str
    family: str | None = None
    number: int | None = None
    marker: str | None = None
    content_start: int = 0  # offset where the heading text starts (after the marker)
    damaged: bool = False
    opener: str | None = None  # 'contact' | 'next_steps' | 'signature' for block-opening paragraphs


def warning(kind: str, message: str, start: int | None = None, end: int | None = None) -> dict:
    """A row of ``parse_warnings`` (without document and number)."""
    return {"kind": kind, "message": message, "char_start": start, "char_end": end}


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    """``a, b`` moved inwards past spaces, line breaks and clause punctuation."""
    while a < b and text[a] in " \n；;，、：":
        a += 1
    while b > a and text[b - 1] in " \n；;，、":
        b -= 1
    return a, b


def split_lines(text: str) -> list[Line]:
    """Non-blank lines with offsets of their stripped content and their indentation."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            out.append(Line(start=start, end=start + len(stripped), indent=lead, text=stripped))
        pos += len(raw) + 1
    return out


def detect_marker(line: Line) -> None:
    """Set the line's family, number, marker and content start from its leading outline marker."""
    for form in outline_forms():
        m = form.rx.match(line.text)
        if not m:
            continue
        raw_num = m.groupdict().get("num")
        line.number = number_value(form.numeral, raw_num) if raw_num else None
        line.family = "?paren" if form.family == "lone_paren" else form.family
        line.marker = m.group(0).strip()
        cs = m.end()
        while cs < len(line.text) and line.text[cs] in " ：:":
            cs += 1
        line.content_start = line.start + cs
        line.damaged = form.damaged
        return
    line.content_start = line.start


def opener(line: Line, is_last_lines: bool) -> str | None:
    """'contact', 'next_steps' or 'signature' when this unnumbered paragraph opens such a block."""
    t = line.text
    if line.family is not None:
        return None
    for kind, rx, applies in section_kinds():
        if applies == "heading" or kind not in ("contact", "next_steps"):
            continue
        m = rx.search(t[:OPENER_SEARCH_CHARS])
        if m and (m.start() == 0 or kind == "contact"):
            return kind
    if is_last_lines and (cue_compiled("signature_date").match(t) or (
            len(t) <= SIGNATURE_MAX_CHARS and cue_compiled("signature_org").search(t)
            and not re.search(r"[。，；：]", t))):
        return "signature"
    return None


def heading_like(line: Line) -> bool:
    """A short line without closing punctuation that is not a measure (no ordinal, no label)."""
    t = line.text
    return (HEADING_MIN_CHARS <= len(t) <= HEADING_MAX_CHARS and t[-1] not in "。；：:，"
            and not ordinal_rx().match(t) and not label_rx().match(t) and not lost_ordinal_rx().match(t))


def read_lines(text: str, warnings: list[dict]) -> list[Line]:
    """Step 1: the lines of ``text`` with their markers and openers, damage repaired (warnings added)."""
    lines = split_lines(text)
    for ln in lines:
        detect_marker(ln)
    tail_start = max(0, len(lines) - TAIL_LINES)
    for i, ln in enumerate(lines):
        ln.opener = opener(ln, i >= tail_start)
    # a bare line that names a next-steps part (下一步工作打算) opens a block too
    for ln in lines:
        if (ln.family is None and ln.opener is None and heading_like(ln)
                and len(ln.text) <= BARE_NEXT_STEPS_MAX_CHARS and classify_kind(ln.text) == "next_steps"):
            ln.opener = "next_steps"
    fix_run_on_numbers(text, lines, warnings)
    resolve_damaged(lines, warnings)
    recover_lost_numbers(lines, warnings)
    return lines


def resolve_damaged(lines: list[Line], warnings: list[dict]) -> None:
    """Give a lone bracket heading the family and number its neighbours imply."""
    last_num: dict[str, int] = {}
    for ln in lines:
        if ln.family == "?paren":
            cands = [f for f in ("cn_paren", "ar_paren") if f in last_num]
            fam = cands[0] if cands else "cn_paren"
            ln.family, ln.number = fam, last_num.get(fam, 0) + 1
            warnings.append(warning("damaged_marker", f"heading marker reduced to {ln.marker!r}; read as "
                                    f"number {ln.number} of its sequence", ln.start, ln.end))
        elif ln.family and ln.damaged:
            warnings.append(warning("damaged_marker", f"marker {ln.marker!r} lost its opening bracket",
                                    ln.start, ln.end))
        if ln.family and ln.number is not None:
            last_num[ln.family] = ln.number  # sequence checks are local: a higher family resets nothing


def fix_run_on_numbers(text: str, lines: list[Line], warnings: list[dict]) -> None:
    """问题82019年以来: a problem number run into the text after it (lost colon) is split by sequence.

    The number is the expected next one when the digit run starts with it; otherwise a trailing
    four-digit year (followed by the ``run_on_year`` cue) is split off. Anything else keeps the run.
    """
    problem_n = next(f for f in outline_forms() if f.family == "problem_n" and not f.damaged)
    prev = 0
    for ln in lines:
        if ln.family != "problem_n":
            continue
        num_start = problem_n.rx.match(ln.text).start("num")
        m = _DIGITS.match(ln.text, num_start)
        if m:
            run = m.group(0)
            expect = str(prev + 1)
            n = None
            if len(run) > len(expect) and run.startswith(expect):
                n = expect
            elif len(run) > 4 and cue_compiled("run_on_year").match(text, ln.start + m.end()):
                n = run[:-4]
            if n is not None and n != run:
                ln.number = int(n)
                ln.marker = ln.text[:num_start].rstrip() + n
                ln.content_start = ln.start + num_start + len(n)
                warnings.append(warning("run_on_number", f"problem number run into its text "
                                        f"({ln.text[:m.end()]!r}); read as {ln.marker}", ln.start, ln.end))
        if ln.number is not None:
            prev = ln.number


def recover_lost_numbers(lines: list[Line], warnings: list[dict]) -> None:
    """An unnumbered heading-like line filling a gap n → n+2 in a family becomes number n+1."""
    idx_by_family: dict[str, list[int]] = {}
    for i, ln in enumerate(lines):
        if ln.family and ln.number is not None:
            idx_by_family.setdefault(ln.family, []).append(i)
    for fam, idxs in idx_by_family.items():
        for a, b in zip(idxs, idxs[1:], strict=False):
            if lines[b].number != (lines[a].number or 0) + 2:
                continue
            for k in range(a + 1, b):
                ln = lines[k]
                nxt = lines[k + 1] if k + 1 < len(lines) else None
                if (ln.family is None and ln.opener is None and heading_like(ln) and nxt is not None
                        and nxt.family is not None and nxt.family != fam):
                    ln.family, ln.number, ln.marker = fam, (lines[a].number or 0) + 1, None
                    ln.content_start = ln.start
                    warnings.append(warning("recovered_heading", f"heading lost its number; read as {fam} "
                                            f"number {ln.number} between its neighbours", ln.start, ln.end))
                    break
