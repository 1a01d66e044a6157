"""Test helper shared by the test files that check headings against the text they were cut from
(or against hand-written expectations): a key that ignores width and punctuation."""

from __future__ import annotations

import re
import unicodedata

_PUNCT_FOR_COMPARE = re.compile(r"[\s\"'“”‘’。.,，、:：;；()（）]")


def compare_key(s: str | None) -> str:
    """Width- and punctuation-insensitive key used to compare headings."""
    if s is None:
        return ""
    return _PUNCT_FOR_COMPARE.sub("", unicodedata.normalize("NFKC", s))
