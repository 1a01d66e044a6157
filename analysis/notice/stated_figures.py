"""Totals a notice states in words, by meaning: areas, problems, measures and tasks reported, their
completion states, units inspected by kind, funds by kind, rates, institutions…

Input text is the output of :func:`analysis.ingest.normalize.normalize_text`. Every phrasing lives
in the versioned data file ``analysis/data/stated_figures.csv`` (its header lists every figure key
and its meaning): each ``figure`` row is a regex with a placeholder for the number ({N} a count,
{M} an amount of money, {P} a percentage), tried in file order; the first rule that claims a
number wins it, and a number no rule reads is left alone. A rule may also require words just
before the match in the same sentence (``before``): the trigger of a combined phrasing
(反馈……3个方面12个问题) reaches every count in it. A completion state (已完成 5个) names its object
(problems, measures, tasks…) when the text does, else takes it from the nearest earlier count of
the same paragraph. A figure inside a 《book title》 is cited, not stated, and gives no row; so
does a bare 一 written in words (治理一个问题).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

import pandas as pd

from analysis.fastre import compile_fast, required_text
from analysis.genre.numerals import (
    ARABIC_DECIMAL,
    CN_NUMERAL_CHARS,
    DECIMAL_NUMERAL,
    NUMBER_START,
    parse_number,
)
from analysis.genre.sentences import sentence_spans
from analysis.notice.row_helpers import (
    ProblemIndex,
    ProblemSpan,
    problem_column,
    problem_spans,
    quoted_spans,
)
from analysis.schema import TABLES
from analysis.vocab import load_table

FIGURES_FILE = "stated_figures.csv"
STATED_COLUMNS: list[str] = list(TABLES["stated_figures"].column_names)

# how {numeral} / {arabic} are written in the placeholder rows of the data file
# a number starts where its run of numerals starts (not the 十 of 二十): a whole number is read, and
# a long run of numerals is read once rather than from each of its positions (quadratic)
_NUMBER_TOKENS = {
    "{numeral}": rf"{NUMBER_START}(?<![{CN_NUMERAL_CHARS}])(?P<num>{DECIMAL_NUMERAL})",
    "{arabic}": rf"{NUMBER_START}(?P<num>{ARABIC_DECIMAL})",
    "{numeral_nc}": rf"{NUMBER_START}(?<![{CN_NUMERAL_CHARS}])(?:{DECIMAL_NUMERAL})",
}
OBJECT_SLOT = "{object}"
"""Written in a figure key whose object (problems, measures…) is read from the text."""
BEFORE_CHARS = 80
"""How far back in its sentence a rule's ``before`` / ``not_before`` regex looks (bounded: linear)."""
ANTECEDENTS = 8
"""How many earlier figures of the paragraph a completion state looks at for its object."""
_PLACEHOLDER_DEPTH = 4   # placeholders may name other placeholders, this deep
_CLAUSE_SEPARATORS = re.compile(r"[，、：；]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class _FigureRule:
    key: str
    rx: re.Pattern
    unit: str
    context: re.Pattern | None
    not_context: re.Pattern | None
    before: re.Pattern | None = None        # must be found in the sentence just before the match
    not_before: re.Pattern | None = None    # must not be
    default_object: str = ""                # the object of a {object}_… key the text does not name
    required: tuple[str, ...] | None = None   # one of these occurs in every match (fast skip)


class _FigureGrammar(NamedTuple):
    """The data file compiled: figure rules, unit normalisation and the label vocabulary."""

    rules: tuple[_FigureRule, ...]
    units: dict[str, tuple[str, Decimal]]   # raw unit -> (normalised unit, factor)
    label_cut: re.Pattern
    label_prefix: re.Pattern
    label_suffix: re.Pattern
    bare_numeral: re.Pattern
    objects: tuple[tuple[str, re.Pattern], ...]   # (object, the words naming it), tried in order


class _Found(NamedTuple):
    """One figure as found, before its object is resolved."""

    pos: int
    key: str              # may hold OBJECT_SLOT
    named_object: str     # the object the matched words name ('' if none)
    default_object: str
    label: str
    value: float
    unit: str
    raw_value: str
    raw_unit: str
    problem_no: object
    sentence: str
    start: int
    end: int


def _kind(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    return table[table["kind"] == kind]


def _alt(table: pd.DataFrame, kind: str) -> str:
    """The patterns of one kind as one alternation."""
    pats = [p for p in _kind(table, kind)["pattern"] if p]
    if not pats:
        raise ValueError(f"{FIGURES_FILE}: no rows of kind {kind!r}")
    return "|".join(f"(?:{p})" for p in pats)


def _placeholders(table: pd.DataFrame) -> dict[str, str]:
    """``{N}`` / ``{M}`` / ``{P}`` / ``{C}`` and the named fragments → their regex, with numbers as
    :mod:`analysis.genre.numerals` reads them."""
    out = {}
    for r in _kind(table, "placeholder").itertuples(index=False):
        pat = r.pattern
        for token, rx in _NUMBER_TOKENS.items():
            pat = pat.replace(token, rx)
        out["{" + r.key + "}"] = pat
    return out


def _expand(pat: str, placeholders: dict[str, str]) -> str:
    """``pat`` with its placeholders (which may name other placeholders) replaced."""
    for _ in range(_PLACEHOLDER_DEPTH):
        before = pat
        for k, v in placeholders.items():
            pat = pat.replace(k, v)
        if pat == before:
            return pat
    raise ValueError(f"{FIGURES_FILE}: placeholders nested too deep in {pat!r}")


def _compiled(pat: str, placeholders: dict[str, str]) -> re.Pattern | None:
    return re.compile(_expand(pat, placeholders)) if pat else None


def figure_keys() -> list[str]:
    """Every figure key the data file can give, {object}_… keys spelt out for each object."""
    table = load_table(FIGURES_FILE)
    objects = list(_kind(table, "object")["key"])
    keys = []
    for key in _kind(table, "figure")["key"]:
        for k in ([key.replace(OBJECT_SLOT, o) for o in objects] if OBJECT_SLOT in key else [key]):
            if k not in keys:
                keys.append(k)
    return keys


@lru_cache(maxsize=1)
def _figure_rules() -> _FigureGrammar:
    """The compiled data file (``[0]`` the figure rules, ``[1]`` the units)."""
    table = load_table(FIGURES_FILE)
    placeholders = _placeholders(table)
    rules = []
    for r in _kind(table, "figure").itertuples(index=False):
        pat = _expand(r.pattern, placeholders)
        if OBJECT_SLOT in r.key and not r.object:
            raise ValueError(f"{FIGURES_FILE}: rule {r.key!r} has no default object")
        rules.append(_FigureRule(
            key=r.key, rx=compile_fast(pat), unit=r.unit, required=required_text(pat),
            context=_compiled(r.context, placeholders), not_context=_compiled(r.not_context, placeholders),
            before=_compiled(r.before, placeholders), not_before=_compiled(r.not_before, placeholders),
            default_object=r.object,
        ))
    units = {r.key: (r.unit, Decimal(r.factor)) for r in _kind(table, "unit").itertuples(index=False)}
    objects = tuple((r.key, re.compile(r.pattern)) for r in _kind(table, "object").itertuples(index=False))
    return _FigureGrammar(
        rules=tuple(rules), units=units,
        label_cut=re.compile(rf"(?:{_alt(table, 'label_cut')}).*$"),
        label_prefix=re.compile(rf"^(?:{_alt(table, 'label_prefix')})+"),
        label_suffix=re.compile(rf"(?:{_alt(table, 'label_suffix')})+$"),
        bare_numeral=re.compile(_alt(table, "bare_numeral")),
        objects=objects,
    )


def _figure_label(fg: _FigureGrammar, text: str, m: re.Match, num_end: int, both: bool = False) -> str:
    """The words naming a figure: what follows the number (…16个主要问题) or else what precedes it;
    with ``both`` (a completion state: 已完成整改的 5个 问题) the words on both sides."""
    gd = m.groupdict()
    cut = m.end("unit") if gd.get("unit") and m.start("unit") >= num_end else num_end
    after = text[cut:m.end()].strip()
    before = _CLAUSE_SEPARATORS.split(text[m.start():m.start("num")])[-1].strip()
    after = fg.label_cut.sub("", after)
    label = before + after if both else (after if _CJK.search(after) else before)
    label = fg.label_prefix.sub("", label)
    return fg.label_suffix.sub("", label).strip() or m.group(0).strip()


def _named_object(fg: _FigureGrammar, m: re.Match) -> str:
    """The object the matched words name (具体问题 → specific_problems), '' when they name none."""
    gd = m.groupdict()
    words = gd.get("object") or gd.get("object2") or ""
    if not words:
        return ""
    for name, rx in fg.objects:
        if rx.search(words):
            return name
    return ""


def _before_ok(rule: _FigureRule, text: str, sentence_start: int, match_start: int) -> bool:
    """Whether the words of the sentence just before a match satisfy the rule's before / not_before."""
    if rule.before is None and rule.not_before is None:
        return True
    window = text[max(sentence_start, match_start - BEFORE_CHARS):match_start]
    if rule.before is not None and rule.before.search(window) is None:
        return False
    return rule.not_before is None or rule.not_before.search(window) is None


def _value(fg: _FigureGrammar, rule: _FigureRule, m: re.Match) -> tuple[float, str, str] | None:
    """(value, normalised unit, raw unit) of a match; None when its number does not read."""
    num = parse_number(m.group("num"))
    if num is None:
        return None
    raw_unit = m.groupdict().get("unit") or ""
    norm_unit, factor = fg.units.get(raw_unit, (raw_unit or rule.unit, Decimal(1)))
    # Arabic numbers go through Decimal so that 6.38万元 is exactly 63800
    value = float(Decimal(m.group("num")) * factor) if m.group("num")[0].isdigit() else float(num * factor)
    return value, norm_unit, raw_unit


def _figures(text: str, spans: list[ProblemSpan], sents: list[tuple[int, int]]) -> list[_Found]:
    """Every stated figure, in the order the rules found them (objects not yet resolved).

    Each question costs the same however many figures, titles and problems came before: claimed
    numbers are marked character by character, titles (which do not overlap) and sentences are found
    by bisection, a sentence is cut out and tested against a rule's context once, and the words
    before a match are read in a window of bounded length."""
    fg = _figure_rules()
    sent_starts = [x[0] for x in sents]
    titles = [(qs, qe) for qs, qe, is_title in quoted_spans(text) if is_title]
    title_starts = [qs for qs, _ in titles]
    where = ProblemIndex(spans)
    claimed = bytearray(len(text))  # 1 where an earlier figure's number is
    sentences: dict[int, str] = {}
    found: list[_Found] = []
    for rule in fg.rules:
        if rule.required and not any(w in text for w in rule.required):
            continue
        in_context: dict[int, bool] = {}
        for m in rule.rx.finditer(text):
            ns, ne = m.span("num")
            if claimed.find(1, ns, ne) >= 0:
                continue   # an earlier rule has this number
            t = bisect_left(title_starts, ns) - 1
            if t >= 0 and ne < titles[t][1]:
                continue   # a number inside a book title is cited, not stated
            k = bisect_right(sent_starts, m.start()) - 1
            if k < 0 or m.start() >= sents[k][1]:
                continue
            s, e = sents[k]
            if k not in sentences:
                sentences[k] = text[s:e]
            sentence = sentences[k]
            if k not in in_context:
                in_context[k] = ((rule.context is None or rule.context.search(sentence) is not None)
                                 and (rule.not_context is None or rule.not_context.search(sentence) is None))
            if not in_context[k] or not _before_ok(rule, text, s, m.start()):
                continue
            read = _value(fg, rule, m)
            if read is None or fg.bare_numeral.fullmatch(m.group("num")):
                continue
            value, unit, raw_unit = read
            label = m.groupdict().get("label") or _figure_label(fg, text, m, ne, OBJECT_SLOT in rule.key)
            claimed[ns:ne] = b"\x01" * (ne - ns)
            raw_value = m.group("num") + (m.groupdict().get("approx") or "")
            found.append(_Found(m.start(), rule.key, _named_object(fg, m), rule.default_object, label, value,
                                unit, raw_value, raw_unit, where.problem_of(s, e, m.start()), sentence, s, e))
    return found


def _object_of(key: str, objects: tuple[str, ...]) -> str:
    """The object a resolved figure key counts ('' when none: areas, funds, rates…)."""
    return next((o for o in objects if key.startswith(o + "_")), "")


def _resolve_objects(text: str, found: list[_Found], objects: tuple[str, ...]) -> list[tuple]:
    """Figures sorted by position with every {object}_… key spelt out (see the module docstring).

    An unnamed object is that of the nearest of the last :data:`ANTECEDENTS` figures with an object
    in the same paragraph (no line break between), preferring one with the same raw unit, and never
    one whose value is smaller than this count; else the rule's default."""
    found = sorted(found, key=lambda f: f.pos)
    breaks = [i for i, c in enumerate(text) if c == "\n"] if found else []
    recent: list[tuple[int, str, str, float]] = []   # (paragraph, object, raw unit, value)
    out = []
    for f in found:
        key = f.key
        para = bisect_right(breaks, f.pos)
        if OBJECT_SLOT in key:
            obj = f.named_object
            if not obj:
                near = [r for r in reversed(recent) if r[0] == para and r[3] >= f.value]
                same_unit = [r for r in near if r[2] == f.raw_unit]
                pick = (same_unit or near)[:1]
                obj = pick[0][1] if pick else f.default_object
            key = key.replace(OBJECT_SLOT, obj)
        obj = _object_of(key, objects)
        if obj:
            recent = [*recent[-(ANTECEDENTS - 1):], (para, obj, f.raw_unit, f.value)]
        out.append((f.pos, key, f.label, f.value, f.unit, f.raw_value, f.raw_unit, f.problem_no, f.sentence,
                    f.start, f.end))
    return out


def stated_columns(doc_id: str, text: str, spans: list[ProblemSpan],
                   sentences: list[tuple[int, int]] | None = None) -> dict[str, list]:
    """The rows of :func:`extract_stated_figures` as column lists (the build's fast path, no pandas)."""
    spans = problem_spans(doc_id, spans)
    found = _figures(text, spans, sentence_spans(text) if sentences is None else sentences)
    found = _resolve_objects(text, found, tuple(o for o, _ in _figure_rules().objects))
    out: dict[str, list] = {c: [] for c in STATED_COLUMNS}
    for i, f in enumerate(found):
        for c, v in zip(STATED_COLUMNS, (doc_id, i + 1, *f[1:]), strict=True):
            out[c].append(v)
    return out


def extract_stated_figures(doc_id: str, text: str, problems: pd.DataFrame | None = None) -> pd.DataFrame:
    """Totals a notice states in words (problems, measures, institutions, funds…; columns STATED_COLUMNS)."""
    out = stated_columns(doc_id, text, problem_spans(doc_id, problems))
    df = pd.DataFrame(out, columns=STATED_COLUMNS)
    df["row_no"] = df["row_no"].astype("int64")
    df["value"] = df["value"].astype("float64")
    df["problem_no"] = problem_column(out["problem_no"])
    df["char_start"] = df["char_start"].astype("int64")
    df["char_end"] = df["char_end"].astype("int64")
    return df
