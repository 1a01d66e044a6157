"""Sentences and clauses of a notice: the one definition of where a sentence ends.

In these notices (normalised by :func:`analysis.ingest.normalize.normalize_text`) a sentence ends
at a full-width end mark 。！？ or at a line break: headings (一、存在的问题), list items and
signature lines stand on their own line without a closing mark, so a line break ends a sentence
too. ``；`` only separates clauses inside a sentence (一是……；二是……), so it is a *clause* mark,
not a sentence end. A *piece* is what lies between any two sentence or clause marks; the
boilerplate comparison works on pieces, and also splits on the ASCII forms ``!?;`` because it
compares texts that may not all be normalised.

Everything here is a pure function of the text; positions are character offsets into it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

SENTENCE_END_MARKS = "。！？"
"""Marks that close a sentence (full-width, as normalised text writes them)."""

LINE_BREAK = "\n"

SENTENCE_BREAKS = SENTENCE_END_MARKS + LINE_BREAK
"""Every character after which a new sentence starts: the end marks and the line break."""

CLAUSE_MARKS = "；"
"""Marks that separate clauses inside a sentence."""

PIECE_BREAKS = SENTENCE_END_MARKS + CLAUSE_MARKS + "!?;" + LINE_BREAK
"""Every character that ends a piece (sentence or clause), ASCII forms included."""


def class_body(chars: str) -> str:
    """``chars`` written for the inside of a regex character class ``[...]``.

    The line break is written ``\\n`` so that the result can also be pasted into SQL text
    (DuckDB's ``regexp_*`` functions read the same escape).
    """
    return "".join("\\n" if c == "\n" else ("\\" + c if c in "\\]^-[" else c) for c in chars)


SENTENCE_END_CLASS = class_body(SENTENCE_END_MARKS)
"""``。！？`` for a regex character class: ``[^{SENTENCE_BREAK_CLASS}]*[{SENTENCE_END_CLASS}]?``."""

SENTENCE_BREAK_CLASS = class_body(SENTENCE_BREAKS)
"""``。！？\\n`` for a regex character class (Python ``re`` and SQL alike)."""

PIECE_BREAK_CLASS = class_body(PIECE_BREAKS)
"""The piece breaks for a regex character class."""

_SENTENCE_RX = re.compile(rf"[^{SENTENCE_BREAK_CLASS}]+[{SENTENCE_END_CLASS}]*")
_PIECE_RUNS_RX = re.compile(rf"[{PIECE_BREAK_CLASS}]+")
_PIECE_RX = re.compile(rf"[{PIECE_BREAK_CLASS}]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of ``text``, end marks included, surrounding whitespace trimmed.

    A sentence is a run of text without a sentence break, followed by its end marks (。 or ！？…);
    end marks standing alone (at the start of the text or of a line) belong to no sentence, and
    sentences that are only whitespace are dropped.
    """
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


@lru_cache(maxsize=4)
def sentence_marks(text: str) -> list[int]:
    """Positions of every sentence break of ``text`` (computed once per text; str hashes are cached)."""
    return [i for i, c in enumerate(text) if c in SENTENCE_BREAKS]


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """Bounds of the sentence around ``pos``: after the last break before it, up to the next break.

    Unlike :func:`sentence_spans` the end mark is excluded and nothing is trimmed; a position on
    a break belongs to the sentence that the break closes.
    """
    marks = sentence_marks(text)
    k = bisect_left(marks, pos)
    return (marks[k - 1] + 1 if k else 0), (marks[k] if k < len(marks) else len(text))


def split_pieces(text: str, *, merge_runs: bool = True) -> list[str]:
    """The pieces of ``text`` between sentence and clause breaks (raw, empty pieces kept).

    With ``merge_runs`` a run of breaks (。\\n) counts as one; without it every single break ends
    a piece, so that pieces can be numbered the same way whatever the text around them.
    """
    return (_PIECE_RUNS_RX if merge_runs else _PIECE_RX).split(text)
