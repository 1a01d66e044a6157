"""Step 3 of the parser: which outline level holds the problems, and each problem's row.

Each heading is scored: 2 when it states a problem in the genre's forms (针对/关于/对照/聚焦/在
“…”问题|方面, 问题N; ``data/problem_patterns.csv``) and 1 when it uses problem vocabulary
(``data/problem_cues.txt``). The marker family with the highest total (ties: the deeper one, then
the later first occurrence) holds the problems; its ancestors are areas and sub-areas; its
descendants are measures. Parts for next steps, contact, signature and page furniture are not
searched, nor the sub-headings of an overview (unless they quote a problem).
"""

from __future__ import annotations

import re

from analysis.genre.sentences import SENTENCE_END_CLASS
from analysis.notice.parse.lines import trim, warning
from analysis.notice.parse.measures import measure_features, split_measures
from analysis.notice.parse.tree import IMPLICIT, Node, ancestors, depth_of_family, top_of, walk
from analysis.notice.parse.vocabulary import (
    CLOSE_QUOTES,
    OPEN_QUOTES,
    classify_kind,
    cue_rx,
    heading_close_rx,
    label_rx,
    problem_rx,
)

MAX_QUOTED_CHARS = 300  # longest quoted problem statement looked for (published ones are under 50)
MAX_CLOSE_WORD = 8  # longest word after the closing quote in data/problem_patterns.csv (问题, 等情况…)
MAX_FALLBACK_CHARS = 160  # an unbalanced statement ends at a closing quote at most this far
MAX_BALANCED_SENTENCE = 120  # a balanced search gives up at a sentence end this far into the quote
HEADING_SPLIT_CHARS = 60  # a longer heading line is split after its first sentence
EXCLUDED_KINDS = ("next_steps", "contact", "signature", "other")  # top-level parts without problems

_SENTENCE_END = re.compile(f"[{SENTENCE_END_CLASS}]")
_FIRST_CLAUSE = re.compile(r"[。；]")
_NESTED_OPEN, _NESTED_CLOSE = OPEN_QUOTES.replace('"', ""), CLOSE_QUOTES.replace('"', "")


def find_quoted(s: str, lead_within: int | None = None) -> tuple[int, int, int] | None:
    """(lead_start, quote_content_start, quote_content_end) of the first 针对“…”问题-style statement.

    The closing quote is found by bracket balance so that quotes nested inside the statement
    (“落实区委“幸福社区”创建…”) stay in it; unbalanced text falls back to the last closing quote
    followed by the closing word. A statement is at most ``MAX_QUOTED_CHARS`` long, so each
    lead costs bounded work however long ``s`` is. ``lead_within``: only leads starting at or
    before this offset are tried.
    """
    lead_rx, close = problem_rx()
    close_rx = re.compile(rf"\s{{0,3}}(?:{close})")
    fallback_rx = re.compile(rf"[{CLOSE_QUOTES}](?={close})")
    for m in lead_rx.finditer(s):
        if lead_within is not None and m.start() > lead_within:
            break
        q0 = m.end()  # content starts after the opening quote
        hit = _balanced_close(s, q0, close_rx)
        if hit is None:
            # unbalanced quotes: the nearest closing quote followed by the closing word
            # (the search ends where a hit could no longer be within MAX_FALLBACK_CHARS)
            mm = fallback_rx.search(s, q0, q0 + MAX_FALLBACK_CHARS + 1 + MAX_CLOSE_WORD)
            if mm and mm.start() - q0 <= MAX_FALLBACK_CHARS:
                hit = mm.start()
        if hit is not None and hit > q0:
            return m.start(), q0, hit
    return None


def _balanced_close(s: str, q0: int, close_rx: re.Pattern[str]) -> int | None:
    """Offset of the quote closing the one before ``q0`` when the closing word follows it."""
    depth, i = 1, q0
    stop = min(len(s), q0 + MAX_QUOTED_CHARS)
    while i < stop:
        c = s[i]
        if c in _NESTED_OPEN:
            depth += 1
        elif c in _NESTED_CLOSE:
            depth -= 1
            if depth == 0:
                return i if close_rx.match(s, i + 1) else None
        elif c == '"':
            if close_rx.match(s, i + 1):
                return i
        elif c in "。\n" and depth == 1 and i - q0 > MAX_BALANCED_SENTENCE:
            return None
        i += 1
    return None


def pattern_score(node: Node, text: str) -> int:
    """2 when the heading states a problem in one of the genre's forms, else 0."""
    if node.family == "problem_n":
        return 2
    return 2 if find_quoted(node.heading_text(text)[:200], lead_within=2) is not None else 0


def cue_score(node: Node, text: str) -> int:
    """1 when the heading's first clause uses problem vocabulary, else 0."""
    first = _FIRST_CLAUSE.split(node.heading_text(text), maxsplit=1)[0][:80]
    return 1 if cue_rx().search(first) else 0


def top_kinds(root: Node, text: str) -> dict[int, str | None]:
    """Kind of each top-level part (by node id): implicit kind, else from its heading's keywords."""
    return {id(n): n.implicit_kind or classify_kind(n.heading_text(text)) for n in root.children}


def problem_family(root: Node, text: str, top_kind: dict[int, str | None]) -> str | None:
    """The marker family holding the problems (highest score; ties: deeper, then later first seen)."""
    scores: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for n in walk(root):
        top = top_of(n)
        if n.family in (None, IMPLICIT) or top_kind.get(id(top)) in EXCLUDED_KINDS:
            continue
        first_seen.setdefault(n.family, n.start)
        if top_kind.get(id(top)) == "overview" and n is not top:
            continue
        scores[n.family] = scores.get(n.family, 0) + pattern_score(n, text) + cue_score(n, text)
    if not scores or max(scores.values()) <= 0:
        return None
    best = max(scores.values())
    tied = [f for f, s in scores.items() if s == best]
    return max(tied, key=lambda f: (depth_of_family(root, f), first_seen[f]))


def problem_nodes(root: Node, text: str, top_kind: dict[int, str | None], family: str | None) -> list[Node]:
    """The problems: nodes of ``family`` outside excluded parts, none inside another problem."""
    out: list[Node] = []
    chosen: set[int] = set()  # ids of the problems: membership in O(1), not a list scan
    if not family:
        return out
    for n in walk(root):
        top = top_of(n)
        if n.family != family or top_kind.get(id(top)) in EXCLUDED_KINDS:
            continue
        if top_kind.get(id(top)) == "overview" and pattern_score(n, text) == 0 and n is not top:
            continue
        if not any(p.family == family and id(p) in chosen for p in ancestors(n)):
            out.append(n)
            chosen.add(id(n))
    return out


# ---------------------------------------------------------------- the rows of the problems and their measures


def strip_heading(h: str) -> str:
    """A heading without surrounding spaces and trailing clause punctuation."""
    return h.strip().rstrip("。；;，,：: ")


def area_text(h: str) -> str:
    """An area heading: its quoted statement when it quotes one, else the stripped heading."""
    q = find_quoted(h, lead_within=2)
    if q is not None:
        return h[q[1]:q[2]]
    return strip_heading(h)


def split_problem_heading(text: str, pn: Node) -> tuple[str, str | None, int]:
    """(heading, finding, body_start) of a problem node: what states the problem, the inspectors'
    finding after it (问题N style only) and where the rectification text starts."""
    ln = pn.line
    h_full = text[ln.content_start:ln.end]
    if pn.family == "problem_n":
        m = _SENTENCE_END.search(h_full)
        head_end = ln.content_start + (m.end() if m else len(h_full))
        lab = label_rx().search(text, head_end, pn.end)
        finding = text[head_end:lab.start() if lab else ln.end].strip() or None
        return strip_heading(text[ln.content_start:head_end]), finding, lab.start() if lab else ln.end
    q = find_quoted(h_full[:MAX_QUOTED_CHARS], lead_within=4)
    if q is not None and q[0] <= 4:
        m = heading_close_rx().match(h_full, q[2])
        return h_full[q[1]:q[2]], None, ln.content_start + (m.end() if m else q[2] + 1)
    first = _SENTENCE_END.search(h_full)
    if len(h_full) > HEADING_SPLIT_CHARS and first and first.end() < len(h_full):
        return strip_heading(h_full[:first.end()]), None, ln.content_start + first.end()
    return strip_heading(h_full), None, ln.end


class _Areas:
    """Area and sub-area of each problem; an ancestor's kind and area text are read once, however
    many problems it holds (its heading line may be long)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.kinds: dict[int, str | None] = {}
        self.areas: dict[int, str] = {}

    def kind(self, n: Node) -> str | None:
        if id(n) not in self.kinds:
            self.kinds[id(n)] = classify_kind(n.heading_text(self.text) if n.line else "")
        return self.kinds[id(n)]

    def area(self, n: Node) -> str:
        if id(n) not in self.areas:
            self.areas[id(n)] = area_text(n.heading_text(self.text))
        return self.areas[id(n)]

    def nodes(self, pn: Node) -> list[Node]:
        """The problem's area headings, top first: its ancestors below a part with a kind."""
        anc = list(reversed([a for a in ancestors(pn) if a.parent is not None]))  # top first, no root
        if anc and (self.kind(anc[0]) is not None or anc[0].implicit_kind):
            return anc[1:]
        return anc


def _problem_measures(text: str, pn: Node, body_start: int, warnings: list[dict]) -> list[dict]:
    """Measure spans of one problem: its child headings, else what its body enumerates."""
    if not pn.children:
        return split_measures(text, body_start, pn.end, warnings)
    out = []
    for ch in pn.children:
        s, e = trim(text, ch.start, ch.end)
        out.append({"marker": ch.line.marker if ch.line else None, "char_start": s, "char_end": e})
    return out


def problem_rows(text: str, nodes: list[Node], warnings: list[dict]
                 ) -> tuple[list[dict], list[dict], list[tuple[int, int]]]:
    """Rows of ``problems`` and ``measures``, and the spans that count as covered (problems and
    the area headings above them)."""
    areas = _Areas(text)
    problems: list[dict] = []
    measures: list[dict] = []
    covered: list[tuple[int, int]] = []
    for no, pn in enumerate(nodes, start=1):
        area_nodes = areas.nodes(pn)
        area = areas.area(area_nodes[0]) if area_nodes and area_nodes[0].line else None
        sub_area = areas.area(area_nodes[1]) if len(area_nodes) > 1 else None
        covered += [(a.line.start, a.line.end) for a in area_nodes[:2] if a.line is not None]
        heading, finding, body_start = split_problem_heading(text, pn)
        spans = _problem_measures(text, pn, body_start, warnings)
        p_start, p_end = trim(text, pn.start, pn.end)
        rect_s, rect_e = trim(text, body_start, pn.end)
        problems.append({
            "problem_no": no, "marker": pn.line.marker, "area": area, "sub_area": sub_area, "heading": heading,
            "finding": finding, "rectification_text": text[rect_s:rect_e] if rect_e > rect_s else None,
            "char_start": p_start, "char_end": p_end,
        })
        covered.append((p_start, p_end))
        if not spans:
            warnings.append(warning("no_measures", f"problem {no} lists no rectification measure", p_start, p_end))
        for k, span in enumerate(spans, start=1):
            t = text[span["char_start"]:span["char_end"]]
            measures.append({"problem_no": no, "measure_no": k, "marker": span["marker"], "text": t,
                             "char_start": span["char_start"], "char_end": span["char_end"],
                             **measure_features(t)})
    return problems, measures, covered
