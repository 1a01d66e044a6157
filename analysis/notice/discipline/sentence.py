"""Discipline rows of one sentence: the grammar of :mod:`analysis.notice.discipline`, step by step.

:meth:`DisciplineExtractor.sentence_rows` walks through the action words of a sentence, left to
right. For each one it reads, in this order:

1. the *site*: the clause the word closes (after the previous action word and the last ；), its
   governing verb (给予, 进行…) and the target text (对 + people, or the words after the verb);
2. whether the site is *void*: negated or planned (拟给予), or said of a non-discipline actor;
3. the *targets*: the people before it, or after a verb-like action (约谈社区书记);
4. the *count*: attached to the word (诫勉谈话5人), counted from the targets, or taken from the
   previous action of a shared list (给予A诫勉谈话并批评教育);
5. whether that reading is *reported*: an uncounted mention in a policy statement, a routine
   preventive talk or a nominal use (的约谈) gives no row;
6. the *scope* (summary or mention) and the *parent* row of a breakdown (其中…, （…）);
7. for a plain 警告, whether it is a party or a government warning.

What one action word leaves for the next (the previous row, an open parenthesis, counts left by
分别…) is kept in a :class:`_Walk`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from analysis.fastre import MatchIndex
from analysis.genre.numerals import parse_number
from analysis.genre.sentences import CLAUSE_MARKS
from analysis.notice.discipline.grammar import Action, Grammar, grammar
from analysis.notice.discipline.layout import NoticeLayout
from analysis.notice.discipline.targets import Target, class_only, join_labels, parse_targets
from analysis.notice.row_helpers import ProblemSpan, last

NEGATION_WINDOW = 6     # characters before 对/the verb/the action where a negation voids it
WARNING_WINDOW = 8      # characters before a plain 警告 that tell a party from a government warning
GOVERNOR_WINDOW = 14    # a governing verb is looked for in the last characters of the clause
GOVERNED_GAP = 10       # at most this many characters between the verb and the action (给予王某…)
BARE_TARGET = 12        # longest target without 对 or a verb (2名社区干部诫勉谈话)
AFTER_TARGET = 20       # longest person after a verb-like action (约谈社区书记)

_TARGET_BREAK = "，"                     # targets after 对 continue past a comma only as a list
_TARGET_START = "，："                   # without 对, the target starts after the last of these
_GOVERNED_STOP = re.compile(r"[，；。：、]")  # no punctuation between a verb and its action
_AFTER_STOP = re.compile(r"[，；。、]")       # a person after an action ends at punctuation
_OPEN_PAREN = re.compile(r"[ \t]*（")
_CLOSE_PAREN = "）"


@dataclass
class Row:
    """One counted action of a sentence (before numbering; ``parent`` indexes the document's rows)."""

    action: Action
    name: str
    raw: str
    count: int | None            # None: the notice does not say how many
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
    parent: int | None = None
    count_stated: bool = False   # a number is written for it (诫勉谈话5人, 2名干部)
    relation: str | None = None  # how it relates to its parent (breakdown, part, repeat)
    # filled by :mod:`.hierarchy` once the notice's rows are all read
    level: str = ""
    measure: str = ""
    unit_kind: str = ""
    tally: int | None = None
    tally_unit: str = ""
    basis: str | None = None


@dataclass(frozen=True)
class _Words:
    """The action words of one sentence and what is known of them before the walk."""

    s: int
    e: int
    cands: list[re.Match]
    blocked: list[bool]                  # used as a noun (谈话提醒制度)
    attached: list[re.Match | None]      # the count written right after it
    shared: list[re.Match | None]        # a count given to a whole list (A、B各2人)
    policy: bool
    preventive: bool
    actors: MatchIndex                   # the actors named in the sentence (执法部门, 纪委…)


@dataclass
class _Walk:
    """What the action words already read leave for the next one."""

    prev_end: int                                    # where the previous action word (or its count) ends
    rows: list[Row] = field(default_factory=list)
    last_row: Row | None = None                      # the row of the previous action word, if it gave one
    paren_parent: tuple[int, int] | None = None      # (row index, closing paren position)
    breakdown_parent: int | None = None              # the row a 其中 breakdown belongs to
    summary_chain: bool = False                      # the previous row was a counted summary
    respective: list[int | None] = field(default_factory=list)   # 分别: counts left for the next action
    respective_labels: list[str | None] = field(default_factory=list)


@dataclass(frozen=True)
class _Site:
    """One action word in its clause: the verb governing it and the text of its target."""

    m: re.Match
    spec: Action
    am: re.Match | None          # its count (attached, or shared by a list)
    is_shared: bool
    seg_start: int               # where the previous action word ended
    clause_start: int
    clause: str
    gov: re.Match | None         # the governing verb (offsets within ``clause``)
    tgt_raw: str
    tgt_off: int
    via_dui: bool                # the target was introduced by 对
    mid_target: bool             # the target stands between the verb and the action (给予王某…)
    struct_start: int            # where the construction (对…, or the verb) starts


@dataclass
class _Count:
    """How many, of what, and of whom one action word reports."""

    m_start: int
    m_end: int
    consumed: int
    count: int | None = None
    unit: str | None = None
    attached: bool = False
    from_targets: bool = False
    label: str | None = None
    keys: list[str] = field(default_factory=list)
    specific: bool = False
    stated_count: bool = False   # the number is written (not counted from named people)


def _clause_mark_before(seg: str) -> int:
    """Position of the last clause mark (；) in ``seg``, -1 when there is none."""
    return max(seg.rfind(c) for c in CLAUSE_MARKS)


def _has_clause_mark(seg: str) -> bool:
    return any(c in seg for c in CLAUSE_MARKS)


class DisciplineExtractor:
    """Reads the discipline rows of the sentences of one notice."""

    def __init__(self, text: str, spans: list[ProblemSpan]) -> None:
        self.g: Grammar = grammar()
        self.text = text
        self.layout = NoticeLayout(self.g, text, spans)
        # where a person after a verb-like action must end, and where parentheses close (found by
        # bisection instead of a search to the end of a long sentence for each action word)
        self.after_stops = [m.start() for m in _AFTER_STOP.finditer(text)]
        self.closing_parens = [i for i, c in enumerate(text) if c == _CLOSE_PAREN]

    # -- one sentence ----------------------------------------------------------------------

    def sentence_rows(self, s: int, e: int) -> list[Row]:
        """The rows of the sentence ``s:e`` (parents index this list)."""
        words = self._words(s, e)
        if words is None:
            return []
        walk = _Walk(prev_end=s)
        for i in range(len(words.cands)):
            self._read_action(words, i, walk)
        return walk.rows

    def _only_list_word(self, a: int, b: int) -> bool:
        """Only a list word (、和) stands between two action words."""
        between = self.text[a:b].strip()
        return bool(between) and self.g.list_only_rx.fullmatch(between) is not None

    def _words(self, s: int, e: int) -> _Words | None:
        """The action words of the sentence outside quotes, with their attached or shared counts."""
        g, text = self.g, self.text
        cands = [m for m in g.action_rx.finditer(text, s, e) if not self.layout.in_quote(m.start(), m.end())]
        if not cands:
            return None
        # action words used as nouns, and lists of them ending in one (约谈、函询等方式)
        blocked = [bool(g.not_after_rx.match(text, m.end(), e)) for m in cands]
        for i in range(len(cands) - 2, -1, -1):
            if blocked[i + 1] and self._only_list_word(cands[i].end(), cands[i + 1].start()):
                blocked[i] = True
        # 各: "诫勉谈话、批评教育各2人" gives the count to every listed action
        attached: list[re.Match | None] = [g.attached_rx.match(text, m.end(), e) for m in cands]
        shared: list[re.Match | None] = [None] * len(cands)
        for i in range(len(cands) - 1, 0, -1):
            # a count shared from a later word (shared[i]) was already given to the words before it
            # by that word's walk, so only a word's own count starts a walk (each word walked once)
            am = attached[i]
            dist = am.group("dist") if am is not None else None
            if dist is not None and g.distribute_rx.fullmatch(dist):
                j = i - 1
                while (j >= 0 and attached[j] is None
                       and self._only_list_word(cands[j].end(), cands[j + 1].start())):
                    shared[j] = am
                    j -= 1
        sent = text[s:e]
        return _Words(s, e, cands, blocked, attached, shared,
                      policy=bool(g.policy_rx.search(sent)), preventive=bool(g.preventive_rx.search(sent)),
                      actors=MatchIndex(g.agency_rx, text, s, e))

    def _read_action(self, words: _Words, i: int, walk: _Walk) -> None:
        """Steps 1-7 for the action word ``i``; a row, when it gives one, is added to ``walk``."""
        m = words.cands[i]
        a, b = m.start(), m.end()
        pending = (walk.respective, walk.respective_labels)   # 分别: counts left for this action
        walk.respective, walk.respective_labels = [], []
        seg_start, walk.prev_end = walk.prev_end, b
        prev_row, walk.last_row = walk.last_row, None
        if words.blocked[i] or self.g.attached_placeholder_rx.match(self.text, b, words.e):
            return
        site = self._site(words, i, seg_start)
        if site is None or self._voided(site, words):
            return
        targets = self._targets(site, words.e)
        if targets is None:
            return
        target, after_target = targets
        n = self._count(site, target, after_target, prev_row, pending, walk)
        if n is None or not self._reported(site, n, target, words):
            return
        scope = self._scope(site, n, walk)
        parent, scope = self._parent(site, n, target, scope, walk)
        spec = self._warning_kind(site, parent, words.s, walk.rows)
        self._add_row(walk, Row(
            action=spec, name=spec.action, raw=m.group(0), count=None if n.count is None else int(n.count),
            unit=n.unit or spec.unit,
            scope=scope, target=n.label, a=a, b=b, m_start=n.m_start, m_end=n.m_end, s=words.s, e=words.e,
            consumed=n.consumed, attached=n.attached, stated=n.attached or target.stated,
            from_targets=n.from_targets, keys=list(n.keys), all_specific=n.specific, parent=parent,
            count_stated=n.stated_count and n.count is not None,
            relation=None if parent is None else "breakdown",
        ), site)

    # -- 1. site ---------------------------------------------------------------------------

    def _site(self, words: _Words, i: int, seg_start: int) -> _Site | None:
        """The clause before action word ``i``, its verb and target text; None with a placeholder count."""
        g, text = self.g, self.text
        m = words.cands[i]
        a = m.start()
        am = words.attached[i]
        is_shared = am is None and words.shared[i] is not None
        if is_shared:
            am = words.shared[i]
        mark = _clause_mark_before(text[seg_start:a])
        clause_start = seg_start + mark + 1 if mark >= 0 else seg_start
        clause = text[clause_start:a]
        if g.placeholder_count_rx.search(clause):
            return None
        gov, mid = self._governor(clause)
        mid_is_filler = gov is not None and g.filler_rx.fullmatch(mid) is not None
        pre = clause[:gov.start()] if gov is not None else clause
        dui, tgt_raw, tgt_off = self._target_text(pre, clause_start)
        via_dui = dui is not None
        mid_target = gov is not None and not mid_is_filler and not via_dui
        if mid_target:  # 给予王某诫勉谈话: the person comes after the verb
            tgt_raw, tgt_off = mid, clause_start + gov.end()
        if via_dui:
            struct_start = clause_start + dui.start()
        else:
            struct_start = clause_start + gov.start() if gov else a
        return _Site(m, g.action_at(m), am, is_shared, seg_start, clause_start, clause, gov,
                     tgt_raw, tgt_off, via_dui, mid_target, struct_start)

    def _governor(self, clause: str) -> tuple[re.Match | None, str]:
        """The governing verb closing ``clause`` and the words after it (给予 + 王某), if any."""
        gov, mid = None, ""
        for gm in self.g.governor_rx.finditer(clause, max(0, len(clause) - GOVERNOR_WINDOW)):
            rest = clause[gm.end():]
            if len(rest) <= GOVERNED_GAP and not _GOVERNED_STOP.search(rest):
                gov, mid = gm, rest
        return gov, mid

    def _target_text(self, pre: str, pre_off: int) -> tuple[re.Match | None, str, int]:
        """(对 match or None, target text, its offset) in the words before the verb.

        After 对, commas are allowed only to continue a list (，以及…); without 对 the target is
        what follows the last comma or colon, without a leading list link.
        """
        g = self.g
        dui = last(g.dui_rx.finditer(pre))
        if dui is not None:
            cand = pre[dui.end():]
            pieces = cand.split(_TARGET_BREAK)
            if all(not pc.strip() or g.list_continue_rx.match(pc) for pc in pieces[1:]):
                return dui, cand, pre_off + dui.end()
        cut = max(pre.rfind(c) for c in _TARGET_START)
        tgt_raw, tgt_off = pre[cut + 1:], pre_off + cut + 1
        lm = g.list_link_rx.match(tgt_raw)
        if lm:
            tgt_off += lm.end()
            tgt_raw = tgt_raw[lm.end():]
        return None, tgt_raw, tgt_off

    # -- 2. void ---------------------------------------------------------------------------

    def _voided(self, site: _Site, words: _Words) -> bool:
        """Negated or planned (拟给予, 将立案, 免予处分), or done by a non-discipline actor (执法部门约谈)."""
        g, text, s = self.g, self.text, words.s
        a = site.m.start()
        # the word just before 对, the verb or the action
        neg_points = {site.struct_start, a}
        if site.gov is not None:
            neg_points.add(site.clause_start + site.gov.start())
        if any(g.negation_rx.search(text, max(s, p - NEGATION_WINDOW), p) for p in neg_points):
            return True
        # the nearest actor before the action wins (the sentence's actors are read once)
        actor = words.actors.last(site.struct_start)
        return actor is not None and actor.lastgroup == "other"

    # -- 3. targets ------------------------------------------------------------------------

    def _targets(self, site: _Site, e: int) -> tuple[Target, Target | None] | None:
        """The people before the action and, for a verb-like action, after it; None voids the action."""
        g = self.g
        need_role = not site.via_dui and not site.mid_target
        target = parse_targets(g, site.tgt_raw, site.tgt_off,
                               need_role=need_role or (site.via_dui and site.gov is None))
        if target.placeholder or target.nonperson:
            return None
        if need_role and site.gov is None and target.count is not None:
            # without 对 or a verb, only "2名社区干部诫勉谈话": count and role right before the action
            if len(site.tgt_raw) > BARE_TARGET or not target.stated:
                target = Target()
        after_target = None
        if "verb" in site.spec.flags and target.count is None:
            b = site.m.end()
            k = bisect_left(self.after_stops, b)
            stop_at = self.after_stops[k] if k < len(self.after_stops) and self.after_stops[k] < e else e
            from_pos = site.am.end() if (site.am is not None and not site.is_shared) else b
            # the perfective (了) removes at most its width: a longer span cannot be short enough
            if stop_at - from_pos <= AFTER_TARGET + g.perfective_width:
                after = g.perfective_rx.sub("", self.text[from_pos:stop_at])
            else:
                after = None
            if after is not None and len(after) <= AFTER_TARGET and g.role_rx.search(after):
                after_target = parse_targets(g, after, b, need_role=True)
                if after_target.nonperson:
                    return None
                if after_target.count is None:
                    after_target = None
        return target, after_target

    # -- 4. count --------------------------------------------------------------------------

    def _person_unit(self, spec: Action) -> str:
        """Unit of people counted from targets (cards keep theirs: 发放黄色预警卡 to 2 people = 2张)."""
        return self.g.card_unit if spec.unit == self.g.card_unit else self.g.person_unit

    def _count(self, site: _Site, target: Target, after_target: Target | None, prev_row: Row | None,
               pending: tuple[list[int | None], list[str | None]], walk: _Walk) -> _Count | None:
        """The count: attached to the word, from its targets, or from the context; None: no row."""
        a, b = site.m.start(), site.m.end()
        n = _Count(m_start=a, m_end=b, consumed=b)
        am = site.am
        if am is not None:
            n.count, n.unit, n.attached = parse_number(am.group("num")), am.group("unit"), True
            n.stated_count = True
            if not site.is_shared:
                n.m_end = n.consumed = am.end()
            if target.count is not None:
                n.label = join_labels(target.labels)
            elif after_target is not None:
                n.label = join_labels(after_target.labels)
            elif am.group("role"):
                n.label = am.group("role")
        elif target.count is not None:
            n.count, n.from_targets = (None if target.uncounted else target.count), True
            n.stated_count = target.all_stated
            n.unit = target.unit if target.stated and target.unit else self._person_unit(site.spec)
            n.label = join_labels(target.labels)
            n.keys, n.specific = target.keys, target.all_specific
            n.m_start = min(target.start if target.start is not None else a, a)
            if self.g.respective_rx.search(site.clause) and len(target.part_counts) > 1:
                # 对1名科级干部、2名一般干部分别给予诫勉谈话和批评教育: one listed group per action
                n.count, walk.respective = target.part_counts[0], target.part_counts[1:]
                n.label = target.labels[0] if target.labels else None
                walk.respective_labels = target.labels[1:]
                n.keys, n.specific = [], False
        elif after_target is not None:
            n.count, n.from_targets = (None if after_target.uncounted else after_target.count), True
            n.stated_count = after_target.all_stated
            n.unit = after_target.unit if after_target.stated and after_target.unit else self.g.person_unit
            n.label = join_labels(after_target.labels)
            n.keys, n.specific = after_target.keys, after_target.all_specific
        elif target.objects and "case" in site.spec.flags:
            # 对该问题线索立案调查: one case; 对相关问题立案调查: how many is not said
            n.count = 1 if self.g.singular_rx.search(site.tgt_raw) else None
            n.unit, n.from_targets = self.g.case_unit, True
        elif target.org_only or "count_only" in site.spec.flags:
            return None
        elif not self._count_from_context(site, n, prev_row, pending, walk):
            return None
        return n

    def _count_from_context(self, site: _Site, n: _Count, prev_row: Row | None,
                            pending: tuple[list[int | None], list[str | None]], walk: _Walk) -> bool:
        """No count and no target: share the previous action's (给予A诫勉谈话并批评教育), or keep a
        strongly governed action without a number (给予党内警告处分: count None, never 1); False when
        neither applies."""
        link = self.text[site.seg_start:site.m.start()]
        linked = prev_row is not None and self.g.link_rx.fullmatch(link) is not None
        counts, labels = pending
        if linked and prev_row.from_targets and counts:
            n.count, n.unit, n.stated_count = counts[0], prev_row.unit, prev_row.count_stated
            n.label = labels[0] if labels else None
            walk.respective, walk.respective_labels = counts[1:], labels[1:]
        elif linked and prev_row.from_targets:
            n.count, n.stated_count = prev_row.count, prev_row.count_stated
            n.unit = self.g.card_unit if site.spec.unit == self.g.card_unit else prev_row.unit
            n.label, n.keys, n.specific = prev_row.target, prev_row.keys, prev_row.all_specific
        elif site.gov is not None and site.gov.lastgroup in ("strong", "passive") or linked:
            n.count, n.unit = None, self._person_unit(site.spec)
        else:
            return False
        n.from_targets = True
        return True

    # -- 5. reported -----------------------------------------------------------------------

    def _reported(self, site: _Site, n: _Count, target: Target, words: _Words) -> bool:
        """Without a written number, policy statements, routine prevention and nominal uses give nothing."""
        spec, a = site.spec, site.m.start()
        if not n.attached and not (target.stated and n.from_targets):
            if words.policy:
                return False
            if "soft" in spec.flags and (words.preventive or target.whole_class
                                         or class_only(self.g, n.label, n.keys)):
                return False
            nominal = self.g.nominal
            if self.text[a - len(nominal):a] == nominal and site.gov is None:
                return False
        return not ("count_only" in spec.flags and not (n.attached or target.stated))

    # -- 6. scope and parent ---------------------------------------------------------------

    def _scope(self, site: _Site, n: _Count, walk: _Walk) -> str:
        """'summary' after 共/累计 or in a summary section, else 'mention' (see the module docstring)."""
        g, text = self.g, self.text
        zone = text[site.clause_start:site.struct_start]
        marker = bool(site.am is not None and site.am.group("marker")) or bool(g.marker_rx.search(zone))
        if (not marker and walk.summary_chain and n.attached
                and g.link_rx.fullmatch(text[site.seg_start:site.m.start()])):
            marker = True   # 共诫勉谈话3人、批评教育2人: the marker carries over the list
        walk.summary_chain = marker and n.attached
        if self.layout.has_sections:
            return "summary" if (marker or self.layout.section(site.m.start()) == "summary") else "mention"
        generic = n.label is None or class_only(g, n.label, n.keys)
        return "summary" if (marker or (n.attached and generic)) else "mention"

    def _parent(self, site: _Site, n: _Count, target: Target, scope: str,
                walk: _Walk) -> tuple[int | None, str]:
        """(parent row, scope): a breakdown (（…）, 其中…) of the previous counted row takes its scope."""
        a, text, rows = site.m.start(), self.text, walk.rows
        stated = n.attached or target.stated
        parent = None
        if walk.paren_parent is not None and a < walk.paren_parent[1] and stated:
            parent = walk.paren_parent[0]
        elif walk.paren_parent is not None and a >= walk.paren_parent[1]:
            walk.paren_parent = None
        if parent is None and stated and rows:
            if walk.breakdown_parent is not None and not _has_clause_mark(text[rows[-1].consumed:a]):
                parent = walk.breakdown_parent
            else:
                walk.breakdown_parent = None
                prev = rows[-1]
                between = text[prev.consumed:a]
                if (self.g.breakdown_rx.search(between) and not _has_clause_mark(between)
                        and prev.parent is None and prev.stated):
                    parent = len(rows) - 1
                    walk.breakdown_parent = parent
        if parent is None:
            return None, scope
        whole = rows[parent].count
        if n.count is not None and whole is not None and n.count > whole:
            walk.breakdown_parent = None   # a part cannot exceed its whole
            return None, scope
        return parent, rows[parent].scope

    # -- 7. party or government warning ----------------------------------------------------

    def _warning_kind(self, site: _Site, parent: int | None, s: int, rows: list[Row]) -> Action:
        """A plain 警告 is a party or government warning, from the parent row or the words before it."""
        spec, g = site.spec, self.g
        if not (spec.party or spec.gov):
            return spec
        a = site.m.start()
        ctx = self.text[max(s, a - WARNING_WINDOW):a]
        p_group = rows[parent].action.group if parent is not None else None
        resolved = None
        if (p_group is not None and p_group == g.group_of(spec.gov)) or g.gov_context_rx.search(ctx):
            resolved = spec.gov
        elif (p_group is not None and p_group == g.group_of(spec.party)) or g.party_context_rx.search(ctx):
            resolved = spec.party
        return g.by_name.get(resolved, spec) if resolved else spec

    def _add_row(self, walk: _Walk, row: Row, site: _Site) -> None:
        """Keep the row; a count followed by （ opens a parenthesised breakdown of it."""
        walk.rows.append(row)
        walk.last_row = row
        walk.prev_end = row.consumed
        if row.attached and not site.is_shared and row.parent is None:
            if _OPEN_PAREN.match(self.text, row.consumed, row.e):
                k = bisect_left(self.closing_parens, row.consumed)
                close = self.closing_parens[k] if k < len(self.closing_parens) else -1
                # a bracket cut short (政务处分29人（政务警告22人…) breaks its total down to the sentence end
                walk.paren_parent = (len(walk.rows) - 1, close if 0 < close < row.e else row.e)
