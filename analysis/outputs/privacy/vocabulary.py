"""The name finder's vocabulary: cue words, surnames, the dictionary's words and a private tagger.

Everything here is read from data files: the cues of ``data/person_name_cues.csv``, the surnames of
``data/surnames.txt``, the action phrasings of ``data/discipline_actions.csv`` (one definition of the
discipline grammar for the whole project) and jieba's main dictionary ``dict.txt`` (the words that
shape like a name but are not one). The tagger is a private ``rjieba.Jieba`` instance with its HMM on,
so it proposes out-of-vocabulary names (``nr``) without touching the segmenter the build uses.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cache

import rjieba

from analysis.vocab import load_lines, load_table, package_file

CUES = "person_name_cues.csv"
SURNAMES = "surnames.txt"
DISCIPLINE = "discipline_actions.csv"

CJK = re.compile(r"[\u4e00-\u9fff]+")


class Status(Enum):
    """What jieba's dictionary says about a candidate name."""

    NEW = "new"              # not a dictionary word: most names (王强, 赵志刚)
    NAME = "name"            # a rare dictionary name of three or more characters (刘建国, 陈建华)
    NAME_WORD = "name_word"  # tagged as a name but short or frequent, often a word too (高峰, 张贴, 王府井)
    WORD = "word"            # an ordinary dictionary word (程序, 马上, 常态…)


RARE_NAME_FREQ = 100
"""Dictionary names of three characters or more rarer than this are people (刘建国 3, 张志刚 8); the
frequent ones are as often places and things (王府井 183, 黄金周 1407, 张家口 303)."""


@cache
def cues(kind: str) -> tuple[str, ...]:
    """Values of one kind of ``person_name_cues.csv``, in file order (no row of the kind is a data error)."""
    df = load_table(CUES)
    values = tuple(df.loc[df["kind"] == kind, "value"])
    if not values:
        raise KeyError(f"{CUES} has no rows of kind {kind!r}")
    return values


def words_rx(words: tuple[str, ...]) -> str:
    """A regex alternation of literal *words*, longest first (so 副主任 wins over 主任)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def discipline_rx(kind: str) -> str:
    """The alternation of the regexes of one kind of ``discipline_actions.csv`` (action, governor…)."""
    df = load_table(DISCIPLINE)
    patterns = [p for p in df.loc[df["kind"] == kind, "pattern"] if p]
    if not patterns:
        raise KeyError(f"{DISCIPLINE} has no rows of kind {kind!r}")
    return "|".join(f"(?:{p})" for p in patterns)


@cache
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """(compound surnames, single-character surnames)."""
    names = load_lines(SURNAMES)
    return frozenset(s for s in names if len(s) > 1), frozenset(s for s in names if len(s) == 1)


@cache
def not_given_chars() -> frozenset[str]:
    """Characters never in the given name of a match."""
    return frozenset("".join(cues("not_in_given_name_chars")))


@cache
def not_names() -> frozenset[str]:
    return frozenset(cues("not_a_name"))


@cache
def dictionary() -> dict[str, Status]:
    """The status of the words of jieba's main dictionary the finder asks about: every two-character
    word, and the three- and four-character words that start with a surname (read from the file:
    jieba's prefix dictionary also lists every prefix of a word, which are not words)."""
    compound, single = surnames()
    out: dict[str, Status] = {}
    with open(package_file("jieba", "dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) != 3:
                continue
            w, freq, pos = parts
            if len(w) == 2 or (len(w) in (3, 4) and (w[0] in single or w[:2] in compound)):
                if not pos.startswith("nr"):
                    out[w] = Status.WORD
                elif len(w) >= 3 and int(freq) < RARE_NAME_FREQ:
                    out[w] = Status.NAME
                else:
                    out[w] = Status.NAME_WORD
    return out


def status(name: str) -> Status:
    """Whether *name* is unknown to the dictionary, a dictionary name, a name that is also a word, or a word."""
    return dictionary().get(name, Status.NEW)


def given_name(name: str) -> str | None:
    """The given name of *name* (after a compound or single surname), None when *name* has no surname."""
    compound, single = surnames()
    if name[:2] in compound and len(name) > 2:
        return name[2:]
    if name[:1] in single:
        return name[1:]
    return None


def name_shaped(name: str) -> bool:
    """A surname plus one or two Chinese characters, none of them a function word, the placeholder of
    an anonymised name or a part of a post or body, and not a word of ``not_a_name``."""
    given = given_name(name)
    if not given or len(given) > 2 or not CJK.fullmatch(name) or name in not_names():
        return False
    return not any(c in not_given_chars() for c in given)


def name_lengths(s: str, at: int) -> tuple[int, ...]:
    """Lengths a name starting at *at* of *s* may have, longest first."""
    compound, _ = surnames()
    return (4, 3, 2) if s[at:at + 2] in compound else (3, 2)


@cache
def tagger() -> rjieba.Jieba:
    """A private jieba-rs instance (main dictionary only): its tags never depend on the build's lexicon."""
    return rjieba.Jieba()


def tag(sentence: str) -> list[tuple[str, str]]:
    """(word, POS) pairs of *sentence*, HMM on (so unknown names come out as one ``nr`` word)."""
    return tagger().tag(sentence, True)
