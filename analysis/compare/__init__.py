"""Comparisons across groups (districts by default) of notices: categories, clusters, keyness,
boilerplate and specificity. Every function takes and returns DataFrames, reads nothing but the
packaged data files, and is deterministic.

Grouping: a ``documents`` frame maps ``doc_id`` to the column named by ``group`` (default
``'district'``); a document whose group value is null or empty, or that is missing from
``documents``, forms a group of its own named by its ``doc_id``.
"""

from __future__ import annotations

import sys
import unicodedata
from functools import cache

import numpy as np
import pandas as pd

from analysis.vocab import load_lines

DEFAULT_GROUP = "district"


def group_labels(
    documents: pd.DataFrame | None, doc_ids: pd.Series | list, group: str = DEFAULT_GROUP
) -> pd.Series:
    """Group label of each doc id in ``doc_ids`` (same order), falling back to the doc id."""
    ids = pd.Series(list(doc_ids), dtype=object).astype(str)
    if documents is None or len(documents) == 0:
        return ids.rename("group")
    if group not in documents.columns:
        raise KeyError(f"documents has no column {group!r}")
    docs = documents.drop_duplicates("doc_id")
    mapping = pd.Series(docs[group].to_numpy(dtype=object), index=docs["doc_id"].astype(str))
    vals = ids.map(mapping)
    bad = vals.isna() | (vals.astype(str).str.strip() == "")
    vals = vals.where(~bad, ids).astype(str)
    return vals.rename("group").reset_index(drop=True)


PLACEHOLDER_CHARS = "placeholder_chars.txt"


@cache
def placeholder_chars() -> str:
    """The masking characters of anonymised notices (``analysis/data/placeholder_chars.txt``)."""

    return "".join(dict.fromkeys(c for line in load_lines(PLACEHOLDER_CHARS) for c in line))


@cache
def placeholder_pattern() -> str:
    """Regular expression (Python ``re`` and RE2 alike) matching a whole token made only of
    placeholder characters; use with full-match semantics."""
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in placeholder_chars()) + "]+"


def is_placeholder(token: str) -> bool:
    """True for a token made only of masking characters (``X``, ``XX``, ``××``, ``○○``…)."""
    chars = placeholder_chars()
    return bool(token) and all(c in chars for c in token)


_DROP_STATE: dict[str, object] = {}


def drop_mask(codes):
    """For an array of code points: True where the character is whitespace or of Unicode category
    P* (punctuation), S* (symbols) or Z* (separators) — the characters that a token made only of is
    dropped by the segmenter (:func:`analysis.tokens.segment.is_word_token`) and that a sentence key leaves
    out. Classes are looked up once per distinct code point and remembered."""
    if not _DROP_STATE:
        _DROP_STATE["drop"] = np.zeros(sys.maxunicode + 1, dtype=bool)
        _DROP_STATE["known"] = np.zeros(sys.maxunicode + 1, dtype=bool)
    drop, known = _DROP_STATE["drop"], _DROP_STATE["known"]
    codes = np.asarray(codes)
    if len(codes):
        seen = np.zeros(sys.maxunicode + 1, dtype=bool)
        seen[codes] = True
        new = np.flatnonzero(seen & ~known)
        for c in new.tolist():
            ch = chr(c)
            drop[c] = ch.isspace() or unicodedata.category(ch)[0] in "PSZ"
        known[new] = True
    return drop[codes]
