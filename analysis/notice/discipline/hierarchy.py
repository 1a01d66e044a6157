"""Discipline counts as a hierarchy: each row's level, the total it is part of, and what it adds once.

A notice often states group totals (给予党纪处分3人，政务处分1人) and names the individual sanctions
elsewhere (给予党内警告处分2人、党内严重警告处分1人; 对1名社区主任给予政务记过处分). Added up, the
same people would be counted twice. The groups, their heads and their measures are data
(``analysis/data/discipline_groups.csv``), the units and what they count too
(``analysis/data/discipline_units.csv``). :func:`arrange` runs once all rows of a notice are read:

1. *level* and *measure*: the head of a group (党纪处分) is ``group`` level, a total over groups
   (党纪政务处分, 问责, 四种形态) is ``total``, any other action (党内警告, 记过) a ``component``;
2. a breakdown found in the sentence (brackets, 其中) whose child counts another measure or another
   kind of unit (立案3件，其中… 2人; 移送司法 in a list of 党纪处分) is no breakdown: it is detached;
3. *parts of a total stated elsewhere*: a row without a parent whose group total (or the total of the
   group above, 党纪政务处分) is stated in the notice's summary, in the same kind of unit, becomes a
   ``part`` of the nearest such total (the one before it, else the one after it); a mention of an
   action also joins a summary row of the same action (诫勉谈话5人 … 对A诫勉谈话). Components
   without such a total stand for their group;
4. *tally*: counted once, top-down. A row's tally is its count minus its parts' counts (a repeat of
   the same named people adds nothing); when the parts add up to more than the row states, the
   stated count is kept, the parts add nothing and :func:`mismatch_warnings` reports it. A row whose
   count is not said has tally NULL, or 0 inside a stated total that holds it;
5. *basis* of the tally: ``stated_total`` (part of a group total the notice states),
   ``sum_of_components`` (the group's stated components, no stated group total) or
   ``sum_of_mentions`` (counted from the body's mentions).

Everything here is linear in the number of rows (look-ups by bisection, one pass over the forest).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from analysis.notice.discipline.sentence import Row
from analysis.vocab import load_table

GROUPS_FILE = "discipline_groups.csv"
UNITS_FILE = "discipline_units.csv"
LEVELS = ("total", "group", "component")
BASES = ("stated_total", "sum_of_components", "sum_of_mentions")   # strongest first
RELATIONS = ("breakdown", "part", "repeat")
_ROW_PARTS_SHOWN = 5    # parts named in a warning message
_FREE, _HELD, _ZERO = 0, 1, 2


@dataclass(frozen=True)
class Group:
    """One action group of the data file: its head action, level, parent group and measure."""

    name: str
    head: str
    level: str
    parent: str | None
    measure: str


class Hierarchy:
    """The groups and units of the discipline data files, for look-ups."""

    def __init__(self, groups: pd.DataFrame, units: pd.DataFrame) -> None:
        self.groups: dict[str, Group] = {}
        for r in groups.itertuples(index=False):
            if r.level not in ("total", "group"):
                raise ValueError(f"{GROUPS_FILE}: level of {r.group!r} must be total or group, got {r.level!r}")
            self.groups[r.group] = Group(r.group, r.head, r.level, r.parent or None, r.measure)
        for g in self.groups.values():
            if g.parent is not None and g.parent not in self.groups:
                raise ValueError(f"{GROUPS_FILE}: parent {g.parent!r} of {g.name!r} is not a group")
        self.reads_as = dict(zip(units["unit"], units["reads_as"], strict=True))
        self.kind = dict(zip(units["unit"], units["kind"], strict=True))

    def group(self, name: str) -> Group:
        """The group ``name`` (an action_group of discipline_actions.csv)."""
        try:
            return self.groups[name]
        except KeyError:
            raise ValueError(f"{GROUPS_FILE}: no row for action group {name!r}") from None

    def level(self, action: str, group: str) -> str:
        """'total' or 'group' for the head of its group, else 'component'."""
        g = self.group(group)
        return g.level if action == g.head else "component"

    def heads_above(self, group: str) -> list[str]:
        """The heads whose totals hold a row of ``group``: its own group's, then its parents'."""
        out: list[str] = []
        g: Group | None = self.group(group)
        while g is not None and g.head not in out:
            out.append(g.head)
            g = self.groups.get(g.parent) if g.parent else None
        return out

    def unit_kind(self, unit: str) -> str:
        """What a unit counts (people, cases, cards…); an unknown unit counts itself."""
        return self.kind.get(unit, unit)

    def reads(self, unit: str) -> str:
        """The unit a count is reported in (名 → 人)."""
        return self.reads_as.get(unit, unit)


@lru_cache(maxsize=1)
def hierarchy() -> Hierarchy:
    """The hierarchy of ``discipline_groups.csv`` and ``discipline_units.csv``."""
    return Hierarchy(load_table(GROUPS_FILE), load_table(UNITS_FILE))


def arrange(rows: list[Row], h: Hierarchy | None = None) -> None:
    """Set level, measure, parent/relation (parts of totals), tally, tally_unit and basis of a notice's rows."""
    h = h or hierarchy()
    kinds = []
    for r in rows:
        r.level = h.level(r.name, r.action.group)
        r.measure = h.group(r.action.group).measure
        r.unit_kind = h.unit_kind(r.unit)
        kinds.append(r.unit_kind)
    for i, r in enumerate(rows):   # 2. a breakdown of another measure or kind of unit is none
        if r.parent is not None and r.relation == "breakdown":
            p = rows[r.parent]
            if p.measure != r.measure or kinds[r.parent] != kinds[i]:
                r.parent, r.relation = None, None
    _link_parts(rows, kinds, h)
    _tally(rows, h)


def _link_parts(rows: list[Row], kinds: list[str], h: Hierarchy) -> None:
    """3. A top row joins the nearest stated summary total that holds it (see the module docstring)."""
    totals: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(rows):
        if r.scope == "summary" and r.count_stated and r.count is not None:
            totals.setdefault((r.name, kinds[i]), []).append(i)
    if not totals:
        return
    for i, r in enumerate(rows):
        if r.parent is not None:
            continue
        keys = [r.name] if r.scope == "mention" else []
        keys += [hd for hd in h.heads_above(r.action.group) if hd != r.name]
        for key in keys:
            j = _nearest(totals.get((key, kinds[i])), i)
            if j is not None and not _descends(rows, j, i):
                same_sentence = (rows[j].s, rows[j].e) == (r.s, r.e)   # 给予党纪处分3人：党内警告2人…
                r.parent, r.relation = j, "breakdown" if same_sentence else "part"
                break


def _nearest(positions: list[int] | None, i: int) -> int | None:
    """The nearest position before ``i`` in a sorted list, else the nearest after it."""
    if not positions:
        return None
    k = bisect_left(positions, i)
    if k > 0:
        return positions[k - 1]
    if k < len(positions) and positions[k] == i:
        k += 1
    return positions[k] if k < len(positions) else None


def _descends(rows: list[Row], j: int, i: int) -> bool:
    """Row ``j`` is ``i`` or lies in ``i``'s tree (linking ``i`` under ``j`` would close a circle)."""
    seen = 0
    while j is not None and seen <= len(rows):
        if j == i:
            return True
        j = rows[j].parent
        seen += 1
    return False


def _own_basis(r: Row) -> str:
    if r.scope == "summary" and r.count_stated:
        return BASES[0] if r.level in ("total", "group") else BASES[1]
    return BASES[2]


def _stronger(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return a if BASES.index(a) <= BASES.index(b) else b


def _tally(rows: list[Row], h: Hierarchy) -> None:
    """4-5. What each row adds once, in which unit, on which basis (one pass, parents first)."""
    kids: list[list[int]] = [[] for _ in rows]
    roots = []
    for i, r in enumerate(rows):
        if r.parent is None:
            roots.append(i)
        else:
            kids[r.parent].append(i)
    stack = [(i, _FREE, h.reads(rows[i].unit), None) for i in reversed(roots)]
    while stack:
        i, mode, unit, above = stack.pop()
        r = rows[i]
        r.tally_unit = unit
        if mode == _ZERO:
            r.tally, r.basis = 0, above
            stack.extend((k, _ZERO, unit, above) for k in reversed(kids[i]))
            continue
        if r.count is None:
            if mode == _HELD:   # inside a stated total that counts its people
                r.tally, r.basis = 0, above
                stack.extend((k, _ZERO, unit, above) for k in reversed(kids[i]))
            else:               # not said, and no stated total holds it; a repeat of it is the same people
                r.tally, r.basis = None, None
                stack.extend((k, _ZERO, unit, None) if rows[k].relation == "repeat"
                             else (k, _FREE, h.reads(rows[k].unit), None) for k in reversed(kids[i]))
            continue
        basis = _stronger(above, _own_basis(r))
        r.basis = basis
        repeats = [k for k in kids[i] if rows[k].relation == "repeat"]   # the same people: counted here
        parts = [k for k in kids[i] if rows[k].relation != "repeat"]
        stated = sum(rows[k].count for k in parts if rows[k].count is not None)
        if stated <= r.count:
            r.tally = r.count - stated
            stack.extend((k, _HELD, unit, basis) for k in reversed(parts))
        else:               # the parts add up to more than the stated total: keep the total
            r.tally = r.count
            stack.extend((k, _ZERO, unit, basis) for k in reversed(parts))
        stack.extend((k, _ZERO, unit, basis) for k in reversed(repeats))


def mismatch_warnings(columns: dict[str, list]) -> list[dict]:
    """Parse warnings (stage extract) for every stated total its parts add up to more than.

    ``columns`` are the discipline_actions column lists of one notice; both the total and its parts
    stay in the table, and the tally keeps the total.
    """
    n = len(columns["row_no"])
    parts: dict[int, list[int]] = {}
    for i in range(n):
        p = columns["parent"][i]
        if p is not None and columns["count"][i] is not None and columns["relation"][i] != "repeat":
            parts.setdefault(p - 1, []).append(i)
    out = []
    for p, ks in sorted(parts.items()):
        total = columns["count"][p]
        got = sum(columns["count"][k] for k in ks)
        if total is None or got <= total:
            continue
        named = ", ".join(f"{columns['action'][k]}{columns['count'][k]}{columns['unit'][k]}"
                         for k in ks[:_ROW_PARTS_SHOWN])
        more = f" and {len(ks) - _ROW_PARTS_SHOWN} more" if len(ks) > _ROW_PARTS_SHOWN else ""
        out.append({
            "stage": "extract", "kind": "discipline_total_mismatch",
            "message": (f"row {p + 1}: {columns['action'][p]}{total}{columns['unit'][p]} is stated, but its parts "
                        f"({named}{more}) add up to {got}; both are kept, the total is counted"),
            "char_start": columns["match_start"][p], "char_end": columns["match_end"][p],
        })
    return out
