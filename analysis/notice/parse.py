"""Notice structure parser: sections, problem areas, problems and measures, with offsets.

Input is the stored normalised text of one notice (see :mod:`analysis.ingest.normalize`); output is
plain rows whose ``char_start``/``char_end`` index that text, so
``text[char_start:char_end]`` is the unit. The parser never opens a file.

How it reads the genre (each step is a rule about notices, not about one notice):

1. Lines and markers. Each line's leading outline marker is recognised from the numbering
   families in ``data/numbering.csv`` (一、 （一） 1. （1） ① 问题N …, full or half width).
   Damaged markers (``四）`` without its bracket, a lone ``）``) are recognised and flagged.
2. Outline tree. A marker family seen for the first time nests under the current heading; a
   family already on the stack closes everything below it (sibling). Paragraphs that open a
   contact block, a next-steps block (下一步…) or the signature close the outline. A short
   unnumbered heading-like line that fills a gap in a numbered sequence is recovered as the
   missing sibling (with a warning).
3. Problem level. Each heading is scored: 2 when it states a problem in the genre's forms
   (针对/关于/对照/聚焦/在“…”问题|方面, 问题N) and 1 when it uses problem vocabulary
   (``data/problem_cues.txt``). The marker family with the highest total (ties: the deeper one)
   holds the problems; its ancestors are areas and sub-areas; its descendants are measures.
4. Measures. Under a problem: child headings; else ordinals 一是/二是… (inline or one per
   paragraph, with lost ordinals such as a paragraph starting 是加强… recovered); else the
   paragraphs after a label such as 整改情况：; else one undivided passage.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from analysis.genre.numerals import cn_to_int
from analysis.vocab import load_lines, load_table

MAX_QUOTED_CHARS = 300  # longest quoted problem statement looked for (published ones are under 50)
MAX_CLOSE_WORD = 8  # longest word after the closing quote in data/problem_patterns.csv (问题, 等情况…)
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
OPEN_Q = "“\"「『"
CLOSE_Q = "”\"」』"


def _num_value(numeral: str, raw: str) -> int | None:
    if raw is None:
        return None
    if numeral == "circled":
        return CIRCLED.index(raw) + 1 if raw in CIRCLED else None
    return cn_to_int(raw)


# ---------------------------------------------------------------- vocabulary (data files)

@dataclass(frozen=True)
class _Family:
    family: str
    rank: int
    numeral: str
    damaged: bool
    rx: re.Pattern


@lru_cache(maxsize=1)
def _families() -> tuple[_Family, ...]:
    t = load_table("numbering.csv")
    return tuple(_Family(r.family, int(r["rank"]), r.numeral, r.damaged == "1", re.compile(r.pattern))
                 for _, r in t.iterrows())


@lru_cache(maxsize=1)
def _section_kinds() -> tuple[tuple[str, re.Pattern, str], ...]:
    t = load_table("section_kinds.csv")
    return tuple((r.kind, re.compile(r.pattern), r.applies_to) for _, r in t.iterrows())


@lru_cache(maxsize=1)
def _problem_rx() -> tuple[re.Pattern, str]:
    t = load_table("problem_patterns.csv")
    r = t[t.kind == "quoted"].iloc[0]
    lead = re.compile(rf"(?:{r.lead})[{OPEN_Q}]")
    return lead, r.close


@lru_cache(maxsize=1)
def _cue_rx() -> re.Pattern:
    return re.compile("|".join(re.escape(c) for c in sorted(load_lines("problem_cues.txt"), key=len, reverse=True)))


@lru_cache(maxsize=1)
def _label_rx() -> re.Pattern:
    labels = sorted(load_lines("measure_labels.txt"), key=len, reverse=True)
    return re.compile(r"(?:^|(?<=[，。；\s]))(?:" + "|".join(map(re.escape, labels)) + r")\s*[：:]")


ORDINAL_RX = re.compile(r"(?:(?<=^)|(?<=[。；：，！？\s）]))(?P<num>[一二三四五六七八九十]{1,3})是(?=[^，。；：\s])",
                        re.M)
LOST_ORDINAL_RX = re.compile(r"^是(?=[\u4e00-\u9fff])")
SENT_END = "。！？"
CJK_RX = re.compile(r"[\u4e00-\u9fff]")
SIGNATURE_DATE_RX = re.compile(r"^\s*(\d{4}|[X×]{1,4})\s*年\s*[\dX×]{1,2}\s*月\s*[\dX×]{1,2}\s*日\s*$")
ORG_LINE_RX = re.compile(r"(委员会|党工委|工委|党委|党组|街道|办事处|政府|纪委|总支|支部)$")
DATE_RX = re.compile(r"\d{4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|年底|年内|月底|季度|截至|截止|限期|时限|前完成|之前")
DOC_RX = re.compile(r"《[^《》]{1,80}》")


# ---------------------------------------------------------------- data model

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


@dataclass(eq=False)
class Node:
    """An outline node; nodes compare by identity (a tree has no two equal nodes)."""

    line: Line | None  # None for the root and implicit sections
    family: str | None
    number: int | None
    start: int
    end: int = 0
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    implicit_kind: str | None = None
    body_lines: list[Line] = field(default_factory=list)
    nests: bool = False  # an implicit part whose numbered headings are its children (下一步工作打算)

    @property
    def depth(self) -> int:
        d, p = 0, self.parent
        while p is not None:
            d, p = d + 1, p.parent
        return d

    def heading_text(self, text: str) -> str:
        if self.line is None:
            return ""
        return text[self.line.content_start:self.line.end].strip()


@dataclass
class ParseResult:
    sections: list[dict]
    problems: list[dict]
    measures: list[dict]
    warnings: list[dict]
    coverage: float | None
    rect_chars: int
    lead_chars: int = 0


# ---------------------------------------------------------------- step 1: lines and markers

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


def _detect_marker(line: Line) -> None:
    for fam in _families():
        m = fam.rx.match(line.text)
        if not m:
            continue
        raw_num = m.groupdict().get("num")
        number = _num_value(fam.numeral, raw_num) if raw_num else None
        line.family = None if fam.family == "lone_paren" else fam.family
        line.number = number
        line.marker = m.group(0).strip()
        cs = m.end()
        while cs < len(line.text) and line.text[cs] in " ：:":
            cs += 1
        line.content_start = line.start + cs
        line.damaged = fam.damaged
        if fam.family == "lone_paren":
            line.family = "?paren"
        return
    line.content_start = line.start


def _opener(line: Line, is_last_lines: bool) -> str | None:
    t = line.text
    if line.family is not None:
        return None
    for kind, rx, applies in _section_kinds():
        if applies == "heading" or kind not in ("contact", "next_steps"):
            continue
        m = rx.search(t[:40])
        if m and (m.start() == 0 or kind == "contact"):
            return kind
    if is_last_lines and (SIGNATURE_DATE_RX.match(t) or (len(t) <= 40 and ORG_LINE_RX.search(t)
                                                        and not re.search(r"[。，；：]", t))):
        return "signature"
    return None


def _heading_like(line: Line) -> bool:
    t = line.text
    return (4 <= len(t) <= 60 and t[-1] not in "。；：:，" and not ORDINAL_RX.match(t)
            and not _label_rx().match(t) and not LOST_ORDINAL_RX.match(t))


# ---------------------------------------------------------------- step 2: outline tree

def _resolve_damaged(lines: list[Line], warnings: list[dict]) -> None:
    """Give a lone bracket heading the family and number its neighbours imply."""
    last_num: dict[str, int] = {}
    for ln in lines:
        if ln.family == "?paren":
            cands = [f for f in ("cn_paren", "ar_paren") if f in last_num]
            fam = cands[0] if cands else "cn_paren"
            ln.family, ln.number = fam, last_num.get(fam, 0) + 1
            warnings.append(_warn("damaged_marker", f"heading marker reduced to {ln.marker!r}; read as "
                                  f"number {ln.number} of its sequence", ln.start, ln.end))
        elif ln.family and ln.damaged:
            warnings.append(_warn("damaged_marker", f"marker {ln.marker!r} lost its opening bracket",
                                  ln.start, ln.end))
        if ln.family and ln.number is not None:
            last_num[ln.family] = ln.number
            # a higher family restarting resets nothing here; sequence checks are local


def _fix_run_on_numbers(text: str, lines: list[Line], warnings: list[dict]) -> None:
    """问题82019年以来: a number run into the text that follows it (lost colon) is split by sequence.

    The number is the expected next one when the digit run starts with it; otherwise a trailing
    four-digit year (followed by 年) is split off. Anything else keeps the whole run.
    """
    prev = 0
    for ln in lines:
        if ln.family != "problem_n":
            continue
        m = re.match(r"问题\s*(\d+)", ln.text)
        if m:
            run = m.group(1)
            expect = str(prev + 1)
            n = None
            if len(run) > len(expect) and run.startswith(expect):
                n = expect
            elif len(run) > 4 and text[ln.start + m.end():ln.start + m.end() + 1] == "年":
                n = run[:-4]
            if n is not None and n != run:
                ln.number = int(n)
                ln.marker = "问题" + n
                ln.content_start = ln.start + m.start(1) + len(n)
                warnings.append(_warn("run_on_number", f"problem number run into its text ({m.group(0)!r}); "
                                      f"read as {ln.marker}", ln.start, ln.end))
        if ln.number is not None:
            prev = ln.number


def _recover_lost_numbers(lines: list[Line], warnings: list[dict]) -> None:
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
                if (ln.family is None and ln.opener is None and _heading_like(ln) and nxt is not None
                        and nxt.family is not None and nxt.family != fam):
                    ln.family, ln.number, ln.marker = fam, (lines[a].number or 0) + 1, None
                    ln.content_start = ln.start
                    warnings.append(_warn("recovered_heading", f"heading lost its number; read as {fam} "
                                          f"number {ln.number} between its neighbours", ln.start, ln.end))
                    break


def _build_tree(lines: list[Line], text_len: int) -> Node:
    root = Node(line=None, family=None, number=None, start=0, end=text_len)
    stack: list[Node] = [root]
    for ln in lines:
        if ln.opener is not None:
            node = Node(line=None, family="#implicit", number=None, start=ln.start, parent=root,
                        implicit_kind=ln.opener)
            if stack[-1].implicit_kind == ln.opener and len(stack) == 2:
                stack[-1].body_lines.append(ln)
                continue
            root.children.append(node)
            node.body_lines.append(ln)
            node.nests = ln.opener == "next_steps" and _heading_like(ln)
            stack = [root, node]
            continue
        if ln.family is None:
            if len(stack) == 1 and (not root.children or root.children[-1].implicit_kind != "preamble"):
                node = Node(line=None, family="#implicit", number=None, start=ln.start, parent=root,
                            implicit_kind="preamble")
                root.children.append(node)
                stack = [root, node]
            stack[-1].body_lines.append(ln)
            continue
        fam = ln.family
        # a top-level-kind bare heading (e.g. 下一步工作打算) handled via opener; here numbered headings
        pos = next((i for i in range(len(stack) - 1, 0, -1) if stack[i].family == fam), None)
        if pos is not None:
            stack = stack[:pos]
        elif len(stack) == 2 and stack[1].family == "#implicit" and not stack[1].nests:
            stack = stack[:1]
        parent = stack[-1]
        node = Node(line=ln, family=fam, number=ln.number, start=ln.start, parent=parent)
        parent.children.append(node)
        stack.append(node)
    _close(root, text_len)
    return root


def _close(node: Node, end: int) -> None:
    node.end = end
    for i, ch in enumerate(node.children):
        nxt = node.children[i + 1].start if i + 1 < len(node.children) else end
        _close(ch, nxt)


def _walk(node: Node):
    for ch in node.children:
        yield ch
        yield from _walk(ch)


# ---------------------------------------------------------------- step 3: kinds and the problem level

def classify_kind(heading: str, *, as_heading: bool = True) -> str | None:
    """Section kind from keywords (data/section_kinds.csv); None when nothing matches."""
    for kind, rx, applies in _section_kinds():
        if applies == "heading" and not as_heading:
            continue
        if applies == "paragraph" and as_heading:
            continue
        if rx.search(heading):
            return kind
    return None


def find_quoted(s: str, lead_within: int | None = None) -> tuple[int, int, int] | None:
    """(lead_start, quote_content_start, quote_content_end) of the first 针对“…”问题-style statement.

    The closing quote is found by bracket balance so that quotes nested inside the statement
    (“落实区委“幸福社区”创建…”) stay in it; unbalanced text falls back to the last closing quote
    followed by the closing word. A statement is at most ``MAX_QUOTED_CHARS`` long, so each
    lead costs bounded work however long ``s`` is. ``lead_within``: only leads starting at or
    before this offset are tried.
    """
    lead_rx, close = _problem_rx()
    close_rx = re.compile(rf"\s{{0,3}}(?:{close})")
    fallback_rx = re.compile(rf"[”\"」』](?={close})")
    for m in lead_rx.finditer(s):
        if lead_within is not None and m.start() > lead_within:
            break
        q0 = m.end()  # content starts after the opening quote
        depth, i = 1, q0
        hit = None
        stop = min(len(s), q0 + MAX_QUOTED_CHARS)
        while i < stop:
            c = s[i]
            if c in "“「『":
                depth += 1
            elif c in "”」』":
                depth -= 1
                if depth == 0:
                    if close_rx.match(s, i + 1):
                        hit = i
                    break
            elif c == '"':
                if close_rx.match(s, i + 1):
                    hit = i
                    break
            elif c in "。\n" and depth == 1 and i - q0 > 120:
                break
            i += 1
        if hit is None:
            # unbalanced quotes: the nearest closing quote followed by the closing word
            # (the search ends where a hit could no longer be within 160 characters)
            mm = fallback_rx.search(s, q0, q0 + 161 + MAX_CLOSE_WORD)
            if mm and mm.start() - q0 <= 160:
                hit = mm.start()
        if hit is not None and hit > q0:
            return m.start(), q0, hit
    return None


def _pattern_score(node: Node, text: str) -> int:
    h = node.heading_text(text)
    if node.family == "problem_n":
        return 2
    q = find_quoted(h[:200], lead_within=2)
    if q is not None:
        return 2
    return 0


def _cue_score(node: Node, text: str) -> int:
    h = node.heading_text(text)
    first = re.split(r"[。；]", h, maxsplit=1)[0][:80]
    return 1 if _cue_rx().search(first) else 0


def _top_kind(node: Node, text: str) -> str | None:
    if node.implicit_kind:
        return node.implicit_kind
    return classify_kind(node.heading_text(text))


# ---------------------------------------------------------------- step 4: measures

def _warn(kind: str, message: str, start: int | None = None, end: int | None = None) -> dict:
    return {"kind": kind, "message": message, "char_start": start, "char_end": end}


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \n；;，、：":
        a += 1
    while b > a and text[b - 1] in " \n；;，、":
        b -= 1
    return a, b


def _ordinals(text: str, a: int, b: int) -> list[tuple[int, int, str, bool]]:
    """Ordinal markers 一是/二是… in text[a:b] that form an increasing sequence starting at 一.

    Returns (start, number, marker, paragraph_initial). Paragraph-initial 是 without its numeral
    is returned with number -1 and resolved by the caller.
    """
    seg = text[a:b]
    found = []
    for m in ORDINAL_RX.finditer(seg):
        n = cn_to_int(m.group("num"))
        if n is None:
            continue
        s = a + m.start()
        para = s == a or text[s - 1] == "\n" or text[max(a, s - 4):s].strip() == "" and "\n" in text[max(a, s - 4):s]
        found.append((s, n, m.group(0), para))
    # keep the longest increasing run starting at 1 (allowing gaps of one for lost ordinals)
    seq: list[tuple[int, int, str, bool]] = []
    expect = 1
    for item in found:
        if item[1] == expect or (seq and item[1] == expect + 1):
            seq.append(item)
            expect = item[1] + 1
        elif not seq and item[1] == 1:
            seq.append(item)
            expect = 2
    return seq


def _paragraphs(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out = []
    pos = a
    for part in text[a:b].split("\n"):
        s, e = _trim(text, pos, pos + len(part))
        if e > s and CJK_RX.search(text[s:e]):
            out.append((s, e))
        pos += len(part) + 1
    return out


def _is_label_paragraph(text: str, s: int, e: int) -> bool:
    seg = text[s:e]
    m = _label_rx().match(seg)
    return bool(m) and m.end() >= len(seg.rstrip())


def _continuation_like(seg: str) -> bool:
    return bool(re.match(r"^(关于|其中|如|例如|具体|注[：:]|附)", seg)) or seg.rstrip().endswith("：")


def split_measures(text: str, a: int, b: int, warnings: list[dict]) -> list[dict]:
    """Measures of a problem body text[a:b] (no child headings): ordinals, labels or one passage."""
    a, b = _trim(text, a, b)
    if b <= a:
        return []
    ords = _ordinals(text, a, b)
    paras = _paragraphs(text, a, b)
    out: list[dict] = []
    if ords:
        para_style = all(o[3] for o in ords)
        starts = [(o[0], o[2], None) for o in ords]
        if para_style:
            ord_starts = {o[0] for o in ords}
            for ps, pe in paras:
                if ps in ord_starts or ps < ords[0][0]:
                    continue
                seg = text[ps:pe]
                if LOST_ORDINAL_RX.match(seg):
                    starts.append((ps, None, "lost_ordinal"))
                    warnings.append(_warn("lost_ordinal", "measure lost its ordinal (是… without 一/二/三); "
                                          "counted as the next measure", ps, pe))
                elif not _continuation_like(seg) and not _is_label_paragraph(text, ps, pe):
                    starts.append((ps, None, "unmarked"))
                    warnings.append(_warn("unmarked_measure", "paragraph without ordinal among enumerated "
                                          "measures; counted as a measure", ps, pe))
        else:
            # inline: a paragraph starting with a bare 是 still counts as a lost ordinal
            for ps, pe in paras:
                if ps > ords[0][0] and LOST_ORDINAL_RX.match(text[ps:pe]):
                    starts.append((ps, None, "lost_ordinal"))
                    warnings.append(_warn("lost_ordinal", "measure lost its ordinal", ps, pe))
        starts.sort()
        for i, (s, marker, _why) in enumerate(starts):
            e = starts[i + 1][0] if i + 1 < len(starts) else b
            s2, e2 = _trim(text, s, e)
            if e2 > s2:
                out.append({"marker": marker, "char_start": s2, "char_end": e2})
        return out
    # labelled paragraphs (整改情况：…) or one undivided passage
    lab = _label_rx().search(text, a, b)
    if lab is not None:
        a2 = lab.end()
        paras = _paragraphs(text, a2, b)
        for s, e in paras:
            if not _is_label_paragraph(text, s, e):
                out.append({"marker": None, "char_start": s, "char_end": e})
        return out
    s, e = _trim(text, a, b)
    if e > s and CJK_RX.search(text[s:e]):
        out.append({"marker": None, "char_start": s, "char_end": e})
    return out


def measure_features(t: str) -> dict:
    """Cheap filters a researcher uses on measures."""
    return {
        "has_number": bool(re.search(r"\d", t)),
        "has_date_or_deadline": bool(DATE_RX.search(t)),
        "cites_document": bool(DOC_RX.search(t)),
        "n_chars": len(t),
    }


# ---------------------------------------------------------------- the parser

def _strip_heading(h: str) -> str:
    return h.strip().rstrip("。；;，,：: ")


def _area_text(h: str) -> str:
    q = find_quoted(h, lead_within=2)
    if q is not None:
        return h[q[1]:q[2]]
    return _strip_heading(h)


def parse_notice(text: str) -> ParseResult:
    """Parse one normalised notice into sections, problems, measures and warnings."""
    warnings: list[dict] = []
    lines = split_lines(text)
    for ln in lines:
        _detect_marker(ln)
    tail_start = max(0, len(lines) - 4)
    for i, ln in enumerate(lines):
        ln.opener = _opener(ln, i >= tail_start)
    # a bare line that names a next-steps/overview part (下一步工作打算) opens a block too
    for ln in lines:
        if ln.family is None and ln.opener is None and _heading_like(ln) and len(ln.text) <= 20:
            k = classify_kind(ln.text)
            if k == "next_steps":
                ln.opener = "next_steps"
    _fix_run_on_numbers(text, lines, warnings)
    _resolve_damaged(lines, warnings)
    _recover_lost_numbers(lines, warnings)
    root = _build_tree(lines, len(text))

    # kinds of top-level parts
    top_kind: dict[int, str | None] = {id(n): _top_kind(n, text) for n in root.children}
    excluded_top = {id(n) for n in root.children if top_kind[id(n)] in ("next_steps", "contact", "signature",
                                                                        "other")}

    def top_of(n: Node) -> Node:
        while n.parent is not None and n.parent.parent is not None:
            n = n.parent
        return n

    # choose the problem family
    scores: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for n in _walk(root):
        if n.family in (None, "#implicit") or id(top_of(n)) in excluded_top:
            continue
        first_seen.setdefault(n.family, n.start)
        if top_kind.get(id(top_of(n))) == "overview" and n is not top_of(n):
            continue
        scores[n.family] = scores.get(n.family, 0) + _pattern_score(n, text) + _cue_score(n, text)
    problem_family = None
    if scores and max(scores.values()) > 0:
        best = max(scores.values())
        tied = [f for f, s in scores.items() if s == best]
        problem_family = max(tied, key=lambda f: (_depth_of_family(root, f), first_seen[f]))

    problem_nodes: list[Node] = []
    problem_set: set[int] = set()  # ids of problem_nodes: membership in O(1), not a list scan
    if problem_family:
        for n in _walk(root):
            if n.family != problem_family or id(top_of(n)) in excluded_top:
                continue
            if top_kind.get(id(top_of(n))) == "overview" and _pattern_score(n, text) == 0 and n is not top_of(n):
                continue
            # problems do not nest: skip one inside another problem
            p, inside = n.parent, False
            while p is not None:
                if p.family == problem_family and id(p) in problem_set:
                    inside = True
                    break
                p = p.parent
            if not inside:
                problem_nodes.append(n)
                problem_set.add(id(n))
    if not problem_nodes:
        warnings.append(_warn("no_structure", "no problem headings recognised in this notice"))

    # rectification section: the top-level part(s) holding the problems
    rect_tops: list[Node] = []
    rect_set: set[int] = set()
    for pn in problem_nodes:
        t = top_of(pn)
        if id(t) not in rect_set:
            rect_tops.append(t)
            rect_set.add(id(t))
    problems_are_top = any(id(t) in problem_set for t in rect_tops)

    sections: list[dict] = []
    sec_id: dict[int, int] = {}

    def add_section(n: Node | None, parent: int | None, level: int, kind: str, start: int, end: int,
                    marker: str | None, heading: str | None) -> int:
        sid = len(sections) + 1
        sections.append({"section_id": sid, "parent_id": parent, "level": level, "kind": kind,
                         "marker": marker, "heading": heading, "char_start": start, "char_end": end})
        if n is not None:
            sec_id[id(n)] = sid
        return sid

    virtual_rect = None
    if problems_are_top:
        virtual_rect = (min(t.start for t in rect_tops), max(t.end for t in rect_tops))
    for top in root.children:
        if problems_are_top and id(top) in rect_set:
            if top is rect_tops[0]:
                vid = add_section(None, None, 1, "rectification", *virtual_rect, None, None)
                for t in rect_tops:
                    sec_id[id(t)] = vid
            continue
        kind = "rectification" if id(top) in rect_set else (top_kind[id(top)] or "other")
        lead_end = top.children[0].start if top.children else top.start
        if kind == "signature":
            kind = "other"
        if kind == "preamble":
            first = top.body_lines[0].text if top.body_lines else ""
            kind = "overview" if classify_kind(first) == "overview" else "other"
        ln = top.line
        sid = add_section(top, None, 1, kind, top.start, top.end, ln.marker if ln else None,
                          _strip_heading(top.heading_text(text)) if ln else None)
        sections[sid - 1]["_lead_end"] = lead_end

    # nested outline nodes that are neither problems nor inside problems become sub-sections
    def add_children(n: Node, level: int) -> None:
        for ch in n.children:
            if id(ch) in problem_set:
                continue
            inside_problem = any(id(a) in problem_set for a in _ancestors(ch))
            if inside_problem:
                continue
            parent_sid = sec_id.get(id(n))
            kind = sections[parent_sid - 1]["kind"] if parent_sid else "other"
            add_section(ch, parent_sid, level, kind, ch.start, ch.end, ch.line.marker if ch.line else None,
                        _strip_heading(ch.heading_text(text)))
            add_children(ch, level + 1)

    for top in root.children:
        if id(top) in problem_set:
            continue
        add_children(top, 2)

    # problems and measures; an ancestor's kind and area text are read once, however many
    # problems it holds (its heading line may be long)
    kind_cache: dict[int, str | None] = {}
    area_cache: dict[int, str] = {}

    def heading_kind(n: Node) -> str | None:
        if id(n) not in kind_cache:
            kind_cache[id(n)] = classify_kind(n.heading_text(text) if n.line else "")
        return kind_cache[id(n)]

    def area_of(n: Node) -> str:
        if id(n) not in area_cache:
            area_cache[id(n)] = _area_text(n.heading_text(text))
        return area_cache[id(n)]

    problems: list[dict] = []
    measures: list[dict] = []
    covered: list[tuple[int, int]] = []
    for no, pn in enumerate(problem_nodes, start=1):
        anc = [a for a in _ancestors(pn) if a.parent is not None]  # top-first, excluding root
        anc = list(reversed(anc))
        if anc and heading_kind(anc[0]) is not None or (anc and anc[0].implicit_kind):
            area_nodes = anc[1:]
        else:
            area_nodes = anc
        area = area_of(area_nodes[0]) if area_nodes and area_nodes[0].line else None
        sub_area = area_of(area_nodes[1]) if len(area_nodes) > 1 else None
        for a in area_nodes[:2]:
            if a.line is not None:
                covered.append((a.line.start, a.line.end))
        ln = pn.line
        h_full = text[ln.content_start:ln.end]
        heading, finding = None, None
        body_start = ln.end
        q = find_quoted(h_full[:300], lead_within=4)
        if pn.family == "problem_n":
            m = re.search(r"[。！？]", h_full)
            head_end = ln.content_start + (m.end() if m else len(h_full))
            heading = _strip_heading(text[ln.content_start:head_end])
            lab = _label_rx().search(text, head_end, pn.end)
            f_end = lab.start() if lab else ln.end
            finding = text[head_end:f_end].strip() or None
            body_start = lab.start() if lab else ln.end
        elif q is not None and q[0] <= 4:
            heading = h_full[q[1]:q[2]]
            m = re.compile(rf"[”\"」』]\s*(?:{_problem_rx()[1]})(?:的整改(?:情况|措施|落实情况))?").match(h_full, q[2])
            body_start = ln.content_start + (m.end() if m else q[2] + 1)
        else:
            first = re.search(r"[。！？]", h_full)
            if len(h_full) > 60 and first and first.end() < len(h_full):
                heading = _strip_heading(h_full[:first.end()])
                body_start = ln.content_start + first.end()
            else:
                heading = _strip_heading(h_full)
                body_start = ln.end
        # measures
        pm: list[dict] = []
        if pn.children:
            for ch in pn.children:
                s, e = _trim(text, ch.start, ch.end)
                pm.append({"marker": ch.line.marker if ch.line else None, "char_start": s, "char_end": e})
            lead_end = pn.children[0].start
        else:
            pm = split_measures(text, body_start, pn.end, warnings)
            lead_end = pm[0]["char_start"] if pm else pn.end
        p_start, p_end = _trim(text, pn.start, pn.end)
        rect_s, rect_e = _trim(text, body_start, pn.end)
        problems.append({
            "problem_no": no, "marker": ln.marker, "area": area, "sub_area": sub_area, "heading": heading,
            "finding": finding, "rectification_text": text[rect_s:rect_e] if rect_e > rect_s else None,
            "char_start": p_start, "char_end": p_end, "lead_end": lead_end,
        })
        covered.append((p_start, p_end))
        if not pm:
            warnings.append(_warn("no_measures", f"problem {no} lists no rectification measure", p_start, p_end))
        for k, mrow in enumerate(pm, start=1):
            t = text[mrow["char_start"]:mrow["char_end"]]
            measures.append({"problem_no": no, "measure_no": k, "marker": mrow["marker"], "text": t,
                             "char_start": mrow["char_start"], "char_end": mrow["char_end"],
                             **measure_features(t)})
    for p in problems:
        p.pop("lead_end", None)

    # coverage of the rectification section: non-space characters inside a problem (or an area
    # heading), over the section's non-space characters after its own heading and lead paragraph
    rect = [s for s in sections if s["kind"] == "rectification" and s["level"] == 1]
    cov, rect_chars, lead_chars = None, 0, 0
    if rect:
        cov_ranges = _merge(covered)
        range_ends = [b for _, b in cov_ranges]
        total = cov_n = 0
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
        rect_chars = total
        cov = cov_n / total if total else None
    for s in sections:
        s.pop("_lead_end", None)
    return ParseResult(sections=sections, problems=problems, measures=measures, warnings=warnings,
                       coverage=cov, rect_chars=rect_chars, lead_chars=lead_chars)


def _ancestors(n: Node) -> list[Node]:
    out = []
    p = n.parent
    while p is not None:
        out.append(p)
        p = p.parent
    return out


def _depth_of_family(root: Node, fam: str) -> int:
    ds = [n.depth for n in _walk(root) if n.family == fam]
    return max(set(ds), key=ds.count) if ds else 0


_WS_RX = re.compile(r"\s+")


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
