"""Person names in notices, and stable pseudonyms for exports and charts.

Notices name individuals (disciplined officials, leaders who chaired meetings). A name is
taken to be a surname from ``data/surnames.txt`` plus one or two characters, in a context that
marks a person: followed by 同志/书记/主任/… (吴某同志, 张某书记) or preceded by a post
(联络员/副主任/书记/负责人…) — and not a common word in the segmenter's dictionary unless that
dictionary tags it as a person name (``nr``). The warehouse keeps the originals; exports and
charts with ``--pseudonymize`` replace each name with a stable pseudonym such as ``[人员3F2A]``.

The titles, posts and other cue words are in ``data/person_name_cues.csv``. The dictionary is
jieba's main one, read through a private tokenizer, so jieba's global segmenter is never touched.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache, lru_cache

import pandas as pd

from analysis.tokens.segment import import_jieba
from analysis.vocab import load_lines, load_table

CUES = "person_name_cues.csv"


@cache
def _cues(kind: str) -> tuple[str, ...]:
    """Words of one kind of ``data/person_name_cues.csv``, in file order (none is a data error)."""
    df = load_table(CUES)
    values = tuple(df.loc[df["kind"] == kind, "value"])
    if not values:
        raise KeyError(f"{CUES} has no rows of kind {kind!r}")
    return values


@lru_cache(maxsize=1)
def _name_rx() -> re.Pattern:
    """Surname + one or two characters, before a title or after a post (longest cue words first)."""
    sur = load_lines("surnames.txt")
    compound = [s for s in sur if len(s) > 1]
    single = "".join(s for s in sur if len(s) == 1)
    surname = "(?:" + "|".join(compound) + f"|[{single}])"
    after = "|".join(sorted(_cues("title_after"), key=len, reverse=True))
    before = "|".join(sorted(_cues("post_before"), key=len, reverse=True))
    end = "|".join(_cues("post_name_end"))
    given = r"[\u4e00-\u9fff]{1,2}?"
    return re.compile(
        rf"(?P<a>{surname}{given})(?=(?:{after}))"
        rf"|(?:{before})(?P<b>{surname}[\u4e00-\u9fff]{{1,2}}?)(?={end})")


@lru_cache(maxsize=1)
def _dictionary_tags() -> dict[str, str]:
    """POS tags of jieba's main dictionary, from a private tokenizer: jieba's global one is left alone."""
    jieba = import_jieba()
    return dict(jieba.posseg.POSTokenizer(jieba.Tokenizer()).word_tag_tab)


@lru_cache(maxsize=1)
def _compound_surnames() -> frozenset[str]:
    return frozenset(s for s in load_lines("surnames.txt") if len(s) > 1)


def _is_word(s: str) -> bool:
    tag = _dictionary_tags().get(s)
    return tag is not None and not tag.startswith("nr")


def _plausible(name: str) -> bool:
    if "X" in name or "某" in name[1:]:
        return False
    compound = name[:2] in _compound_surnames()
    if _is_word(name) or (len(name) == 3 and not compound and (_is_word(name[:2]) or _is_word(name[1:]))):
        return False
    if any(c in name[1:] for c in _cues("not_in_given_name_chars")[0]):
        return False
    return True


def _trim_left(text: str, start: int, name: str) -> tuple[int, str]:
    """随后吴某同志: a leading character that forms a word with the one before it is not the surname."""
    if len(name) == 3 and start > 0 and _is_word(text[start - 1:start + 1]):
        return start + 1, name[1:]
    return start, name


def find_person_names(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of each person name found in ``text``."""
    out = []
    for m in _name_rx().finditer(text):
        g = "a" if m.group("a") else "b"
        start, name = _trim_left(text, m.start(g), m.group(g))
        if _plausible(name):
            out.append((start, m.end(g), name))
    return out


def pseudonym(name: str) -> str:
    """Stable pseudonym for a name (same name → same pseudonym in every export)."""
    return f"[人员{hashlib.sha256(name.encode('utf-8')).hexdigest()[:4].upper()}]"


def pseudonymize_text(text: str, names: set[str] | None = None) -> str:
    """Replace every person name (found in this text, plus ``names``) by its pseudonym."""
    if not isinstance(text, str) or not text:
        return text
    found = {n for _, _, n in find_person_names(text)} | (names or set())
    for n in sorted(found, key=len, reverse=True):
        text = text.replace(n, pseudonym(n))
    return text


def pseudonymize_frame(df: pd.DataFrame, names: set[str]) -> pd.DataFrame:
    """A copy of ``df`` whose string columns have every name in ``names`` pseudonymised."""
    out = df.copy()
    if not names:
        return out
    rx = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    for c in out.columns:
        if out[c].dtype == object or str(out[c].dtype).startswith("string"):
            out[c] = out[c].map(lambda v: rx.sub(lambda m: pseudonym(m.group(0)), v) if isinstance(v, str) else v)
    return out


def corpus_names(con) -> set[str]:
    """Every person name found in the warehouse's documents."""
    names: set[str] = set()
    for (text,) in con.execute("select text from documents").fetchall():
        names |= {n for _, _, n in find_person_names(text)}
    return names
