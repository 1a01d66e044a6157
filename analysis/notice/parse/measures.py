"""Step 4 of the parser: the rectification measures of one problem, and their cheap features.

Under a problem the measures are, in this order of preference: its child headings (read by the
caller); else the ordinals 一是/二是… (inline or one per paragraph; a paragraph that lost its
ordinal, 是加强…, is recovered); else the paragraphs after a label such as 整改情况：; else one
undivided passage.
"""

from __future__ import annotations

import re

from analysis.genre.dates import has_date
from analysis.genre.enumerators import lost_ordinal_rx, ordinal_rx
from analysis.genre.numerals import cn_to_int
from analysis.genre.titles import cites_title
from analysis.notice.parse.lines import trim, warning
from analysis.notice.parse.vocabulary import cue_compiled, label_rx

CJK_RX = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")

Ordinal = tuple[int, int, str, bool]  # start, number, marker as written, paragraph-initial


def ordinals(text: str, a: int, b: int) -> list[Ordinal]:
    """Ordinal markers 一是/二是… in text[a:b] that form an increasing sequence starting at 一."""
    seg = text[a:b]
    found = []
    for m in ordinal_rx().finditer(seg):
        n = cn_to_int(m.group("num"))
        if n is None:
            continue
        s = a + m.start()
        para = s == a or text[s - 1] == "\n" or text[max(a, s - 4):s].strip() == "" and "\n" in text[max(a, s - 4):s]
        found.append((s, n, m.group(0), para))
    # keep the longest increasing run starting at 1 (allowing gaps of one for lost ordinals)
    seq: list[Ordinal] = []
    expect = 1
    for item in found:
        if item[1] == expect or (seq and item[1] == expect + 1):
            seq.append(item)
            expect = item[1] + 1
        elif not seq and item[1] == 1:
            seq.append(item)
            expect = 2
    return seq


def paragraphs(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Trimmed lines of text[a:b] that contain a Chinese character."""
    out = []
    pos = a
    for part in text[a:b].split("\n"):
        s, e = trim(text, pos, pos + len(part))
        if e > s and CJK_RX.search(text[s:e]):
            out.append((s, e))
        pos += len(part) + 1
    return out


def is_label_paragraph(text: str, s: int, e: int) -> bool:
    """A paragraph that is only a measure label (整改情况：)."""
    seg = text[s:e]
    m = label_rx().match(seg)
    return bool(m) and m.end() >= len(seg.rstrip())


def _continuation_like(seg: str) -> bool:
    return bool(cue_compiled("continuation").match(seg)) or seg.rstrip().endswith("：")


def _unordered_starts(text: str, ords: list[Ordinal], paras: list[tuple[int, int]], warnings: list[dict]
                      ) -> list[tuple[int, str | None, str | None]]:
    """Measure starts among enumerated measures that have no ordinal of their own."""
    starts: list[tuple[int, str | None, str | None]] = []
    if all(o[3] for o in ords):  # one ordinal per paragraph
        ord_starts = {o[0] for o in ords}
        for ps, pe in paras:
            if ps in ord_starts or ps < ords[0][0]:
                continue
            seg = text[ps:pe]
            if lost_ordinal_rx().match(seg):
                starts.append((ps, None, "lost_ordinal"))
                warnings.append(warning("lost_ordinal", "measure lost its ordinal (是… without 一/二/三); "
                                        "counted as the next measure", ps, pe))
            elif not _continuation_like(seg) and not is_label_paragraph(text, ps, pe):
                starts.append((ps, None, "unmarked"))
                warnings.append(warning("unmarked_measure", "paragraph without ordinal among enumerated "
                                        "measures; counted as a measure", ps, pe))
    else:
        # inline: a paragraph starting with a bare 是 still counts as a lost ordinal
        for ps, pe in paras:
            if ps > ords[0][0] and lost_ordinal_rx().match(text[ps:pe]):
                starts.append((ps, None, "lost_ordinal"))
                warnings.append(warning("lost_ordinal", "measure lost its ordinal", ps, pe))
    return starts


def split_measures(text: str, a: int, b: int, warnings: list[dict]) -> list[dict]:
    """Measures of a problem body text[a:b] (no child headings): ordinals, labels or one passage."""
    a, b = trim(text, a, b)
    if b <= a:
        return []
    ords = ordinals(text, a, b)
    paras = paragraphs(text, a, b)
    out: list[dict] = []
    if ords:
        starts = [(o[0], o[2], None) for o in ords] + _unordered_starts(text, ords, paras, warnings)
        starts.sort()
        for i, (s, marker, _why) in enumerate(starts):
            e = starts[i + 1][0] if i + 1 < len(starts) else b
            s2, e2 = trim(text, s, e)
            if e2 > s2:
                out.append({"marker": marker, "char_start": s2, "char_end": e2})
        return out
    # labelled paragraphs (整改情况：…) or one undivided passage
    lab = label_rx().search(text, a, b)
    if lab is not None:
        for s, e in paragraphs(text, lab.end(), b):
            if not is_label_paragraph(text, s, e):
                out.append({"marker": None, "char_start": s, "char_end": e})
        return out
    s, e = trim(text, a, b)
    if e > s and CJK_RX.search(text[s:e]):
        out.append({"marker": None, "char_start": s, "char_end": e})
    return out


def measure_features(t: str) -> dict:
    """Cheap filters a researcher uses on measures (dates and titles read as the specificity
    table reads them: ``has_date_or_deadline == (n_dates > 0)``, ``cites_document == (n_documents > 0)``)."""
    return {
        "has_number": bool(_DIGIT.search(t)),
        "has_date_or_deadline": has_date(t),
        "cites_document": cites_title(t),
        "n_chars": len(t),
    }
