"""The people a disciplinary action is given to: who, how many, and whether they are named.

The target is the text between 对 and the verb (对社区报账员、街道财政办会计进行批评教育), the words
after a governing verb (给予王某诫勉谈话) or after a verb-like action (约谈社区书记). It is a list of
parts; each part is counted (2名社区干部 = 2, 社区主任 = 1) and described by its role with generic
qualifiers (相关工作人员). A part naming a specific person (灵秀社区主要负责人, 王某) gives an
entity key, so that a later mention of the same person is not counted twice.

A part without a written number counts one person only when it names one: a post (社区主任, 会计),
a named or anonymised person (王某), a pronoun, a collective role after a singular determiner
(该工作人员). A part that does not say how many (相关工作人员, 有关社区负责同志, 班子成员, 张某等人,
各社区书记) makes the whole target *uncounted*: the row keeps its people but its count is NULL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.genre.numerals import parse_number
from analysis.notice.discipline.grammar import Grammar
from analysis.notice.row_helpers import last

# stripped from a target: commas inside it and the quotes around it
_TARGET_COMMA = "，"
_TARGET_STRIP = " \t“”\""
LABEL_SEP = "、"   # between the labels of one row's target (社区书记、主任)


@dataclass
class Target:
    """What :func:`parse_targets` read from a target text."""

    count: int | None = None          # people counted from the targets (None: no person target)
    unit: str | None = None
    stated: bool = False              # a number was written among the targets (2名…)
    labels: list[str | None] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)   # entity keys of specific (named) people
    all_specific: bool = False
    start: int | None = None
    nonperson: bool = False
    org_only: bool = False
    objects: bool = False              # a thing, not a person, was named (对该问题立案调查)
    whole_class: bool = False          # 各社区书记, 全体党员: everybody of a kind, not counted people
    placeholder: bool = False
    part_counts: list[int | None] = field(default_factory=list)   # per listed person, for 分别
    uncounted: bool = False            # some part does not say how many people it names
    all_stated: bool = False           # every part has a written number (2名…)


@dataclass(frozen=True)
class _Part:
    """One listed target: its text, the count written in it, its role and the words around the role."""

    text: str
    count: int | None
    role_m: re.Match | None
    around: str


@dataclass
class _Tally:
    """People counted so far over the parts of one target."""

    total: int = 0
    persons: int = 0
    labels: list[str | None] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    specific: bool = True
    part_counts: list[int | None] = field(default_factory=list)
    uncounted: bool = False
    unstated: bool = False

    def add(self, count: int, label: str | None, known: bool = True) -> None:
        """One part: ``count`` people, or (not ``known``) people whose number is not said."""
        self.total += count
        self.persons += 1
        self.part_counts.append(count if known else None)
        self.labels.append(label)
        self.uncounted = self.uncounted or not known


def parse_targets(g: Grammar, raw: str, offset: int, need_role: bool) -> Target:
    """Count and describe the people named in ``raw`` (the text between 对 and the verb).

    With ``need_role`` a part counts only when it names a role or is a pronoun (without 对, a bare
    name before the action is too weak a clue).
    """
    t = Target(start=offset)
    body = raw
    if g.nominal in body:   # 对违规的社区干部: the target is what follows the last 的
        body = body[body.rindex(g.nominal) + len(g.nominal):]
    body = body.replace(_TARGET_COMMA, "").strip(_TARGET_STRIP)
    if not body:
        return t
    if g.placeholder_count_rx.search(body):
        t.placeholder = True
        return t
    parts, total_override = _read_parts(g, t, _split_targets(g, body))
    if not parts:
        return t
    tally = _Tally()
    for part, role in zip(parts, _borrowed_roles(g, parts), strict=True):
        _count_part(g, t, tally, part, role, need_role)
    if tally.persons == 0:
        return t
    t.count = total_override if total_override is not None else tally.total
    t.labels = tally.labels
    t.keys = tally.keys
    t.part_counts = tally.part_counts
    t.uncounted = tally.uncounted
    t.all_stated = not tally.unstated
    t.all_specific = tally.specific and bool(tally.keys)
    t.org_only = False
    return t


def _split_targets(g: Grammar, body: str) -> list[str]:
    """The listed parts of a target (A、B以及C); 和 splits only between two roles (书记和主任, not 和津社区)."""
    parts = []
    w = g.role_and
    for p in g.list_sep_rx.split(body):
        while p and w in p[1:]:
            k = p.index(w, 1)
            left, right = p[:k], p[k + len(w):]
            if g.role_rx.search(left) and left.endswith(last(g.role_rx.finditer(left)).group(0)) \
                    and g.role_rx.search(right):
                parts.append(left)
                p = right
            else:
                break
        if p:
            parts.append(p)
    return parts


def _read_parts(g: Grammar, t: Target, texts: list[str]) -> tuple[list[_Part], int | None]:
    """Each part with its count and role; also the total when a count follows 等 (王某等4人)."""
    parts = []
    total_override = None
    for p in texts:
        p = g.target_joiner_rx.sub("", p).strip()
        if not p:
            continue
        if g.nonperson_rx.search(p):
            t.nonperson = True
        if g.class_prefix_rx.match(p):
            t.whole_class = True
        cm = last(g.count_rx.finditer(p))
        count = None
        around = p
        if cm is not None:
            count = parse_number(cm.group("num"))
            t.unit = cm.group("unit")
            around = p[cm.end():]
            if p[max(0, cm.start() - len(g.total_mark)):cm.start()] == g.total_mark:
                total_override = count
            if not g.role_rx.search(around):
                around = p[:cm.start()]   # 主要负责人4人: the role before the number
        parts.append(_Part(p, count, last(g.role_rx.finditer(around)), around))
    return parts, total_override


def _borrowed_roles(g: Grammar, parts: list[_Part]) -> list[str | None]:
    """The role of each part; a place without a role takes the next part's (灵秀社区、和津社区主要负责人)."""
    roles: list[str | None] = [p.role_m.group(0) if p.role_m else None for p in parts]
    for i in range(len(roles) - 2, -1, -1):
        if roles[i] is None and parts[i].count is None and roles[i + 1] is not None:
            if g.org_rx.search(parts[i].text):
                roles[i] = roles[i + 1]
    return roles


def _count_part(g: Grammar, t: Target, tally: _Tally, part: _Part, role: str | None, need_role: bool) -> None:
    """Add one part to the tally: its written count, one named person, or nothing (a thing, a place)."""
    p = part.text
    if part.count is not None:
        label = part.around.strip() if part.role_m is not None else None
        if label:
            label = role_label(g, part.around, part.role_m)
        tally.add(part.count, label)
        tally.specific = False
        t.stated = True
        return
    if role is None:
        if g.object_rx.search(p) or g.org_rx.search(p):
            t.org_only = t.org_only or bool(g.org_rx.search(p))
            t.objects = t.objects or bool(g.object_rx.search(p))
            return
        if need_role and not g.pronoun_rx.match(p):
            return
        tally.unstated = True
        tally.add(1, None, known=not (g.indefinite_rx.search(p) or g.class_prefix_rx.match(p)))
        # a pronoun (其) names nobody in particular; an anonymised name (王某) does
        key_ok = not g.pronoun_rx.match(p) or bool(g.anonymised_rx.search(p))
        tally.specific = tally.specific and key_ok
        tally.keys.append(p)
        return
    if part.role_m is not None:
        label = role_label(g, p, part.role_m)
        prefix = p[:part.role_m.start()]
        entity = p
        role_text = p[part.role_m.start():]   # the role and a name after it (财务联络员王某)
    else:
        label = role
        prefix = p
        entity = p + role
        role_text = role
    tally.unstated = True
    tally.add(1, label, known=named_one(g, p, prefix, role_text))
    # a specific person when something more than generic qualifiers precedes the role
    rest = prefix
    while True:
        m = g.qualifier_rx.search(rest) or g.org_qualifier_rx.search(rest)
        if not m or m.start() == m.end():
            break
        rest = rest[:m.start()]
    rest = rest.lstrip(g.former)
    if rest:
        tally.keys.append(entity)
    else:
        tally.specific = False


def named_one(g: Grammar, part: str, prefix: str, role: str) -> bool:
    """A part without a number names exactly one person: no indefinite word (相关, 有关, 部分, 等) in
    it, not a whole class (各社区书记), and a post rather than a collective role (工作人员, 班子成员)
    unless a singular determiner stands right before it (该工作人员) or a name follows it (网格员王某).

    ``role`` is the role with what follows it in the part."""
    if g.indefinite_rx.search(prefix) or g.indefinite_rx.search(role) or g.class_prefix_rx.match(part):
        return False
    return not g.collective_rx.search(role) or bool(g.singular_end_rx.search(prefix))


def role_label(g: Grammar, part: str, role_m: re.Match) -> str:
    """Role with the generic qualifiers written before it (社区班子成员, 相关工作人员, 主要负责人)."""
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
    if rest in ("", g.former):
        return rest + "".join(q for q, _ in stripped) + role_m.group(0)
    # a specific name precedes: keep the non-place qualifiers written after the last place word
    tail: list[str] = []
    for q, is_place in reversed(stripped):
        if is_place:
            break
        tail.insert(0, q)
    return "".join(tail) + role_m.group(0)


def class_only(g: Grammar, label: str | None, keys: list[str]) -> bool:
    """The target is a whole class of people (党员干部), not named or counted individuals."""
    return bool(label) and not keys and all(g.class_target_rx.fullmatch(x) for x in label.split(LABEL_SEP))


def join_labels(labels: list[str | None]) -> str | None:
    """Distinct labels joined with 、 (None when there is none)."""
    seen = []
    for lb in labels:
        if lb and lb not in seen:
            seen.append(lb)
    return LABEL_SEP.join(seen) if seen else None
