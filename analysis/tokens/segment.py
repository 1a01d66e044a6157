"""Word segmentation of notice units with jieba and the project's domain lexicon.

Engines (parameter ``engine``):

- ``'jieba'`` — the reference. One explicit :class:`jieba.Tokenizer` instance (never jieba's global
  one) whose prefix-dictionary cache lives in a project-local directory (``$ANALYSIS_CACHE_DIR`` or
  ``./.cache/jieba``), with ``analysis/data/lexicon.txt`` loaded through the stock
  ``Tokenizer.load_userdict``.
- ``'rjieba'`` — the fast path (rjieba 0.2.2, a binding of jieba-rs, which ships the same
  ``dict.txt``): 5–10× faster end to end here (token filtering and frame building included;
  the bare cut is faster still). rjieba has no user-dictionary loader, so the lexicon is added
  with ``add_word(word, freq, tag)``. jieba-rs replaces the frequency of a word already in the main
  dictionary (``total += new - old``) where jieba adds it (``total += new``); a never-matching
  private-use entry carrying the sum of the replaced frequencies restores jieba's total, so both
  engines score every route identically. ``tests/test_segment.py`` pins this with a golden file and a
  parity check on the sample corpus.

HMM is **off** in both engines (``HMM = False``): segmentation is the maximum-probability route
through jieba's prefix-dictionary DAG (dynamic programming over unigram log-frequencies; Sun,
*jieba*, https://github.com/fxsjy/jieba), deterministic and identical in the two engines. With the
HMM on, the engines disagree (13 of the 365 lines of the sample corpus, e.g. around ``2022-2023``),
and the HMM invents out-of-vocabulary "words" from formulaic text; the domain terms that matter are
in the lexicon instead.

POS: both engines tag each token of the segmentation by dictionary lookup — jieba's
``posseg`` word-tag table (main dictionary updated with the lexicon's tags; that is what
``jieba.posseg`` does with HMM off) and jieba-rs's ``tag`` respectively; a word in no dictionary gets
jieba-rs's fallback (all ASCII digits → ``m``, ASCII letters/digits → ``eng``, else ``x``).

Tokens that are only whitespace, punctuation or symbols are dropped; one-character CJK tokens are
kept. ``position`` numbers the kept tokens 0, 1, 2… within a unit.
"""

from __future__ import annotations

import io
import threading
import unicodedata
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from analysis import paths
from analysis.schema import TABLES
from analysis.vocab import load_lines

Engine = Literal["rjieba", "jieba"]
StopLevel = Literal["none", "function", "formulaic"]

HMM = False
LEXICON = "lexicon.txt"
VOCAB_COLUMNS = TABLES["vocabulary"].column_names

# A code point that never occurs in normalised notice text; carries rjieba's total correction.
_TOTAL_PAD_WORD = "\U0010fffd"

_LOCK = threading.Lock()
_SEGMENTERS: dict[str, _Segmenter] = {}


def cache_dir() -> Path:
    """Directory of the jieba prefix-dictionary cache (:func:`analysis.paths.cache_dir`)."""
    return paths.cache_dir()


def lexicon() -> tuple[tuple[str, int, str], ...]:
    """The domain lexicon as ``(word, freq, pos)`` triples, in file order."""
    out = []
    for line in load_lines(LEXICON):
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit():
            raise ValueError(f"{LEXICON}: expected 'word freq pos', got {line!r}")
        out.append((parts[0], int(parts[1]), parts[2]))
    return tuple(out)


def _fallback_tag(word: str) -> str:
    """jieba-rs's tag for a word in no dictionary."""
    n_alnum = sum(1 for c in word if c.isascii() and c.isalnum())
    if n_alnum == 0:
        return "x"
    n_digit = sum(1 for c in word if c.isascii() and c.isdigit())
    return "m" if n_digit == n_alnum else "eng"


def import_jieba():
    """jieba 0.42.1 imports the deprecated ``pkg_resources`` (falling back when it is absent); keep
    its deprecation warning out of users' output."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        import jieba
        import jieba.posseg  # noqa: F401  (makes jieba.posseg available)
    return jieba


class _Segmenter:
    """An engine: ``raw(text)`` gives (token, tag) pairs before the tag fixes in ``fix``."""

    name: str
    fix: dict[str, str]
    info: _TokenInfo

    def raw(self, text: str) -> list[tuple[str, str]]:  # pragma: no cover - interface
        raise NotImplementedError

    def tag(self, text: str) -> list[tuple[str, str]]:
        fix = self.fix
        pairs = self.raw(text)
        return [(w, fix.get(w, t)) for w, t in pairs] if fix else pairs


class _JiebaSegmenter(_Segmenter):
    """Reference engine: an explicit jieba.Tokenizer + the posseg word-tag table."""

    name = "jieba"

    def __init__(self) -> None:
        jieba = import_jieba()
        tok = jieba.Tokenizer()
        directory = cache_dir()
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:  # unwritable: jieba then rebuilds the prefix dictionary in memory each time
            pass
        tok.tmp_dir = str(directory)
        tok.cache_file = "jieba.cache"
        tok.initialize()
        body = "\n".join(f"{w} {f} {t}" for w, f, t in lexicon()) + "\n"
        tok.load_userdict(io.BytesIO(body.encode("utf-8")))
        tags = dict(jieba.posseg.POSTokenizer(tok).word_tag_tab)
        tags.update(tok.user_word_tag_tab)
        self.tokenizer = tok
        self.tags = tags
        self.fix = {}
        self.info = _TokenInfo(self.fix)

    def raw(self, text: str) -> list[tuple[str, str]]:
        tags = self.tags
        return [(w, tags.get(w) or _fallback_tag(w)) for w in self.tokenizer.cut(text, HMM=HMM)]


def _main_dict_freqs(words: set[str]) -> dict[str, int]:
    """Frequencies of ``words`` in jieba's main dictionary (the dict.txt jieba-rs also ships)."""
    jieba = import_jieba()

    out: dict[str, int] = {}
    path = Path(jieba.__file__).parent / "dict.txt"
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            w, _, rest = line.partition(" ")
            if w in words:
                out[w] = int(rest.split(" ", 1)[0])
    return out


class _RjiebaSegmenter(_Segmenter):
    """Fast engine: rjieba (jieba-rs) with the lexicon added word by word."""

    name = "rjieba"

    def __init__(self) -> None:
        import rjieba

        jb = rjieba.Jieba()
        lex = lexicon()
        existing = {w for w, _, _ in lex if jb.has_word(w)}
        old = _main_dict_freqs(existing) if existing else {}
        missing = existing - set(old)
        if missing:  # jieba-rs's dictionary differs from jieba's: parity cannot be guaranteed
            raise RuntimeError(f"rjieba dictionary has words jieba's lacks: {sorted(missing)[:5]}")
        for w, f, t in lex:
            jb.add_word(w, f, t)
        pad = sum(old.values())
        if pad:
            jb.add_word(_TOTAL_PAD_WORD, pad, "x")
        self.jieba = jb
        # jieba-rs keeps a pre-existing word's old tag; jieba takes the user dictionary's.
        self.fix = {w: t for w, _, t in lex if w in existing}
        self.info = _TokenInfo(self.fix)

    def raw(self, text: str) -> list[tuple[str, str]]:
        return self.jieba.tag(text, hmm=HMM)


def get_segmenter(engine: Engine = "rjieba") -> _Segmenter:
    """The process-wide segmenter of ``engine`` (built once, lexicon loaded)."""
    with _LOCK:
        seg = _SEGMENTERS.get(engine)
        if seg is None:
            if engine == "jieba":
                seg = _JiebaSegmenter()
            elif engine == "rjieba":
                seg = _RjiebaSegmenter()
            else:
                raise ValueError(f"unknown engine {engine!r}; use 'rjieba' or 'jieba'")
            _SEGMENTERS[engine] = seg
        return seg


def segment_text(text: str, engine: Engine = "rjieba") -> list[tuple[str, str]]:
    """All ``(token, pos)`` pairs of ``text`` as the engine cuts it (nothing dropped)."""
    return get_segmenter(engine).tag(text or "")


_KEEP_CACHE: dict[str, bool] = {}


def is_word_token(token: str) -> bool:
    """False for tokens made only of whitespace, punctuation or symbols (Unicode Z*, P*, S*)."""
    keep = _KEEP_CACHE.get(token)
    if keep is None:
        keep = any(not (c.isspace() or unicodedata.category(c)[0] in "PSZ") for c in token)
        if len(_KEEP_CACHE) < 1_000_000:
            _KEEP_CACHE[token] = keep
    return keep


class _TokenInfo(dict):
    """word → False (drop), True (keep, engine's tag) or a str (keep, this tag); filled lazily."""

    def __init__(self, fix: dict[str, str]) -> None:
        super().__init__()
        self.fix = fix

    def __missing__(self, word: str) -> bool | str:
        value: bool | str = self.fix.get(word, True) if is_word_token(word) else False
        if len(self) < 2_000_000:
            self[word] = value
        return value


def _tokenize_texts(engine: Engine, texts: Sequence[str]) -> tuple[list[int], list[str], list[str]]:
    """Kept tokens of each text: (tokens per text, flat tokens, flat pos)."""
    seg = get_segmenter(engine)
    raw = seg.raw
    info = seg.info
    counts: list[int] = []
    toks: list[str] = []
    tags: list[str] = []
    for text in texts:
        kept = [(w, t if i is True else i) for w, t in raw(text) if (i := info[w]) is not False]
        counts.append(len(kept))
        if kept:
            ws, ts = zip(*kept, strict=True)
            toks.extend(ws)
            tags.extend(ts)
    return counts, toks, tags


def tag_texts(texts: Sequence[str], engine: Engine = "rjieba") -> list[list[tuple[str, str]]]:
    """Every ``(token, pos)`` pair of each text, nothing dropped, the engine's tag fixes applied."""
    seg = get_segmenter(engine)
    return [seg.tag(t or "") for t in texts]


def tokenize_texts(texts: Sequence[str], engine: Engine = "rjieba") -> tuple[list[int], list[str], list[str]]:
    """Kept tokens of each text, in-process: (number of tokens per text, flat tokens, flat POS tags)."""
    return _tokenize_texts(engine, texts)


def stopwords(level: StopLevel = "function") -> frozenset[str]:
    """Stopwords of a level: ``'none'`` → ∅; ``'function'`` → grammatical words;
    ``'formulaic'`` → function words + generic intensifiers/formulae (进一步, 切实, 持续…)."""
    if level == "none":
        return frozenset()
    words = set(load_lines("stopwords_function.txt"))
    if level == "function":
        return frozenset(words)
    if level == "formulaic":
        return frozenset(words | set(load_lines("stopwords_formulaic.txt")))
    raise ValueError(f"unknown stopword level {level!r}; use 'none', 'function' or 'formulaic'")


def formulaic_words() -> frozenset[str]:
    """The formulaic intensifiers alone (without the function words)."""
    return frozenset(load_lines("stopwords_formulaic.txt"))
