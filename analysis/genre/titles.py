"""Book titles: a cited document, law or publication written between 《 and 》.

The one definition, used wherever a notice's text is read for citations: the parser's
``cites_document`` feature, the specificity count ``n_documents`` and the figure extractor (which
masks titles so that a title's own numbers are not read as counts).

A title is 1 to ``MAX_TITLE_CHARS`` characters between 《 and 》, with no 《, 》 or line break
inside (a title nested in a title is written 〈…〉, and a title is written on one line).

Why 100 characters: the titles cited in the sample notices are all under 50 characters, and
even the long titles of central documents stay under about 60 (the 2019 decision of the Fourth
Plenum on the national governance system has 47), so 100 leaves room for a forwarded document's
title (关于转发〈…〉的通知) while an unclosed 《 cannot pair with a 》 more than a long sentence
away. The three former copies used 80 (parser), 100 (specificity) and 150 (extractor).
"""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 100
OPEN, CLOSE = "《", "》"

TITLE_PATTERN = rf"{OPEN}[^{OPEN}{CLOSE}\n]{{1,{MAX_TITLE_CHARS}}}{CLOSE}"
"""Regex of one book title, brackets included (no groups: embed it in other patterns)."""

TITLE_RX = re.compile(TITLE_PATTERN)


def find_titles(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every book title in ``text``, brackets included, left to right."""
    return [m.span() for m in TITLE_RX.finditer(text or "")]


def cites_title(text: str) -> bool:
    """Whether ``text`` contains a book title."""
    return TITLE_RX.search(text or "") is not None


def mask_titles(text: str, fill: str = " ") -> str:
    """``text`` with each book title replaced by ``fill`` repeated to its length (offsets kept)."""
    return TITLE_RX.sub(lambda m: fill * len(m.group(0)), text)
