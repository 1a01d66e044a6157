"""The kind of every token: what a comparison may use it as.

Kinds (``tokens.kind``, ``vocabulary.kind``; the first rule that applies wins):

1. ``placeholder`` — only masking characters (X, XX, ××, ○○; ``placeholder_chars.txt``);
2. ``punctuation`` — only whitespace, punctuation or symbols (normally dropped before this);
3. ``date`` — numerals with a calendar unit (二三年, 3月份) or a number token followed by one
   (2023 年, 11 月: both tokens), ``token_kinds.csv``;
4. ``number`` — digits or Chinese numerals, optionally with an affix (第三, 十余, 5万), or a POS ``m``
   token containing a digit or numeral (5万元);
5. ``function`` — ``stopwords_function.txt``; ``formulaic`` — ``stopwords_formulaic.txt``;
6. ``place`` — a gazetteer name, a name ending like a place (莲安社区, 经开区), or a token the name
   lexicon of :mod:`analysis.tokens.names` retagged or merged; ``organisation`` — POS ``nt`` ending like
   a bureau (民政局) or made by the name lexicon. jieba's own ns/nt tags alone are not enough (美丽,
   城市 are ns; 党组织 is nt); the domain lexicon's generic types (党支部, 巡察组) stay content words;
7. ``person`` — POS ``nr…``: a surname with a masking word (张某某) or a full name (POS ``nrfg``);
   jieba's plain ``nr`` also tags common words (杜绝, 智慧), which stay content words;
8. a single character is ``content`` only if it is in ``single_char_content.txt`` (案, 款…),
   otherwise ``function`` (fragments and debris: 安, 街, 场, 次);
9. ``content`` — everything else.

Every comparison (keyness, clusters, category centroids) keeps ``content`` tokens by default; its
``kinds`` parameter adds others.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from analysis.genre.numerals import CN_NUMERAL_CHARS
from analysis.schema.tables import TOKEN_KINDS
from analysis.tokens.names import gazetteer_names, rules
from analysis.tokens.segment import segment_text
from analysis.vocab import load_lines, load_table

KINDS = TOKEN_KINDS
CONTENT = ("content",)


@lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str], frozenset[str],
                       frozenset[str], frozenset[str]]:
    t = load_table("token_kinds.csv")
    units = frozenset(t.loc[t["kind"] == "date_unit", "word"])
    affix = frozenset(t.loc[t["kind"] == "number_affix", "word"])
    single = frozenset(load_lines("single_char_content.txt"))
    func = frozenset(load_lines("stopwords_function.txt"))
    form = frozenset(load_lines("stopwords_formulaic.txt"))
    lex = frozenset(line.split()[0] for line in load_lines("lexicon.txt"))
    surn = frozenset(load_lines("surnames.txt"))
    return units, affix, single, func, form, lex, surn


@lru_cache(maxsize=1)
def _placeholder_chars() -> frozenset[str]:
    return frozenset(load_lines("placeholder_chars.txt"))


def is_placeholder(token: str) -> bool:
    """A token made only of masking characters (X, XX, ××, ○○…)."""
    chars = _placeholder_chars()
    return bool(token) and all(c in chars for c in token)


_DIGITS = frozenset("0123456789０１２３４５６７８９" + CN_NUMERAL_CHARS)
_NUM_EXTRA = frozenset(".．%％‰")


def is_numeral(token: str) -> bool:
    """Digits or Chinese numerals (with 第/余/多/万… affixes, decimal point, per cent)."""
    _, affix, *_ = _tables()
    if not token or not any(c in _DIGITS for c in token):
        return False
    return all(c in _DIGITS or c in _NUM_EXTRA or c in affix for c in token)


def _is_punct(token: str) -> bool:
    return all(c.isspace() or unicodedata.category(c)[0] in "PSZ" for c in token)


def _date_unit_suffix(token: str, units: frozenset[str]) -> bool:
    for u in units:
        if token.endswith(u) and len(token) > len(u) and is_numeral(token[: -len(u)]):
            return True
    return False


@lru_cache(maxsize=500_000)
def token_kind(token: str, pos: str | None) -> str:
    """Kind of one token out of context (a number followed by 年 is a date: see :func:`unit_kinds`)."""
    units, _, single, func, form, lex, surn = _tables()
    pos = pos or ""
    if is_placeholder(token):
        return "placeholder"
    if not token or _is_punct(token):
        return "punctuation"
    if _date_unit_suffix(token, units):
        return "date"
    if is_numeral(token) or (pos.startswith("m") and any(c in _DIGITS for c in token)):
        return "number"
    if token in func:
        return "function"
    if token in form:
        return "formulaic"
    if token not in lex:
        name = _name_kind(token, pos, surn)
        if name:
            return name
    if len(token) == 1:
        return "content" if token in single else "function"
    return "content"


def dictionary_tag(token: str) -> str | None:
    """The tag jieba's dictionary (with the domain lexicon) gives ``token`` as one word, or None when
    the segmenter would cut it (a name the name lexicon merged)."""
    pairs = segment_text(token)
    return pairs[0][1] if len(pairs) == 1 else None


def _ends_like(token: str, tag: str) -> bool:
    return any(token.endswith(s) and len(token) > len(s) + 1 for s, (t, _) in rules().suffixes.items() if t == tag)


def _name_kind(token: str, pos: str, surn: frozenset[str]) -> str | None:
    """place / organisation / person, or None. jieba's own ns, nt and nr tags are not enough (it tags
    美丽 and 城市 ns, 党组织 nt, 杜绝 and 智慧 nr): a place is a gazetteer name, a name ending like a
    place (莲安社区, 经开区), or a token the name lexicon retagged or merged (its POS differs from the
    dictionary's); an organisation ends like a bureau (民政局) or was made by the name lexicon; a
    person is a full name (POS nrfg) or a surname with a masking word (张某某)."""
    if pos in ("ns", "nt", "nz", "j", "x") and _ends_like(token, "ns"):
        return "place"
    if pos == "ns" and (token in gazetteer_names() or dictionary_tag(token) != "ns"):
        return "place"
    if pos == "nt" and (_ends_like(token, "nt") or dictionary_tag(token) != "nt"):
        return "organisation"
    if pos.startswith("nr") and len(token) >= 2:
        r = rules()
        for n in (2, 1):
            head, rest = token[:n], token[n:]
            if head in surn and rest and (rest in r.person_masks or is_placeholder(rest)):
                return "person"
        if pos == "nrfg" and (token[:1] in surn or token[:2] in surn):
            return "person"
    return None


def unit_kinds(tokens: Sequence[str], pos: Sequence[str | None]) -> list[str]:
    """Kinds of one unit's tokens in order: :func:`token_kind`, then a number or numeral followed by
    a calendar unit (2023 年, 11 月) is a date, and so is a one-character unit after it. No content
    word changes kind here, so content words do not depend on context."""
    units = _tables()[0]
    out = [token_kind(t, p) for t, p in zip(tokens, pos, strict=True)]
    for i in range(1, len(tokens)):
        if tokens[i] in units and out[i - 1] in ("number", "date"):
            out[i - 1] = "date"
            if len(tokens[i]) == 1:  # 年, 月, 日; a word such as 年度, 年底 keeps its own kind
                out[i] = "date"
    return out
