"""Discipline counts and stated figures of one notice (pure functions, no file I/O).

Input text is always the output of :func:`analysis.ingest.normalize.normalize_text`, so digits are
half-width and clause punctuation is full-width (，；：（）！？). Every phrasing the rules use
(action words, governing verbs, roles, negation and policy contexts, figure patterns) lives in the
versioned data files ``analysis/data/discipline_actions.csv`` and ``analysis/data/stated_figures.csv``;
this module holds only the grammar that combines them.

Discipline grammar, per sentence (split on 。！？ and newlines):

* an action word (诫勉谈话, 党内严重警告, 立案…) outside quotes and book titles, not used as a noun
  (谈话提醒制度, 函询工作流程), becomes a row only when something governs it:
  a count attached to it (诫勉谈话5人, 立案 1件, 给予政务处分0人), a counted or named target before it
  (2名社区班子成员给予诫勉谈话, 对社区报账员、街道财政办会计进行批评教育 = 2), a strong governing verb
  (给予, 予以, 发放…) or, for 约谈/函询, a person after it (约谈社区书记);
* a row is ``summary`` when it precedes the first problem of the notice (from ``problems`` or, without
  them, the first problem heading), sits under a summary heading outside the problems (三、整改成效) or
  follows 共/累计/合计/先后; otherwise it is a ``mention``; a notice with no recognisable problem
  heading falls back to: counts attached to the action word without a named target are ``summary``;
* breakdowns (政务处分3人（记大过1人，记过2人）, …，其中党内警告2人) point to their parent row and are
  never added to it; a mention that only repeats the sanction of the same named people already counted
  (灵秀社区主要负责人 twice) also points to the first row, so that the view counts each person once;
* no row from placeholders (X人), from negated or planned measures (拟给予, 将立案), from policy
  statements (情节严重的，给予…), from routine preventive talks without a count (对重要岗位人员进行谈话
  提醒，加强廉洁风险防控 — the ambiguous case of the issue is read as prevention, not sanction), from
  non-discipline actors (执法部门约谈商户) or from non-person targets (对物业开展约谈).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import pandas as pd

from analysis.fastre import compile_fast as _fast
from analysis.fastre import required_text
from analysis.genre.numerals import cn_to_int
from analysis.vocab import load_table

DISCIPLINE_FILE = "discipline_actions.csv"
FIGURES_FILE = "stated_figures.csv"

DISCIPLINE_COLUMNS: list[str] = [
    "doc_id", "row_no", "action", "action_group", "form", "action_raw", "count", "unit", "scope",
    "target", "parent", "problem_no", "sentence", "char_start", "char_end", "match_start", "match_end",
]
STATED_COLUMNS: list[str] = [
    "doc_id", "row_no", "figure", "label", "value", "unit", "raw_value", "raw_unit", "problem_no",
    "sentence", "char_start", "char_end",
]

_NUM = r"\d+|[零〇一二两三四五六七八九十百千]+"


def parse_number(s: str) -> int | float | None:
    """Arabic (``12``, ``6.38``) or Chinese (``十二``, ``二十三``, ``一百零五``) numeral; None if neither."""
    s = s.strip()
    if not s:
        return None
    if re.fullmatch(r"\d+", s):
        return int(s)
    if re.fullmatch(r"\d+\.\d+", s):
        return float(s)
    return cn_to_int(s)


# ---------------------------------------------------------------------------------------------
# vocabulary


@dataclass(frozen=True)
class _Action:
    action: str
    group: str
    form: int | None
    unit: str
    flags: frozenset[str]
    party: str | None
    gov: str | None


def _alt(table: pd.DataFrame, kind: str) -> str:
    pats = [p for p in table.loc[table["kind"] == kind, "pattern"] if p]
    if not pats:
        raise ValueError(f"{DISCIPLINE_FILE}: no rows of kind {kind!r}")
    return "|".join(f"(?:{p})" for p in pats)


class _Grammar:
    """Compiled discipline vocabulary (built once from the data file)."""

    def __init__(self, table: pd.DataFrame) -> None:
        acts = table[table["kind"] == "action"]
        self.actions: list[_Action] = []
        parts = []
        for i, r in enumerate(acts.itertuples(index=False)):
            flags = r.flags.split()
            opts = dict(f.split(":", 1) for f in flags if ":" in f)
            self.actions.append(_Action(
                action=r.action, group=r.action_group, form=int(r.form) if r.form else None,
                unit=r.unit or "人", flags=frozenset(f for f in flags if ":" not in f),
                party=opts.get("party"), gov=opts.get("gov"),
            ))
            parts.append(f"(?P<a{i}>{r.pattern})")
        self.n_actions = len(self.actions)
        self.by_name = {}
        for act in self.actions:
            self.by_name.setdefault(act.action, act)
        self.action_rx = _fast(f"(?:{'|'.join(parts)})(?P<sfx>{_alt(table, 'suffix')})?")
        units = _alt(table, "count_unit")
        self.count_rx = re.compile(rf"(?<![\d.])(?P<num>{_NUM})\s*(?P<unit>{units})")
        self.placeholder_count_rx = re.compile(rf"(?:{_alt(table, 'placeholder')})\s*(?:{units})")
        marker = _alt(table, "summary_marker")
        dist = _alt(table, "distribute")
        # 诫勉谈话5人, 立案 1件, 谈话提醒共12人次, 问责干部3人 (a role may sit between action and count)
        role = rf"(?:{_alt(table, 'org_qualifier')}|{_alt(table, 'qualifier')})?(?:{_alt(table, 'role')})"
        lead = (rf"[ \t]*(?:人数|人员|数)?(?:[：:][ \t]*)?(?:了)?(?P<marker>{marker})?(?:计)?(?P<dist>{dist}|分别)?"
                rf"(?P<role>{role})?[ \t]*")
        self.attached_rx = re.compile(rf"{lead}(?P<num>{_NUM})[ \t]*(?P<unit>{units})")
        self.attached_placeholder_rx = re.compile(
            rf"{lead}(?:{_alt(table, 'placeholder')})[ \t]*(?:{units})"
        )
        self.marker_rx = re.compile(marker)
        self.governor_rx = re.compile(
            rf"(?P<strong>{_alt(table, 'governor')})|(?P<weak>{_alt(table, 'weak_governor')})"
            rf"|(?P<passive>{_alt(table, 'passive')})"
        )
        self.filler_rx = re.compile(rf"(?:{_alt(table, 'filler')})*")
        self.dui_rx = re.compile(_alt(table, "dui"))
        self.list_link_rx = re.compile(rf"(?:{_alt(table, 'list_link')})")
        # what may stand between two actions that share a target (，并给予 / 、)
        self.link_rx = re.compile(
            rf"(?:{self.list_link_rx.pattern})(?:{self.governor_rx.pattern})?(?:{self.filler_rx.pattern})"
        )
        self.list_sep_rx = re.compile(_alt(table, "list_sep"))
        self.list_only_rx = re.compile(r"[、和及或]")
        self.negation_rx = re.compile(rf"(?:{_alt(table, 'negation')})(?:依规依纪|依纪依规|严肃|视情)?[ \t]*$")
        self.policy_rx = re.compile(_alt(table, "policy"))
        self.preventive_rx = re.compile(_alt(table, "preventive"))
        self.agency_rx = re.compile(
            rf"(?P<other>{_alt(table, 'agency_other')})|(?P<disc>{_alt(table, 'agency_discipline')})"
        )
        self.nonperson_rx = re.compile(_alt(table, "nonperson"))
        self.object_rx = re.compile(_alt(table, "object"))
        self.org_rx = re.compile(_alt(table, "org"))
        self.role_rx = re.compile(_alt(table, "role"))
        self.class_target_rx = re.compile(_alt(table, "class_target"))
        self.class_prefix_rx = re.compile(_alt(table, "class_prefix"))
        self.qualifier_rx = re.compile(rf"(?:{_alt(table, 'qualifier')})$")
        self.org_qualifier_rx = re.compile(rf"(?:{_alt(table, 'org_qualifier')})$")
        self.breakdown_rx = re.compile(_alt(table, "breakdown"))
        self.not_after_rx = re.compile(rf"[ \t]*(?:{_alt(table, 'not_after')})")
        self.heading_rx = [re.compile(p, re.M) for p in table.loc[table["kind"] == "problem_heading", "pattern"]]
        self.summary_heading_rx = re.compile(_alt(table, "summary_heading"), re.M)
        self.pronoun_rx = re.compile(r"^(?:其|他|她|该同志|该人|本人|[\u4e00-\u9fff]某{1,2})$")

    def action_at(self, m: re.Match) -> _Action:
        for i in range(self.n_actions):
            if m.start(i + 1) >= 0:
                return self.actions[i]
        raise AssertionError("no action group matched")


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    return _Grammar(load_table(DISCIPLINE_FILE))


@dataclass(frozen=True)
class _FigureRule:
    key: str
    rx: re.Pattern
    unit: str
    context: re.Pattern | None
    not_context: re.Pattern | None
    required: tuple[str, ...] | None = None   # one of these occurs in every match (fast skip)


_FIG_PLACEHOLDERS = {
    "{N}": r"(?<![\d.])(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)(?P<approx>余|多)?",
    "{M}": r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)[ \t]*(?P<approx>余|多)?[ \t]*(?P<unit>万元|亿元|千元|元)",
    "{P}": r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)[ \t]*(?P<unit>%)",
}


@lru_cache(maxsize=1)
def _figure_rules() -> tuple[tuple[_FigureRule, ...], dict[str, tuple[str, Decimal]]]:
    table = load_table(FIGURES_FILE)
    rules = []
    for r in table[table["kind"] == "figure"].itertuples(index=False):
        pat = r.pattern
        for k, v in _FIG_PLACEHOLDERS.items():
            pat = pat.replace(k, v)
        rules.append(_FigureRule(
            key=r.key, rx=_fast(pat), unit=r.unit, required=required_text(pat),
            context=re.compile(r.context) if r.context else None,
            not_context=re.compile(r.not_context) if r.not_context else None,
        ))
    units = {r.key: (r.unit, Decimal(r.factor)) for r in table[table["kind"] == "unit"].itertuples(index=False)}
    return tuple(rules), units


# ---------------------------------------------------------------------------------------------
# shared text helpers


_SENTENCE_RX = re.compile(r"[^。！？\n]+[。！？]*")
_QUOTE_RX = re.compile(r"“[^“”\n]{0,300}”|《[^《》\n]{0,150}》")


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, trimmed of surrounding whitespace."""
    out = []
    for m in _SENTENCE_RX.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _problem_spans(doc_id: str, problems: pd.DataFrame | list | None) -> list[tuple[int, int, object]]:
    """(start, end, problem_no) of each problem, from a problems frame or a list of such triples."""
    if problems is None or len(problems) == 0:
        return []
    if isinstance(problems, list):
        return sorted(problems, key=lambda t: (t[0], t[1]))
    p = problems
    if "doc_id" in p.columns:
        p = p[p["doc_id"] == doc_id]
    spans = [(int(r.char_start), int(r.char_end), r.problem_no)
             for r in p[["char_start", "char_end", "problem_no"]].itertuples(index=False)
             if pd.notna(r.char_start) and pd.notna(r.char_end)]
    return sorted(spans, key=lambda t: (t[0], t[1]))


def _problem_no(spans: list[tuple[int, int, object]], s: int, e: int, pos: int) -> object:
    """Problem whose span holds the sentence (or, failing that, the match position)."""
    for ps, pe, no in spans:
        if ps <= s and e <= pe:
            return no
    for ps, pe, no in spans:
        if ps <= pos < pe:
            return no
    return None


def _last(it):
    """Last item of an iterator (None when empty)."""
    item = None
    for item in it:  # noqa: B007
        pass
    return item


def _nullable_int(values: list) -> pd.Series:
    return pd.array([None if v is None else int(v) for v in values], dtype="Int64")


def _problem_series(values: list) -> pd.Series | list:
    if all(v is None or (isinstance(v, (int, float)) and float(v).is_integer()) for v in values):
        return _nullable_int(values)
    return values


# ---------------------------------------------------------------------------------------------
# discipline


@dataclass
class _Target:
    count: int | None = None          # people counted from the targets (None: no person target)
    unit: str | None = None
    stated: bool = False              # a number was written among the targets (2名…)
    labels: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)   # entity keys of specific (named) people
    all_specific: bool = False
    start: int | None = None
    nonperson: bool = False
    org_only: bool = False
    objects: bool = False              # a thing, not a person, was named (对该问题立案调查)
    whole_class: bool = False          # 各社区书记, 全体党员: everybody of a kind, not counted people
    placeholder: bool = False
    part_counts: list[int] = field(default_factory=list)   # per listed person, for 分别


@dataclass
class _Row:
    action: _Action
    name: str
    raw: str
    count: int
    unit: str
    scope: str
    target: str | None
    a: int
    b: int
    m_start: int
    m_end: int
    s: int
    e: int
    consumed: int
    attached: bool
    stated: bool
    from_targets: bool
    keys: list[str]
    all_specific: bool
    parent: int | None = None   # index into the document's row list


class _DisciplineExtractor:
    def __init__(self, text: str, spans: list[tuple[int, int, object]]) -> None:
        self.g = _grammar()
        self.text = text
        self.spans = spans
        # headings: where problems start (from ``problems`` or the heading patterns) and where a
        # summary section (整改成效, 总体情况…) starts; a count belongs to the section it is in
        problem_starts = [ps for ps, _, _ in spans] or [
            m.start() for rx in self.g.heading_rx for m in rx.finditer(text)]
        marks = [(p, "problem") for p in problem_starts]
        marks += [(m.start(), "summary") for m in self.g.summary_heading_rx.finditer(text)]
        marks.sort()
        self.has_sections = bool(problem_starts)
        self.mark_pos = [p for p, _ in marks]
        self.mark_kind = [k for _, k in marks]
        self.quotes = [(m.start(), m.end()) for m in _QUOTE_RX.finditer(text)]
        self.quote_starts = [q[0] for q in self.quotes]

    def section(self, pos: int) -> str:
        """'summary' before the first problem or under a summary heading, else 'problem'."""
        for ps, pe, _ in self.spans:
            if ps <= pos < pe:
                return "problem"
        i = bisect_right(self.mark_pos, pos) - 1
        return "summary" if i < 0 else self.mark_kind[i]

    def in_quote(self, a: int, b: int) -> bool:
        i = bisect_right(self.quote_starts, a) - 1
        while i >= 0:
            qs, qe = self.quotes[i]
            if qs < a and b < qe:
                return True
            if qe <= a:
                # quote spans do not nest; an earlier one that ends before a cannot contain it
                return False
            i -= 1
        return False

    # -- targets ---------------------------------------------------------------------------

    def parse_targets(self, raw: str, offset: int, need_role: bool) -> _Target:
        """Count and describe the people named in ``raw`` (the text between 对 and the verb)."""
        g = self.g
        t = _Target(start=offset)
        body = raw
        if "的" in body:
            body = body[body.rindex("的") + 1:]
        body = body.replace("，", "").strip(" \t“”\"")
        if not body:
            return t
        if g.placeholder_count_rx.search(body):
            t.placeholder = True
            return t
        parts = []
        for p in g.list_sep_rx.split(body):
            # 书记和主任: split on 和 only between two roles (和津社区 stays whole)
            while p and "和" in p[1:]:
                k = p.index("和", 1)
                left, right = p[:k], p[k + 1:]
                if g.role_rx.search(left) and left.endswith(_last(g.role_rx.finditer(left)).group(0)) \
                        and g.role_rx.search(right):
                    parts.append(left)
                    p = right
                else:
                    break
            if p:
                parts.append(p)
        parsed = []  # (text, count or None, role match text or None, prefix)
        total_override = None
        for p in parts:
            p = re.sub(r"^(?:以及|及|和|还有|并)", "", p).strip()
            if not p:
                continue
            if g.nonperson_rx.search(p):
                t.nonperson = True
            if g.class_prefix_rx.match(p):
                t.whole_class = True
            cm = _last(g.count_rx.finditer(p))
            count = None
            after = p
            if cm is not None:
                count = parse_number(cm.group("num"))
                t.unit = cm.group("unit")
                after = p[cm.end():]
                if p[max(0, cm.start() - 1):cm.start()] == "等":
                    total_override = count
                if not g.role_rx.search(after):
                    after = p[:cm.start()]   # 主要负责人4人: the role before the number
            parsed.append((p, count, _last(g.role_rx.finditer(after)), after))
        if not parsed:
            return t
        # a part without a role takes the role of the next part that has one (灵秀社区、和津社区主要负责人)
        roles: list[str | None] = [r.group(0) if r else None for _, _, r, _ in parsed]
        for i in range(len(roles) - 2, -1, -1):
            if roles[i] is None and parsed[i][1] is None and roles[i + 1] is not None:
                if g.org_rx.search(parsed[i][0]):
                    roles[i] = roles[i + 1]
        total, persons, labels, keys, specific = 0, 0, [], [], True
        for (p, count, role_m, after), role in zip(parsed, roles, strict=True):
            if count is not None:
                total += count
                persons += 1
                t.part_counts.append(count)
                specific = False
                label = after.strip() if role_m is not None else None
                if label:
                    label = self._role_label(after, role_m)
                labels.append(label)
                t.stated = True
                continue
            if role is None:
                if g.object_rx.search(p) or g.org_rx.search(p):
                    t.org_only = t.org_only or bool(g.org_rx.search(p))
                    t.objects = t.objects or bool(g.object_rx.search(p))
                    continue
                if need_role and not g.pronoun_rx.match(p):
                    continue
                total += 1
                persons += 1
                t.part_counts.append(1)
                labels.append(None)
                key_ok = not g.pronoun_rx.match(p) or "某" in p
                specific = specific and key_ok
                keys.append(p)
                continue
            if role_m is not None:
                label = self._role_label(p, role_m)
                prefix = p[:role_m.start()]
                entity = p
            else:
                label = role
                prefix = p
                entity = p + role
            total += 1
            persons += 1
            t.part_counts.append(1)
            labels.append(label)
            rest = prefix
            while True:
                m = g.qualifier_rx.search(rest) or g.org_qualifier_rx.search(rest)
                if not m or m.start() == m.end():
                    break
                rest = rest[:m.start()]
            rest = rest.lstrip("原")
            if rest:
                keys.append(entity)
            else:
                specific = False
        if persons == 0:
            return t
        t.count = total_override if total_override is not None else total
        t.labels = labels
        t.keys = keys
        t.all_specific = specific and bool(keys)
        t.org_only = False
        return t

    def _role_label(self, part: str, role_m: re.Match) -> str:
        """Role with the generic qualifiers written before it (社区班子成员, 相关工作人员, 主要负责人)."""
        g = self.g
        rest = part[:role_m.start()]
        stripped: list[tuple[str, bool]] = []  # (qualifier, is a place word), left to right
        while True:
            m = g.qualifier_rx.search(rest)
            if m and m.start() < m.end():
                stripped.insert(0, (m.group(0), False))
                rest = rest[:m.start()]
                continue
            m = g.org_qualifier_rx.search(rest)
            if m and m.start() < m.end():
                stripped.insert(0, (m.group(0), True))
                rest = rest[:m.start()]
                continue
            break
        rest = rest.strip()
        if rest in ("", "原"):
            return rest + "".join(q for q, _ in stripped) + role_m.group(0)
        # a specific name precedes: keep the non-place qualifiers written after the last place word
        tail: list[str] = []
        for q, is_place in reversed(stripped):
            if is_place:
                break
            tail.insert(0, q)
        return "".join(tail) + role_m.group(0)

    # -- one sentence ----------------------------------------------------------------------

    def sentence_rows(self, s: int, e: int) -> list[_Row]:
        g, text = self.g, self.text
        sent = text[s:e]
        cands = []
        for m in g.action_rx.finditer(text, s, e):
            if self.in_quote(m.start(), m.end()):
                continue
            cands.append(m)
        if not cands:
            return []
        # action words used as nouns, and lists of them ending in one (约谈、函询等方式)
        blocked = [bool(g.not_after_rx.match(text, m.end(), e)) for m in cands]
        for i in range(len(cands) - 2, -1, -1):
            if blocked[i + 1] and g.list_only_rx.fullmatch(text[cands[i].end():cands[i + 1].start()].strip() or "x"):
                blocked[i] = True
        # 各: "诫勉谈话、批评教育各2人" gives the count to every listed action
        attached: list[re.Match | None] = [g.attached_rx.match(text, m.end(), e) for m in cands]
        shared: list[re.Match | None] = [None] * len(cands)
        for i in range(len(cands) - 1, 0, -1):
            am = attached[i] or shared[i]
            if am is not None and am.group("dist") == "各":
                j = i - 1
                while j >= 0 and attached[j] is None and g.list_only_rx.fullmatch(
                        text[cands[j].end():cands[j + 1].start()].strip() or "x"):
                    shared[j] = am
                    j -= 1
        policy = bool(g.policy_rx.search(sent))
        preventive = bool(g.preventive_rx.search(sent))

        rows: list[_Row] = []
        prev_end = s
        last_cand_row: _Row | None = None   # the row of the previous action word, if it gave one
        paren_parent: tuple[int, int] | None = None   # (row index, closing paren position)
        breakdown_parent: int | None = None
        summary_chain = False
        respective: list[int] = []
        respective_labels: list[str | None] = []
        for i, m in enumerate(cands):
            a, b = m.start(), m.end()
            spec = g.action_at(m)
            pending, pending_labels = respective, respective_labels   # 分别: counts left for this action
            respective, respective_labels = [], []
            seg_start = prev_end
            prev_end = b
            this_prev_row, last_cand_row = last_cand_row, None
            if blocked[i]:
                continue
            if g.attached_placeholder_rx.match(text, b, e):
                continue
            am = attached[i]
            is_shared = am is None and shared[i] is not None
            if is_shared:
                am = shared[i]
            seg = text[seg_start:a]
            semi = seg.rfind("；")
            clause_start = seg_start + semi + 1 if semi >= 0 else seg_start
            clause = text[clause_start:a]
            if g.placeholder_count_rx.search(clause):
                continue
            gov, mid = self._governor(clause)
            gov_kind = gov.lastgroup if gov is not None else None
            mid_is_filler = gov is not None and g.filler_rx.fullmatch(mid) is not None
            pre = clause[:gov.start()] if gov is not None else clause
            pre_off = clause_start
            # the target: 对 + people, commas allowed only to continue a list (，以及…)
            dui = _last(g.dui_rx.finditer(pre))
            tgt_raw, tgt_off, via_dui = None, None, False
            if dui is not None:
                cand_t = pre[dui.end():]
                pieces = cand_t.split("，")
                if all(not pc.strip() or re.match(r"(?:以及|及|和|还有)", pc) for pc in pieces[1:]):
                    tgt_raw, tgt_off, via_dui = cand_t, pre_off + dui.end(), True
            if tgt_raw is None:
                comma = max(pre.rfind("，"), pre.rfind("："))
                tgt_raw = pre[comma + 1:]
                tgt_off = pre_off + comma + 1
                lm = g.list_link_rx.match(tgt_raw)
                if lm:
                    tgt_off += lm.end()
                    tgt_raw = tgt_raw[lm.end():]
            mid_target = gov is not None and not mid_is_filler and not via_dui
            if mid_target:  # 给予王某诫勉谈话: the person comes after the verb
                tgt_raw, tgt_off = mid, clause_start + gov.end()
            struct_start = (pre_off + dui.start()) if via_dui else (clause_start + gov.start() if gov else a)
            # negated or planned (拟给予, 将立案, 免予处分) — the word just before 对, the verb or the action
            neg_points = {struct_start, a}
            if gov is not None:
                neg_points.add(clause_start + gov.start())
            if any(g.negation_rx.search(text, max(s, p - 6), p) for p in neg_points):
                continue
            # a non-discipline actor (执法部门约谈…) is the nearest actor before the action
            actor = None
            for am2 in g.agency_rx.finditer(text, s, struct_start):
                actor = am2.lastgroup
            if actor == "other":
                continue

            need_role = not via_dui and not mid_target
            target = self.parse_targets(tgt_raw, tgt_off, need_role=need_role or (via_dui and gov is None))
            if target.placeholder or target.nonperson:
                continue
            if need_role and gov is None and target.count is not None:
                # without 对 or a verb, only "2名社区干部诫勉谈话": count and role right before the action
                if len(tgt_raw) > 12 or not target.stated:
                    target = _Target()
            # 约谈社区书记: the person after a verb-like action
            after_target = None
            if spec.flags & {"verb"} and target.count is None:
                stop = re.search(r"[，；。、]", text[b:e])
                stop_at = b + stop.start() if stop else e
                from_pos = am.end() if (am is not None and not is_shared) else b
                after = text[from_pos:stop_at]
                after = re.sub(r"^了", "", after)
                if g.role_rx.search(after) and len(after) <= 20:
                    after_target = self.parse_targets(after, b, need_role=True)
                    if after_target.nonperson:
                        continue
                    if after_target.count is None:
                        after_target = None

            count = unit = None
            attached_count = False
            from_targets = False
            m_start, m_end, consumed = a, b, b
            tlabel = None
            tkeys: list[str] = []
            tspecific = False
            if am is not None:
                count = parse_number(am.group("num"))
                unit = am.group("unit")
                attached_count = True
                if not is_shared:
                    m_end = consumed = am.end()
                if target.count is not None:
                    tlabel = self._join(target.labels)
                elif after_target is not None:
                    tlabel = self._join(after_target.labels)
                elif am.group("role"):
                    tlabel = am.group("role")
            elif target.count is not None:
                count, from_targets = target.count, True
                unit = target.unit if target.stated and target.unit else ("张" if spec.unit == "张" else "人")
                tlabel = self._join(target.labels)
                tkeys, tspecific = target.keys, target.all_specific
                m_start = min(target.start if target.start is not None else a, a)
                if "分别" in clause and len(target.part_counts) > 1:
                    # 对1名科级干部、2名一般干部分别给予诫勉谈话和批评教育: one listed group per action
                    count, respective = target.part_counts[0], target.part_counts[1:]
                    tlabel = target.labels[0] if target.labels else None
                    respective_labels = target.labels[1:]
                    tkeys, tspecific = [], False
            elif after_target is not None:
                count, from_targets = after_target.count, True
                unit = after_target.unit if after_target.stated and after_target.unit else "人"
                tlabel = self._join(after_target.labels)
                tkeys, tspecific = after_target.keys, after_target.all_specific
            elif target.objects and "case" in spec.flags:
                count, unit, from_targets = 1, "件", True   # 对该问题线索立案调查: one case
            else:
                if target.org_only or "count_only" in spec.flags:
                    continue
                link = text[seg_start:a]
                linked = this_prev_row is not None and g.link_rx.fullmatch(link) is not None
                if linked and this_prev_row.from_targets and pending:
                    count, unit = pending[0], this_prev_row.unit
                    tlabel = pending_labels[0] if pending_labels else None
                    respective, respective_labels = pending[1:], pending_labels[1:]
                    from_targets = True
                elif linked and this_prev_row.from_targets:
                    count, unit = this_prev_row.count, ("张" if spec.unit == "张" else this_prev_row.unit)
                    tlabel, from_targets = this_prev_row.target, True
                    tkeys, tspecific = this_prev_row.keys, this_prev_row.all_specific
                elif gov_kind in ("strong", "passive") or (linked and this_prev_row is not None):
                    count, unit = 1, ("张" if spec.unit == "张" else "人")
                    from_targets = True
                else:
                    continue
            if not attached_count and not (target.stated and from_targets):
                # no number written: policy statements, routine prevention and nominal uses give nothing
                if policy:
                    continue
                if "soft" in spec.flags and (preventive or target.whole_class or self._class_only(tlabel, tkeys)):
                    continue
                if text[a - 1:a] == "的" and gov is None:
                    continue
            if "count_only" in spec.flags and not (attached_count or target.stated):
                continue

            # scope
            zone = text[clause_start:struct_start]
            marker = bool(am is not None and am.group("marker")) or bool(g.marker_rx.search(zone))
            if not marker and summary_chain and attached_count and g.link_rx.fullmatch(text[seg_start:a]):
                marker = True
            summary_chain = marker and attached_count
            if self.has_sections:
                scope = "summary" if (marker or self.section(a) == "summary") else "mention"
            else:
                generic = tlabel is None or self._class_only(tlabel, tkeys)
                scope = "summary" if (marker or (attached_count and generic)) else "mention"

            # parent: a parenthesised or 其中 breakdown of the previous counted row
            parent = None
            if paren_parent is not None and a < paren_parent[1] and (attached_count or target.stated):
                parent = paren_parent[0]
            elif paren_parent is not None and a >= paren_parent[1]:
                paren_parent = None
            stated = attached_count or target.stated
            if parent is None and stated and rows:
                if breakdown_parent is not None and "；" not in text[rows[-1].consumed:a]:
                    parent = breakdown_parent
                else:
                    breakdown_parent = None
                    last = rows[-1]
                    between = text[last.consumed:a]
                    bm = g.breakdown_rx.search(between)
                    if bm and "；" not in between and last.parent is None and last.stated:
                        parent = len(rows) - 1
                        breakdown_parent = parent
            if parent is not None:
                p_row = rows[parent]
                if count is not None and count > p_row.count:
                    parent = None
                    breakdown_parent = None
                else:
                    scope = p_row.scope

            if spec.party or spec.gov:
                # plain 警告: party or government warning, from the parent row or the words before it
                ctx = text[max(s, a - 8):a]
                p_group = rows[parent].action.group if parent is not None else None
                resolved = None
                if p_group == "政务处分" or re.search(r"政务|行政|政纪", ctx):
                    resolved = spec.gov
                elif p_group == "党纪处分" or re.search(r"党内|党纪", ctx):
                    resolved = spec.party
                spec = g.by_name.get(resolved, spec) if resolved else spec
            name = spec.action

            row = _Row(
                action=spec, name=name, raw=m.group(0), count=int(count), unit=unit or spec.unit,
                scope=scope, target=tlabel, a=a, b=b, m_start=m_start, m_end=m_end, s=s, e=e,
                consumed=consumed, attached=attached_count, stated=stated, from_targets=from_targets,
                keys=list(tkeys), all_specific=tspecific,
            )
            if parent is not None:
                row.parent = parent
            rows.append(row)
            last_cand_row = row
            prev_end = consumed
            if attached_count and not is_shared and parent is None:
                pm = re.match(r"[ \t]*（", text[consumed:e])
                if pm:
                    close = text.find("）", consumed, e)
                    if close > 0:
                        paren_parent = (len(rows) - 1, close)
        return rows

    def _governor(self, clause: str) -> tuple[re.Match | None, str]:
        """The governing verb closing ``clause`` and the words after it (给予 + 王某), if any."""
        gov, mid = None, ""
        for gm in self.g.governor_rx.finditer(clause, max(0, len(clause) - 14)):
            rest = clause[gm.end():]
            if len(rest) <= 10 and not re.search(r"[，；。：、]", rest):
                gov, mid = gm, rest
        return gov, mid

    def _class_only(self, label: str | None, keys: list[str]) -> bool:
        """The target is a whole class of people (党员干部), not named or counted individuals."""
        return bool(label) and not keys and all(self.g.class_target_rx.fullmatch(x) for x in label.split("、"))

    @staticmethod
    def _join(labels: list[str | None]) -> str | None:
        seen = []
        for lb in labels:
            if lb and lb not in seen:
                seen.append(lb)
        return "、".join(seen) if seen else None


def extract_discipline(doc_id: str, text: str, problems: pd.DataFrame | None = None) -> pd.DataFrame:
    """Disciplinary measures a notice reports, one row per counted action (columns DISCIPLINE_COLUMNS)."""
    out = discipline_columns(doc_id, text, _problem_spans(doc_id, problems))
    df = pd.DataFrame(out, columns=DISCIPLINE_COLUMNS)
    df["row_no"] = df["row_no"].astype("int64")
    df["count"] = df["count"].astype("int64")
    df["form"] = _nullable_int(out["form"])
    df["parent"] = _nullable_int(out["parent"])
    df["problem_no"] = _problem_series(out["problem_no"])
    for c in ("char_start", "char_end", "match_start", "match_end"):
        df[c] = df[c].astype("int64")
    return df


def discipline_columns(doc_id: str, text: str, spans: list[tuple[int, int, object]],
                       sentences: list[tuple[int, int]] | None = None) -> dict[str, list]:
    """The rows of :func:`extract_discipline` as column lists (the build's fast path, no pandas)."""
    spans = _problem_spans(doc_id, spans)
    ex = _DisciplineExtractor(text, spans)
    rows: list[_Row] = []
    for s, e in (_sentences(text) if sentences is None else sentences):
        base = len(rows)
        for r in ex.sentence_rows(s, e):
            if r.parent is not None:
                r.parent += base
            rows.append(r)
    # a mention that only repeats already-counted named people points to the first row naming them
    seen: dict[tuple[str, str], int] = {}
    for i, r in enumerate(rows):
        if r.parent is not None or r.scope != "mention" or not r.keys:
            continue
        firsts = [seen.get((r.name, k)) for k in r.keys]
        if r.all_specific and all(f is not None for f in firsts):
            r.parent = firsts[0]
            continue
        for k in r.keys:
            seen.setdefault((r.name, k), i)
    out = {c: [] for c in DISCIPLINE_COLUMNS}
    for i, r in enumerate(rows):
        out["doc_id"].append(doc_id)
        out["row_no"].append(i + 1)
        out["action"].append(r.name)
        out["action_group"].append(r.action.group)
        out["form"].append(r.action.form)
        out["action_raw"].append(r.raw)
        out["count"].append(r.count)
        out["unit"].append(r.unit)
        out["scope"].append(r.scope)
        out["target"].append(r.target)
        out["parent"].append(None if r.parent is None else r.parent + 1)
        out["problem_no"].append(_problem_no(spans, r.s, r.e, r.a))
        out["sentence"].append(text[r.s:r.e])
        out["char_start"].append(r.s)
        out["char_end"].append(r.e)
        out["match_start"].append(r.m_start)
        out["match_end"].append(r.m_end)
    return out


# ---------------------------------------------------------------------------------------------
# stated figures


def _figure_label(text: str, m: re.Match, num_end: int) -> str:
    """The words naming a figure: what follows the number (…16个主要问题) or else what precedes it."""
    gd = m.groupdict()
    cut = m.end("unit") if gd.get("unit") and m.start("unit") >= num_end else num_end
    after = text[cut:m.end()].strip()
    before = re.split(r"[，、：；]", text[m.start():m.start("num")])[-1].strip()
    after = re.sub(r"(?:开展|进行).*$", "", after)
    label = after if re.search(r"[\u4e00-\u9fff]", after) else before
    label = re.sub(r"^(?:对|共计|共|累计|已|了)+", "", label)
    return re.sub(r"(?:共计|共|合计|约|为|达到|达)+$", "", label).strip()


def extract_stated_figures(doc_id: str, text: str, problems: pd.DataFrame | None = None) -> pd.DataFrame:
    """Totals a notice states in words (problems, measures, institutions, funds…; columns STATED_COLUMNS)."""
    out = stated_columns(doc_id, text, _problem_spans(doc_id, problems))
    df = pd.DataFrame(out, columns=STATED_COLUMNS)
    df["row_no"] = df["row_no"].astype("int64")
    df["value"] = df["value"].astype("float64")
    df["problem_no"] = _problem_series(out["problem_no"])
    df["char_start"] = df["char_start"].astype("int64")
    df["char_end"] = df["char_end"].astype("int64")
    return df


def stated_columns(doc_id: str, text: str, spans: list[tuple[int, int, object]],
                   sentences: list[tuple[int, int]] | None = None) -> dict[str, list]:
    """The rows of :func:`extract_stated_figures` as column lists (the build's fast path, no pandas)."""
    rules, units = _figure_rules()
    spans = _problem_spans(doc_id, spans)
    sents = _sentences(text) if sentences is None else sentences
    sent_starts = [x[0] for x in sents]
    quotes = [(m.start(), m.end()) for m in _QUOTE_RX.finditer(text) if m.group(0).startswith("《")]
    claimed: list[tuple[int, int]] = []
    found = []
    for rule in rules:
        if rule.required and not any(w in text for w in rule.required):
            continue
        for m in rule.rx.finditer(text):
            ns, ne = m.span("num")
            if any(ns < ce and cs < ne for cs, ce in claimed):
                continue
            if any(qs < ns and ne < qe for qs, qe in quotes):
                continue
            k = bisect_right(sent_starts, m.start()) - 1
            if k < 0 or m.start() >= sents[k][1]:
                continue
            s, e = sents[k]
            sentence = text[s:e]
            if rule.context is not None and not rule.context.search(sentence):
                continue
            if rule.not_context is not None and rule.not_context.search(sentence):
                continue
            num = parse_number(m.group("num"))
            if num is None:
                continue
            gd = m.groupdict()
            raw_unit = gd.get("unit") or ""
            norm_unit, factor = units.get(raw_unit, (raw_unit or rule.unit, Decimal(1)))
            value = float(Decimal(m.group("num")) * factor) if m.group("num")[0].isdigit() else float(num * factor)
            approx = gd.get("approx") or ""
            if m.group("num") == "一":
                continue  # 治理一个问题、健全一项制度: a bare 一 in words is rhetoric, not a figure
            label = gd.get("label") or _figure_label(text, m, ne)
            claimed.append((ns, ne))
            found.append((m.start(), rule.key, label, value, norm_unit, m.group("num") + approx, raw_unit,
                          _problem_no(spans, s, e, m.start()), sentence, s, e))
    found.sort(key=lambda t: t[0])
    out = {c: [] for c in STATED_COLUMNS}
    for i, f in enumerate(found):
        _, key, label, value, unit, raw_value, raw_unit, pno, sentence, s, e = f
        for c, v in zip(STATED_COLUMNS, (doc_id, i + 1, key, label, value, unit, raw_value, raw_unit, pno,
                                         sentence, s, e), strict=True):
            out[c].append(v)
    return out
