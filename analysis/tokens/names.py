"""Names stay whole: the per-build lexicon of place and organisation names, applied to jieba's tokens.

The lexicon has two parts.

- **Gazetteer part** (the same for every document of a build): every province, city and county
  name of :mod:`analysis.notice.metadata.gazetteer`, with and without its suffix (天津市 and 天津,
  滨海新区, 和平区 and 和平…), tag ``ns``. The gazetteer has no towns or streets; those come
  from the corpus part.
- **Corpus part** (read from the document itself): names the notice states — a stem followed by an
  ending of ``analysis/data/name_rules.csv`` (某某街道, 某某社区, 某某村, 某某镇, 某某区, bureaus
  ending in 局/委/办), read from the document's own tokens, plus the document's metadata (its unit,
  district, city and issuer from ``documents``). A stem is either the one token before the ending
  when jieba tags it as a proper name (ns, nz, nr, j…; 泰达 + 街道) or a run of one-character
  tokens (灵 秀 + 社区, 经 开 + 区) that are neither function words nor listed exclusions (本村,
  各社区, 全区 are not names). Two adjacent one-character verbs (jieba tag ``v``; the rules' kind
  ``verb_pair``), the ending included when it is one character, are a compound verb the dictionary
  lacks, not part of a name: the stem starts after them (包 挂 + 社区 "assigned to a community" and
  滨 城 通 + 办 "handled in one place" make no name; 莲 安 + 社区 with one verb still does). Each
  name is kept with and without its ending.

Design (why the tokens stay deterministic): the lexicon is **not** added to the segmenter's
dictionary. jieba cuts the text as before; then :func:`apply_names` merges every run of
consecutive tokens whose concatenation is a name of the lexicon into one token with the name's tag
(longest name first, left to right), and retags a single token that is a name. A document's
corpus part is read from that document alone (its text and metadata), before its tokens are
written, so a document's tokens depend only on the document and the (static) gazetteer: the
result cannot depend on the number of workers, on the order of documents or on which documents
an incremental build re-parses, and no corpus-wide pass is needed. The price: a name stated in
one notice does not join the tokens of another notice that never states it with its ending.
The merge keeps every character, so tokens still concatenate to the unit's text.

What the lexicon changed is measured, not guessed: every token it made carries ``tokens.named``,
and the build's vocabulary stage records in ``analysis_runs`` (stage ``vocabulary``) a fingerprint
of the lexicon, how many tokens it made (merged or retagged), how many jieba tokens they replaced,
and the most frequent of them (:func:`analysis.pipeline.termcounts.names_report`); two builds'
records show what a change of the lexicon changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from analysis.notice.metadata.gazetteer import gazetteer, strip_city_suffix
from analysis.vocab import load_lines, load_table

RULES = "name_rules.csv"
PROPER_TAGS = frozenset({"ns", "nz", "nr", "nrt", "nrfg", "nt", "j", "x"})
STEM_TAGS = frozenset({"nz", "nrt", "nrfg", "j", "x"})  # jieba's ns and nr also tag common words (城市, 文明)
NOT_STEM_CHAR_TAGS = frozenset({"p", "c", "u", "d", "r", "m", "q", "f", "y", "e", "o", "t", "uj", "ul", "ud", "uz",
                                "ug", "uv", "mq", "x"})
MAX_NAME = 16  # characters: longer strings are not merged (issuers' full names are longer and stay as cut)
MAX_STEM = 4


@dataclass(frozen=True)
class NameRules:
    """Endings (word → (tag, shortest one-character stem)), excluded stem characters, person masks."""

    suffixes: dict[str, tuple[str, int]]
    exclude: frozenset[str]
    person_masks: frozenset[str]
    surnames: frozenset[str]
    domain: frozenset[str]  # the domain lexicon's terms (generic: never a name's stem)
    verb_tags: frozenset[str] = frozenset()  # two adjacent one-character tokens so tagged are a verb, not a stem


@lru_cache(maxsize=1)
def rules() -> NameRules:
    """The rules of ``analysis/data/name_rules.csv`` (and the function words, never a stem)."""
    t = load_table(RULES)
    suffixes = {r.word: (r.tag, int(r.min_stem)) for r in t.itertuples() if r.kind == "suffix"}
    exclude = (set(t.loc[t["kind"] == "exclude", "word"]) | set(load_lines("stopwords_function.txt"))
               | set(load_lines("stopwords_formulaic.txt")))
    exclude |= {w for w in load_table("token_kinds.csv")["word"]}
    masks = frozenset(t.loc[t["kind"] == "person_mask", "word"])
    surnames = frozenset(s for s in load_lines("surnames.txt") if len(s) == 1)
    domain = frozenset(line.split()[0] for line in load_lines("lexicon.txt"))
    verbs = frozenset(t.loc[t["kind"] == "verb_pair", "word"])
    return NameRules(suffixes, frozenset(exclude), masks, surnames, domain, verbs)


@lru_cache(maxsize=1)
def gazetteer_names() -> dict[str, str]:
    """Gazetteer part of the lexicon: full names and their short forms → ``ns``."""
    g = gazetteer()
    out: dict[str, str] = {}
    for name, codes in g.names.items():
        if len(name) > MAX_NAME:
            continue
        out[name] = "ns"
        if any(c.endswith("00") for c in codes):
            short = strip_city_suffix(name)
        else:
            short = name[:-1] if len(name) >= 3 else name
        if len(short) >= 2:
            out.setdefault(short, "ns")
    for short in g.short:
        if 2 <= len(short) <= MAX_NAME:
            out.setdefault(short, "ns")
    return out


def _is_stem_char(tok: str, tag: str, r: NameRules) -> bool:
    return (len(tok) == 1 and "\u4e00" <= tok <= "\u9fff" and tok not in r.exclude
            and tag not in NOT_STEM_CHAR_TAGS)


def _verb_pair(a: tuple[str, str], b: tuple[str, str], r: NameRules) -> bool:
    """Two one-character tokens both tagged as verbs: a compound verb (包+挂, 通+办), not a name's part."""
    return len(a[0]) == 1 and len(b[0]) == 1 and a[1] in r.verb_tags and b[1] in r.verb_tags


def _is_stem_word(tok: str, tag: str, r: NameRules) -> bool:
    """A multi-character token that may be a name's stem: a proper-name tag, or a gazetteer name."""
    if not (2 <= len(tok) <= MAX_STEM) or tok in r.exclude or tok in r.domain:
        return False
    if not all("\u4e00" <= c <= "\u9fff" for c in tok):
        return False
    return tag in STEM_TAGS or (tag == "ns" and tok in gazetteer_names())


def _drop_suffix(name: str, r: NameRules) -> str:
    for suf in sorted(r.suffixes, key=len, reverse=True):
        if name.endswith(suf) and len(name) > len(suf):
            return name[: -len(suf)]
    return name


def discover(units: Iterable[Sequence[tuple[str, str]]], meta_names: Iterable[str] = ()) -> dict[str, str]:
    """Corpus part of the lexicon for one document: names its tokens state, and its metadata names.

    ``units`` are the document's (token, tag) lists as jieba cuts them. Returns name → tag; a name
    and its stem are both kept (泰达街道 and 泰达).
    """
    r = rules()
    found: dict[str, str] = {}
    for pairs in units:
        for i, (tok, _) in enumerate(pairs):
            rule = r.suffixes.get(tok)
            if rule is None or i == 0:
                continue
            tag, min_stem = rule
            prev, prev_tag = pairs[i - 1]
            stem = ""
            if _is_stem_char(prev, prev_tag, r):
                j = i - 1
                start = i  # the stem is pairs[start:i]
                while j >= 0 and _is_stem_char(*pairs[j], r) and i - j <= MAX_STEM:
                    if _verb_pair(pairs[j], pairs[j + 1], r):
                        start = j + 2  # a compound verb ends the stem on the left
                        break
                    start = j
                    j -= 1
                stem = "".join(p[0] for p in pairs[start:i])
                if len(stem) < min_stem:
                    stem = ""
            elif _is_stem_word(prev, prev_tag, r):
                stem = prev
            if stem:
                found.setdefault(stem + tok, tag)
                found.setdefault(stem, tag)
    for name in meta_names:
        name = (name or "").strip()
        if not name or len(name) > MAX_NAME or not all("\u4e00" <= c <= "\u9fff" for c in name):
            continue
        stem = _drop_suffix(name, r)
        tag = "nt" if name.endswith(("委", "局", "办", "党委", "党组", "委员会")) else "ns"
        found.setdefault(name, tag)
        if len(stem) >= 2:
            found.setdefault(stem, tag)
    return found


@dataclass
class NameStats:
    """What the lexicon changed in a document: jieba tokens merged into names, tokens retagged."""

    merged_tokens: int = 0
    names_made: int = 0
    retagged: int = 0
    names: dict[str, int] = field(default_factory=dict)


class NameLexicon(dict):
    """name → tag, with every prefix of every name (so a merge stops at the first token that cannot
    continue a name: linear in the number of tokens, at most MAX_NAME characters looked ahead)."""

    def __init__(self, names: dict[str, str], base: NameLexicon | None = None) -> None:
        super().__init__(base or {})
        self.update(names)
        self.base_prefixes = base.prefixes if base is not None else frozenset()
        own = names if base is not None else self
        self.prefixes = frozenset(n[:k] for n in own for k in range(1, len(n) + 1))

    def can_continue(self, prefix: str) -> bool:
        return prefix in self.prefixes or prefix in self.base_prefixes


@lru_cache(maxsize=1)
def _gazetteer_lexicon() -> NameLexicon:
    return NameLexicon(gazetteer_names())


def apply_names(pairs: Sequence[tuple[str, str]], lexicon: dict[str, str], stats: NameStats | None = None
                ) -> list[tuple[str, str]]:
    """Merge runs of tokens that spell a name of ``lexicon`` (longest first, left to right).

    A single token that is a name is retagged with the name's tag only when jieba tagged it as a
    proper name or unknown (PROPER_TAGS), so a common word that is also a county's short form
    (和平, 城关) keeps its dictionary reading. A surname followed by a masking word (张 + 某某) is
    merged into one person token (``nr``).
    """
    r = rules()
    lex = lexicon if isinstance(lexicon, NameLexicon) else NameLexicon(lexicon)
    out: list[tuple[str, str]] = []
    i, n = 0, len(pairs)
    while i < n:
        best = 0
        tag = ""
        name = ""
        j = i
        while j < n:
            name += pairs[j][0]
            if len(name) > MAX_NAME or not lex.can_continue(name):
                break
            j += 1
            if j - i >= 2:
                t = lex.get(name)
                if t is not None:
                    best, tag = j, t
        if best:
            name = "".join(p[0] for p in pairs[i:best])
            out.append((name, tag))
            if stats is not None:
                stats.merged_tokens += best - i
                stats.names_made += 1
                stats.names[name] = stats.names.get(name, 0) + 1
            i = best
            continue
        tok, t = pairs[i]
        if tok in r.surnames and i + 1 < n and pairs[i + 1][0] in r.person_masks:
            out.append((tok + pairs[i + 1][0], "nr"))
            if stats is not None:
                stats.merged_tokens += 2
                stats.names_made += 1
            i += 2
            continue
        nt = lex.get(tok)
        if nt is not None and nt != t and t in PROPER_TAGS:
            out.append((tok, nt))
            if stats is not None:
                stats.retagged += 1
        else:
            out.append((tok, t))
        i += 1
    return out


def document_lexicon(units: Iterable[Sequence[tuple[str, str]]], meta_names: Iterable[str] = ()) -> NameLexicon:
    """The lexicon applied to one document: the gazetteer part, then the document's own names."""
    return NameLexicon(discover(units, meta_names), base=_gazetteer_lexicon())


def lexicon_fingerprint() -> dict:
    """Version and size of the lexicon's parts (what a change of the lexicon changes)."""
    import hashlib

    from analysis.vocab import data_path

    h = hashlib.sha256()
    for name in (RULES, "lexicon.txt", "single_char_content.txt", "token_kinds.csv", "stopwords_function.txt",
                 "stopwords_formulaic.txt"):
        h.update(data_path(name).read_bytes())
    g = gazetteer_names()
    h.update("\n".join(sorted(g)).encode())
    return {"sha256": h.hexdigest()[:16], "gazetteer_names": len(g)}
