"""Find person names where the genre puts them.

Notices name people in a handful of places, and the finder reads each of them, strongest evidence
first (the vocabulary is in ``data/person_name_cues.csv``):

1. ``SLOT``: the discipline grammar's slots — 对…进行诫勉谈话, 给予…党内警告处分, …被…, …作出检查,
   约谈…同志 — hold a list of names, each perhaps after a post (对村党支部书记刘某、村委会主任孙某进行…).
   The whole stretch must read as such a list, so every member is taken, also a name whose parts are
   words (刘建国, 王国庆) or that is a word (高峰), while a unit (王庄村党支部, 李家社区) or a generic
   noun (党员, 班子) reads as no list;
2. ``TITLE``: a title after a name (吴某同志, 张某书记, 孙某、马某同志), the clause before it read as a
   list, else the name whose start is a word boundary of the tagger;
3. ``SUBJECT``: the subject of a violation or a meeting (经查，赵某违规…, 由王某负责…), read as a list,
   and a name listed after a name found after a post;
4. ``CUE``: a post or an anchor before a name (联络员李某, 组长：王某, 经查，…); the name's end is a cue
   (进行, 同志, 违规, punctuation…) or the tagger reads the name as one word;
5. ``TAGGER``: a name of three characters or more the tagger proposes on its own (``nr``), unknown to
   its dictionary.

Everywhere a candidate is a surname plus one or two characters (:func:`~.vocabulary.name_shaped`) not
followed by a place or organisation ending (王庄村, 于都县); :func:`accepted` says which dictionary
words each level may take (程序, 马上 never; 张贴, 高峰 only in a slot or before a title). Sentences are
read one at a time and cached: boilerplate repeats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

from analysis.genre.sentences import PIECE_BREAK_CLASS, PIECE_BREAKS, class_body
from analysis.outputs.privacy.vocabulary import (
    Status,
    cues,
    discipline_rx,
    given_name,
    name_lengths,
    name_shaped,
    status,
    tag,
    words_rx,
)

SLOT, TITLE, SUBJECT, CUE, TAGGER = range(5)  # levels of evidence, strongest first (module docstring)

MAX_LIST = 60  # characters of a list of names with their posts
# The finder reads a text piece by piece (sentences and clauses, as analysis.genre.sentences splits them).
_PIECE = re.compile(rf"[^{PIECE_BREAK_CLASS}]+[{PIECE_BREAK_CLASS}]*|[{PIECE_BREAK_CLASS}]+")


@dataclass(frozen=True)
class Hit:
    """A name found at [start, end) of a sentence, with the level of evidence for it."""

    start: int
    end: int
    name: str
    level: int


# ------------------------------------------------------------------------------------ vocabulary

@cache
def clause_marks() -> str:
    """Every character after which a clause starts: sentence and clause marks, commas, colons…"""
    return PIECE_BREAKS + "".join(cues("clause_mark"))


def _fill(pattern: str) -> str:
    """A slot regex of the data file with its placeholders replaced."""
    stop = class_body(clause_marks() + "".join(cues("not_in_list_chars")))
    names = rf"(?P<names>[^{stop}\s]{{2,{MAX_LIST}}}?)"
    return (pattern.replace("{NAMES}", names)
            .replace("{CLAUSE}", f"(?<![^{class_body(clause_marks())}])")
            .replace("{ACTION}", discipline_rx("action"))
            .replace("{GOV}", discipline_rx("governor") + "|" + discipline_rx("weak_governor"))
            .replace("{FILLER}", discipline_rx("filler"))
            .replace("{PASSIVE}", discipline_rx("passive")))


@cache
def _slots() -> tuple[tuple[re.Pattern, int], ...]:
    """(regex, level) of every slot: the discipline slots, then the subject slots."""
    return (tuple((re.compile(_fill(p)), SLOT) for p in cues("slot"))
            + tuple((re.compile(_fill(p)), SUBJECT) for p in cues("subject_slot")))


def _any(patterns: tuple[str, ...]) -> str:
    """An alternation of regexes, each kept whole."""
    return "|".join(f"(?:{p})" for p in patterns)


@dataclass(frozen=True)
class _Patterns:
    """The finder's regexes other than the slots, built once from the cue words."""

    title: re.Pattern          # a title after a name (同志, 书记…)
    title_end: re.Pattern      # a title ending a stretch
    before: re.Pattern         # an anchor, or a post and perhaps a colon: a name may follow
    end: re.Pattern            # what may follow a name
    separator: re.Pattern      # what joins the names of a list
    separator_end: re.Pattern  # a separator ending a stretch
    prefix_end: re.Pattern     # what may stand before a listed name: a post, a title or a lead-in word
    org: re.Pattern            # a place or organisation ending


@cache
def _patterns() -> _Patterns:
    titles, posts = words_rx(cues("title_after")), words_rx(cues("post_before"))
    separators = _any(cues("separator"))
    return _Patterns(
        title=re.compile(titles),
        title_end=re.compile(f"(?:{titles})$"),
        before=re.compile(f"{_any(cues('anchor'))}|(?:{posts})[：:]?"),
        end=re.compile(_any(cues("name_end"))),
        separator=re.compile(separators),
        separator_end=re.compile(f"(?:{separators})$"),
        prefix_end=re.compile(f"(?:{words_rx(cues('post_before') + cues('title_after'))}|{_any(cues('lead_in'))})$"),
        org=re.compile(words_rx(cues("org_after"))),
    )


# ------------------------------------------------------------------------------------ decisions

def accepted(name: str, level: int, titled: bool = False) -> bool:
    """Whether a name-shaped candidate is taken at this level of evidence (*titled*: a title such as
    同志 follows it). A dictionary word is taken only in a discipline slot and before a title (对益华同志
    进行…); a name that is also a word (高峰, 王府井), or whose surname and first given character form a
    word (王国庆), in a slot or before a title; other names anywhere but from the tagger alone, which
    must propose three characters or more."""
    st = status(name)
    if st is Status.WORD:
        return level == SLOT and titled
    if level >= CUE and len(name) == 3 and given_name(name) == name[1:] and status(name[:2]) is Status.WORD:
        return False  # 幸福|感, 常态|化, 王国|庆: read so only in a slot or before a title
    if st is Status.NAME_WORD:
        return level <= TITLE
    return level <= CUE or (st is Status.NEW and len(name) >= 3)


def _org_follows(s: str, end: int) -> bool:
    """A place or organisation ending follows (王庄|村), unless it begins a title (王某|局长)."""
    return bool(_patterns().org.match(s, end)) and not _patterns().title.match(s, end)


class _Sentence:
    """One sentence with its tagger output, computed when first needed."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def tokens(self) -> dict[int, tuple[int, str]]:
        """start -> (end, POS) of each tagger word."""
        out, pos = {}, 0
        for w, t in tag(self.text):
            out[pos] = (pos + len(w), t)
            pos += len(w)
        return out

    @cached_property
    def ends(self) -> frozenset[int]:
        return frozenset(e for e, _ in self.tokens.values())

    def aligned(self, start: int, end: int) -> bool:
        return start in self.tokens and end in self.ends

    def word_inside(self, start: int, end: int) -> bool:
        """The tagger reads a word from the surname at *start* to inside [start, end) (包联|户, 王国|庆;
        not 诸葛|琳, where the word is the surname)."""
        first = self.tokens.get(start)
        surname = (end - start) - len(given_name(self.text[start:end]) or "")
        return first is not None and start + surname < first[0] < end

    def tagger_names(self, start: int, end: int) -> bool:
        """The tagger reads [start, end) as one name (``nr``)."""
        first = self.tokens.get(start)
        return first is not None and first[0] == end and first[1].startswith("nr")


# ------------------------------------------------------------------------------------ lists in a slot

@lru_cache(maxsize=50_000)
def _parse_list(region: str) -> tuple[tuple[int, str], ...] | None:
    """Read *region* as [prefix] NAME [title] (SEPARATOR [post] NAME [title])*; (offset, name) of each
    member, or None when it does not read so. A prefix ends in a post or a lead-in word (村党支部书记…,
    其中…, …的); members are tried from the end, so the list's structure decides each name's length
    (cached: the same stretch recurs, and the recursion visits each shorter stretch once)."""
    title = _patterns().title_end.search(region)
    body = region[:title.start()] if title else region
    for size in (4, 3, 2):
        start = len(body) - size
        name = body[start:]
        if start < 0 or size not in name_lengths(body, start) or not name_shaped(name):
            continue
        before = body[:start]
        for sep in reversed(list(_patterns().separator.finditer(before))):
            post = before[sep.end():]
            if post and not _patterns().prefix_end.search(post):
                continue
            earlier = _parse_list(before[:sep.start()]) if sep.start() > 0 else None
            if earlier is not None:
                return (*earlier, (start, name))
        if not before or _patterns().prefix_end.search(before):
            return ((start, name),)
    return None


def _slot_hits(s: _Sentence) -> list[Hit]:
    out = []
    for rx, level in _slots():
        pos = 0
        while (m := rx.search(s.text, pos)) is not None:
            for off, name in _parse_list(m.group("names")) or ():
                start = m.start("names") + off
                end = start + len(name)
                if accepted(name, level, titled=bool(_patterns().title.match(s.text, end))) \
                        and not _org_follows(s.text, end):
                    out.append(Hit(start, end, name, level))
            pos = m.start() + 1
    return out


# ------------------------------------------------------------------------------------ titles, posts

def _backward(s: _Sentence, end: int, level: int) -> Hit | None:
    """The name ending at *end*: the longest candidate whose start is a word boundary of the tagger
    (随后|赵某, not 随|后赵某)."""
    t = s.text
    for size in (4, 3, 2):
        start = end - size
        if start < 0 or size not in name_lengths(t, start):
            continue
        name = t[start:end]
        if not name_shaped(name) or not accepted(name, level):
            continue
        if start in s.tokens:
            return Hit(start, end, name, level)
    return None


def _title_hits(s: _Sentence) -> list[Hit]:
    """Names before a title: the clause before it read as a list, else the name right before it and
    the names listed before that one (孙某、马某、郑某同志)."""
    t, out = s.text, []
    for m in _patterns().title.finditer(t):
        lo = max(0, m.start() - MAX_LIST - 1)
        clause = max(t.rfind(c, lo, m.start()) for c in clause_marks()) + 1
        members = _parse_list(t[clause:m.start()]) if clause or lo == 0 else None
        if members:
            out += [Hit(clause + o, clause + o + len(n), n, TITLE) for o, n in members if accepted(n, TITLE)]
            continue
        hit = _backward(s, m.start(), TITLE)
        while hit is not None:
            out.append(hit)
            sep = _patterns().separator_end.search(t, max(0, hit.start - 4), hit.start)
            hit = _backward(s, sep.start(), TITLE) if sep else None
    return out


def _forward(s: _Sentence, start: int, level: int) -> Hit | None:
    """The name starting at *start*, longest first: one followed by an end cue or a title (after a
    post, not when the tagger reads a word from its surname to inside it: 干部包联|户的), else one the
    tagger reads as a name."""
    t = s.text
    if _patterns().separator.match(t, start):
        return None  # 居民和产权单位: a conjunction, not the surname 和
    sizes = [n for n in name_lengths(t, start) if start + n <= len(t) and name_shaped(t[start:start + n])]
    for cued in (True, False):
        for size in sizes:
            end, name = start + size, t[start:start + size]
            titled = bool(_patterns().title.match(t, end))
            if cued and not (titled or _patterns().end.match(t, end)):
                continue
            if _org_follows(t, end) or not accepted(name, TITLE if titled else level):
                continue
            if (cued and (titled or level <= SUBJECT or not s.word_inside(start, end))) \
                    or s.tagger_names(start, end):
                return Hit(start, end, name, level)
    return None


def _cue_hits(s: _Sentence) -> list[Hit]:
    """Names after a post or an anchor (联络员李某, 组长：王某、赵某, 经查，…) and the list they start (a
    name listed after a name is read as a subject is: 组员：单某、蓝天某)."""
    t, out = s.text, []
    for m in _patterns().before.finditer(t):
        hit = _forward(s, m.end(), CUE)
        while hit is not None:
            out.append(hit)
            after = hit.end
            if title := _patterns().title.match(t, after):
                after = title.end()
            sep = _patterns().separator.match(t, after)
            hit = _forward(s, sep.end(), SUBJECT) if sep else None
    return out


def _tagger_hits(s: _Sentence) -> list[Hit]:
    """Three- and four-character names the tagger proposes that its dictionary does not know."""
    out = []
    for start, (end, pos) in s.tokens.items():
        name = s.text[start:end]
        if pos.startswith("nr") and end - start >= 3 and name_shaped(name) and accepted(name, TAGGER) \
                and not _org_follows(s.text, end):
            out.append(Hit(start, end, name, TAGGER))
    return out


# ------------------------------------------------------------------------------------ the finder

@lru_cache(maxsize=200_000)
def _in_sentence(text: str) -> tuple[Hit, ...]:
    """The names of one sentence, strongest evidence first, without overlaps."""
    s = _Sentence(text)
    hits = _slot_hits(s) + _title_hits(s) + _cue_hits(s) + _tagger_hits(s)
    taken, used = [], bytearray(len(text))
    for h in sorted(hits, key=lambda h: (h.level, h.start - h.end, h.start)):
        if not any(used[h.start:h.end]):
            taken.append(h)
            used[h.start:h.end] = b"\x01" * (h.end - h.start)
    return tuple(sorted(taken, key=lambda h: h.start))


def word_aligned(text: str, start: int, end: int) -> bool:
    """[start, end) of *text* begins and ends at word boundaries of the tagger, read in its sentence
    (扩张|明显 does not hold the name 张明; 随后|赵某|同志 holds 赵某)."""
    lo, hi = max(0, start - 100), min(len(text), end + 100)  # the sentence, or 100 characters either side
    a = max(max(text.rfind(c, lo, start) for c in PIECE_BREAKS) + 1, lo)
    b = min((i for i in (text.find(c, end, hi) for c in PIECE_BREAKS) if i >= 0), default=hi)
    s = _sentence(text[a:b])
    return s.aligned(start - a, end - a)


@lru_cache(maxsize=20_000)
def _sentence(text: str) -> _Sentence:
    return _Sentence(text)


def trim_tagger_hits(hits: list[Hit], known: set[str] | frozenset[str]) -> list[Hit]:
    """A name the tagger proposed alone that is a *known* name plus one character loses that character
    (王强同志主持会议，会后王强作总结: the tagger reads 王强作)."""
    return [Hit(h.start, h.end - 1, h.name[:-1], h.level) if h.level == TAGGER and h.name[:-1] in known else h
            for h in hits]


def find_hits(text: str) -> list[Hit]:
    """Every name found in *text*, with offsets into *text*."""
    out = []
    for m in _PIECE.finditer(text):
        out += [Hit(m.start() + h.start, m.start() + h.end, h.name, h.level) for h in _in_sentence(m.group())]
    return trim_tagger_hits(out, {h.name for h in out if h.level < TAGGER})


def find_person_names(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of each person name found in *text*."""
    if not isinstance(text, str) or not text:
        return []
    return [(h.start, h.end, h.name) for h in find_hits(text)]
