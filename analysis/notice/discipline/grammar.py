"""The discipline vocabulary compiled into the patterns the extractor combines.

Every phrasing comes from ``analysis/data/discipline_actions.csv``: ``kind=action`` rows are the
action words (each with its canonical name, group, form of oversight and default unit); the other
kinds are the words around them (governing verbs, roles, negations, units, list words…). This
module only joins them into regexes; :mod:`.sentence` and :mod:`.targets` hold the grammar that
uses them. Built once per process (:func:`grammar`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from analysis.fastre import compile_fast, max_width
from analysis.genre.enumerators import expand
from analysis.genre.numerals import NUMBER_START, NUMERAL
from analysis.vocab import load_table

DISCIPLINE_FILE = "discipline_actions.csv"


@dataclass(frozen=True)
class Action:
    """One action word of the data file (诫勉谈话, 党内警告…) and how to count it."""

    action: str
    group: str
    form: int | None
    unit: str
    flags: frozenset[str]
    party: str | None   # canonical name of a plain 警告 in a party context
    gov: str | None     # … and in a government context


def _rows(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    return table[table["kind"] == kind]


def _alt(table: pd.DataFrame, kind: str) -> str:
    """The patterns of one kind as one alternation."""
    pats = [p for p in _rows(table, kind)["pattern"] if p]
    if not pats:
        raise ValueError(f"{DISCIPLINE_FILE}: no rows of kind {kind!r}")
    return "|".join(f"(?:{p})" for p in pats)


def _word(table: pd.DataFrame, kind: str) -> str:
    """The one literal word of a kind (used with ``in`` / ``index``, not as a regex)."""
    pats = [p for p in _rows(table, kind)["pattern"] if p]
    if len(pats) != 1 or re.escape(pats[0]) != pats[0]:
        raise ValueError(f"{DISCIPLINE_FILE}: kind {kind!r} must be one literal word, got {pats}")
    return pats[0]


def _actions(table: pd.DataFrame) -> list[Action]:
    out = []
    for r in _rows(table, "action").itertuples(index=False):
        flags = r.flags.split()
        opts = dict(f.split(":", 1) for f in flags if ":" in f)
        out.append(Action(
            action=r.action, group=r.action_group, form=int(r.form) if r.form else None,
            unit=r.unit or _word(table, "person_unit"), flags=frozenset(f for f in flags if ":" not in f),
            party=opts.get("party"), gov=opts.get("gov"),
        ))
    return out


class Grammar:
    """Compiled discipline vocabulary (built once from the data file)."""

    def __init__(self, table: pd.DataFrame) -> None:
        self._words(table)
        self._action_patterns(table)
        self._count_patterns(table)
        self._context_patterns(table)
        self._target_patterns(table)
        self._heading_patterns(table)

    def _words(self, table: pd.DataFrame) -> None:
        """Literal words the grammar reads with ``in`` / ``index``."""
        self.nominal = _word(table, "nominal")          # 的: the target follows the last one
        self.role_and = _word(table, "role_and")        # 和 between two roles (书记和主任)
        self.total_mark = _word(table, "total_mark")    # 等 before a count makes it a total
        self.former = _word(table, "former")            # 原 (former) before a role
        self.person_unit = _word(table, "person_unit")
        self.card_unit = _word(table, "card_unit")
        self.case_unit = _word(table, "case_unit")

    def _action_patterns(self, table: pd.DataFrame) -> None:
        """The action words (group ``a<i>`` = row i) with their generic suffix (留党察看一年处分)."""
        self.actions = _actions(table)
        self.by_name: dict[str, Action] = {}
        for act in self.actions:
            self.by_name.setdefault(act.action, act)
        parts = [f"(?P<a{i}>{p})" for i, p in enumerate(_rows(table, "action")["pattern"])]
        self.action_rx = compile_fast(f"(?:{'|'.join(parts)})(?P<sfx>{_alt(table, 'suffix')})?")
        self.not_after_rx = re.compile(rf"[ \t]*(?:{_alt(table, 'not_after')})")
        self.list_only_rx = re.compile(_alt(table, "list_only"))

    def _count_patterns(self, table: pd.DataFrame) -> None:
        """Counts: 5人, a count attached to an action (诫勉谈话5人, 谈话提醒共12人次, 问责干部3人)."""
        units = _alt(table, "count_unit")
        num = rf"(?P<num>{NUMERAL})"
        self.count_rx = re.compile(rf"{NUMBER_START}{num}\s*(?P<unit>{units})")
        self.placeholder_count_rx = re.compile(rf"(?:{_alt(table, 'placeholder')})\s*(?:{units})")
        marker = _alt(table, "summary_marker")
        self.distribute_rx = re.compile(_alt(table, "distribute"))
        self.respective_rx = re.compile(_alt(table, "respective"))
        # a role may sit between action and count (问责干部3人)
        role = rf"(?:{_alt(table, 'org_qualifier')}|{_alt(table, 'qualifier')})?(?:{_alt(table, 'role')})"
        lead = (rf"[ \t]*(?:{_alt(table, 'count_noun')})?(?:[：:][ \t]*)?(?:{_alt(table, 'perfective')})?"
                rf"(?P<marker>{marker})?(?:{_alt(table, 'tally')})?"
                rf"(?P<dist>{self.distribute_rx.pattern}|{self.respective_rx.pattern})?"
                rf"(?P<role>{role})?[ \t]*")
        self.attached_rx = re.compile(rf"{lead}{num}[ \t]*(?P<unit>{units})")
        self.attached_placeholder_rx = re.compile(rf"{lead}(?:{_alt(table, 'placeholder')})[ \t]*(?:{units})")
        self.marker_rx = re.compile(marker)
        self.breakdown_rx = re.compile(_alt(table, "breakdown"))

    def _context_patterns(self, table: pd.DataFrame) -> None:
        """What governs an action, and the contexts that void it (negation, policy, prevention, agency)."""
        self.governor_rx = re.compile(
            rf"(?P<strong>{_alt(table, 'governor')})|(?P<weak>{_alt(table, 'weak_governor')})"
            rf"|(?P<passive>{_alt(table, 'passive')})"
        )
        self.filler_rx = re.compile(rf"(?:{_alt(table, 'filler')})*")
        self.list_link_rx = re.compile(rf"(?:{_alt(table, 'list_link')})")
        # what may stand between two actions that share a target (，并给予 / 、)
        self.link_rx = re.compile(
            rf"(?:{self.list_link_rx.pattern})(?:{self.governor_rx.pattern})?(?:{self.filler_rx.pattern})"
        )
        self.perfective_rx = re.compile(rf"^(?:{_alt(table, 'perfective')})")
        self.perfective_width = max_width(self.perfective_rx.pattern)  # longest match it can remove
        self.negation_rx = re.compile(
            rf"(?:{_alt(table, 'negation')})(?:{_alt(table, 'negation_adverb')})?[ \t]*$")
        self.policy_rx = re.compile(_alt(table, "policy"))
        self.preventive_rx = re.compile(_alt(table, "preventive"))
        self.agency_rx = re.compile(
            rf"(?P<other>{_alt(table, 'agency_other')})|(?P<disc>{_alt(table, 'agency_discipline')})"
        )
        self.gov_context_rx = re.compile(_alt(table, "gov_context"))
        self.party_context_rx = re.compile(_alt(table, "party_context"))

    def _target_patterns(self, table: pd.DataFrame) -> None:
        """The people an action is given to (对 + targets): roles, organisations, pronouns, lists."""
        self.dui_rx = re.compile(_alt(table, "dui"))
        self.list_sep_rx = re.compile(_alt(table, "list_sep"))
        self.list_continue_rx = re.compile(rf"(?:{_alt(table, 'list_continue')})")
        self.target_joiner_rx = re.compile(rf"^(?:{_alt(table, 'target_joiner')})")
        self.nonperson_rx = re.compile(_alt(table, "nonperson"))
        self.object_rx = re.compile(_alt(table, "object"))
        self.org_rx = re.compile(_alt(table, "org"))
        self.role_rx = re.compile(_alt(table, "role"))
        self.class_target_rx = re.compile(_alt(table, "class_target"))
        self.class_prefix_rx = re.compile(_alt(table, "class_prefix"))
        self.qualifier_rx = re.compile(rf"(?:{_alt(table, 'qualifier')})$")
        self.org_qualifier_rx = re.compile(rf"(?:{_alt(table, 'org_qualifier')})$")
        self.pronoun_rx = re.compile(rf"^(?:{_alt(table, 'pronoun')})$")
        self.anonymised_rx = re.compile(_alt(table, "anonymised"))
        # how many people a target part without a written number names: NULL when it does not say
        self.indefinite_rx = re.compile(_alt(table, "indefinite"))
        self.collective_rx = re.compile(rf"(?:{_alt(table, 'collective_role')})$")
        self.singular_rx = re.compile(_alt(table, "singular"))
        self.singular_end_rx = re.compile(rf"(?:{_alt(table, 'singular')})$")

    def _heading_patterns(self, table: pd.DataFrame) -> None:
        """Where the problems start, and summary sections (三、整改成效)."""
        self.heading_rx = [re.compile(expand(p), re.M) for p in _rows(table, "problem_heading")["pattern"]]
        self.summary_heading_rx = re.compile(_alt(table, "summary_heading"), re.M)

    def action_at(self, m: re.Match) -> Action:
        """The action row whose pattern matched ``m`` (an :attr:`action_rx` match)."""
        for i in range(len(self.actions)):
            if m.start(i + 1) >= 0:
                return self.actions[i]
        raise AssertionError("no action group matched")

    def group_of(self, name: str | None) -> str | None:
        """The group of a canonical action name (None when unknown)."""
        act = self.by_name.get(name) if name else None
        return act.group if act else None


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    """The compiled vocabulary of ``discipline_actions.csv``."""
    return Grammar(load_table(DISCIPLINE_FILE))
