"""Totals a notice states in words: problems reported and fixed, measures, institutions, funds…

Input text is the output of :func:`analysis.ingest.normalize.normalize_text`. Every phrasing lives
in the versioned data file ``analysis/data/stated_figures.csv``: each ``figure`` row is a regex
with a placeholder for the number ({N} a count, {M} an amount of money, {P} a percentage), tried
in file order; the first rule that claims a number wins it. A figure inside a 《book title》 is
cited, not stated, and gives no row; so does a bare 一 written in words (治理一个问题).
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
}
_CLAUSE_SEPARATORS = re.compile(r"[，、：；]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class _FigureRule:
    key: str
    rx: re.Pattern
    unit: str
    context: re.Pattern | None
    not_context: re.Pattern | None
    required: tuple[str, ...] | None = None   # one of these occurs in every match (fast skip)


class _FigureGrammar(NamedTuple):
    """The data file compiled: figure rules, unit normalisation and the label vocabulary."""

    rules: tuple[_FigureRule, ...]
    units: dict[str, tuple[str, Decimal]]   # raw unit -> (normalised unit, factor)
    label_cut: re.Pattern
    label_prefix: re.Pattern
    label_suffix: re.Pattern
    bare_numeral: re.Pattern


def _kind(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    return table[table["kind"] == kind]


def _alt(table: pd.DataFrame, kind: str) -> str:
    """The patterns of one kind as one alternation."""
    pats = [p for p in _kind(table, kind)["pattern"] if p]
    if not pats:
        raise ValueError(f"{FIGURES_FILE}: no rows of kind {kind!r}")
    return "|".join(f"(?:{p})" for p in pats)


def _placeholders(table: pd.DataFrame) -> dict[str, str]:
    """``{N}`` / ``{M}`` / ``{P}`` → their regex, with numbers as :mod:`analysis.genre.numerals` reads them."""
    out = {}
    for r in _kind(table, "placeholder").itertuples(index=False):
        pat = r.pattern
        for token, rx in _NUMBER_TOKENS.items():
            pat = pat.replace(token, rx)
        out["{" + r.key + "}"] = pat
    return out


@lru_cache(maxsize=1)
def _figure_rules() -> _FigureGrammar:
    """The compiled data file (``[0]`` the figure rules, ``[1]`` the units)."""
    table = load_table(FIGURES_FILE)
    placeholders = _placeholders(table)
    rules = []
    for r in _kind(table, "figure").itertuples(index=False):
        pat = r.pattern
        for k, v in placeholders.items():
            pat = pat.replace(k, v)
        rules.append(_FigureRule(
            key=r.key, rx=compile_fast(pat), unit=r.unit, required=required_text(pat),
            context=re.compile(r.context) if r.context else None,
            not_context=re.compile(r.not_context) if r.not_context else None,
        ))
    units = {r.key: (r.unit, Decimal(r.factor)) for r in _kind(table, "unit").itertuples(index=False)}
    return _FigureGrammar(
        rules=tuple(rules), units=units,
        label_cut=re.compile(rf"(?:{_alt(table, 'label_cut')}).*$"),
        label_prefix=re.compile(rf"^(?:{_alt(table, 'label_prefix')})+"),
        label_suffix=re.compile(rf"(?:{_alt(table, 'label_suffix')})+$"),
        bare_numeral=re.compile(_alt(table, "bare_numeral")),
    )


def _figure_label(fg: _FigureGrammar, text: str, m: re.Match, num_end: int) -> str:
    """The words naming a figure: what follows the number (…16个主要问题) or else what precedes it."""
    gd = m.groupdict()
    cut = m.end("unit") if gd.get("unit") and m.start("unit") >= num_end else num_end
    after = text[cut:m.end()].strip()
    before = _CLAUSE_SEPARATORS.split(text[m.start():m.start("num")])[-1].strip()
    after = fg.label_cut.sub("", after)
    label = after if _CJK.search(after) else before
    label = fg.label_prefix.sub("", label)
    return fg.label_suffix.sub("", label).strip()


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


def _figures(text: str, spans: list[ProblemSpan], sents: list[tuple[int, int]]) -> list[tuple]:
    """Every stated figure as (position, figure, label, value, unit, raw value, raw unit, problem,
    sentence, start, end), in the order the rules found them.

    Each question costs the same however many figures, titles and problems came before: claimed
    numbers are marked character by character, titles (which do not overlap) and sentences are found
    by bisection, and a sentence is cut out and tested against a rule's context once."""
    fg = _figure_rules()
    sent_starts = [x[0] for x in sents]
    titles = [(qs, qe) for qs, qe, is_title in quoted_spans(text) if is_title]
    title_starts = [qs for qs, _ in titles]
    where = ProblemIndex(spans)
    claimed = bytearray(len(text))  # 1 where an earlier figure's number is
    sentences: dict[int, str] = {}
    found = []
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
            if not in_context[k]:
                continue
            read = _value(fg, rule, m)
            if read is None or fg.bare_numeral.fullmatch(m.group("num")):
                continue
            value, unit, raw_unit = read
            label = m.groupdict().get("label") or _figure_label(fg, text, m, ne)
            claimed[ns:ne] = b"\x01" * (ne - ns)
            raw_value = m.group("num") + (m.groupdict().get("approx") or "")
            found.append((m.start(), rule.key, label, value, unit, raw_value, raw_unit,
                          where.problem_of(s, e, m.start()), sentence, s, e))
    return found


def stated_columns(doc_id: str, text: str, spans: list[ProblemSpan],
                   sentences: list[tuple[int, int]] | None = None) -> dict[str, list]:
    """The rows of :func:`extract_stated_figures` as column lists (the build's fast path, no pandas)."""
    spans = problem_spans(doc_id, spans)
    found = _figures(text, spans, sentence_spans(text) if sentences is None else sentences)
    found.sort(key=lambda t: t[0])
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
