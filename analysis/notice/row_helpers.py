"""Pieces shared by the discipline and stated-figure extractors (pure functions, no file I/O).

Both extractors report rows located in the notice: which problem a sentence belongs to, whether
a match sits inside a quotation or a book title (where words are cited, not reported), and the
nullable integer columns of their frames.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
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


class ProblemIndex:
    """Which problem holds a position or a sentence, in logarithmic time per question.

    ``spans`` are sorted by (start, end) as :func:`problem_spans` returns them; among the spans
    starting at or before a position, the first one reaching past a given end is the first at which
    the running maximum of the ends does, so two bisections answer what a scan of every span would.
    """

    def __init__(self, spans: list[ProblemSpan]) -> None:
        self.spans = spans
        self.starts = [ps for ps, _, _ in spans]
        self.reach: list[int] = []  # running maximum of the ends
        for _, pe, _ in spans:
            self.reach.append(max(pe, self.reach[-1]) if self.reach else pe)

    def _first(self, start_at_most: int, end_at_least: int) -> int | None:
        """Index of the first span with start <= ``start_at_most`` and end >= ``end_at_least``."""
        k = bisect_right(self.starts, start_at_most)
        i = bisect_left(self.reach, end_at_least, 0, k)
        return i if i < k else None

    def holds(self, pos: int) -> bool:
        """Whether some problem's span holds ``pos`` (start <= pos < end)."""
        return self._first(pos, pos + 1) is not None

    def holding(self, pos: int) -> object:
        """Problem number of the first span with start <= pos < end (None when there is none)."""
        i = self._first(pos, pos + 1)
        return None if i is None else self.spans[i][2]

    def problem_of(self, s: int, e: int, pos: int) -> object:
        """Problem whose span holds the sentence ``s:e`` (or, failing that, the match position)."""
        i = self._first(s, e)
        return self.spans[i][2] if i is not None else self.holding(pos)


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
