"""Pieces shared by the discipline and stated-figure extractors (pure functions, no file I/O).

Both extractors report rows located in the notice: which problem a sentence belongs to, whether
a match sits inside a quotation or a book title (where words are cited, not reported), and the
nullable integer columns of their frames.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

import pandas as pd

from analysis.genre.titles import OPEN, TITLE_PATTERN

ProblemSpan = tuple[int, int, object]
"""(start, end, problem_no) of one problem of a notice."""

_QUOTE = r"“[^“”\n]{0,300}”"   # a quotation on one line (cited words, not a book title)
_QUOTE_RX = re.compile(f"{_QUOTE}|{TITLE_PATTERN}")

T = TypeVar("T")


def quoted_spans(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_book_title) of each “quotation” and 《book title》, left to right, not nested."""
    return [(m.start(), m.end(), m.group(0).startswith(OPEN)) for m in _QUOTE_RX.finditer(text)]


def problem_spans(doc_id: str, problems: pd.DataFrame | list | None) -> list[ProblemSpan]:
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


def problem_of(spans: list[ProblemSpan], s: int, e: int, pos: int) -> object:
    """Problem whose span holds the sentence ``s:e`` (or, failing that, the match position)."""
    for ps, pe, no in spans:
        if ps <= s and e <= pe:
            return no
    for ps, pe, no in spans:
        if ps <= pos < pe:
            return no
    return None


def last(it: Iterable[T]) -> T | None:
    """Last item of an iterable (None when empty)."""
    item = None
    for item in it:  # noqa: B007
        pass
    return item


def nullable_int(values: list) -> pd.api.extensions.ExtensionArray:
    """``values`` as a nullable Int64 array (None stays missing)."""
    return pd.array([None if v is None else int(v) for v in values], dtype="Int64")


def problem_column(values: list) -> pd.api.extensions.ExtensionArray | list:
    """The problem_no column: nullable Int64 when every value is a whole number, else as given."""
    if all(v is None or (isinstance(v, (int, float)) and float(v).is_integer()) for v in values):
        return nullable_int(values)
    return values
