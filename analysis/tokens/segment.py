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
import multiprocessing as mp
import threading
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

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


def _tokenize_texts(engine: Engine, texts: Sequence[str], with_kinds: bool = False
                    ) -> tuple[list[int], list[str], list[str], list[str]]:
    """Kept tokens of each text: (tokens per text, flat tokens, flat pos, flat kinds when ``with_kinds``)."""
    seg = get_segmenter(engine)
    raw = seg.raw
    info = seg.info
    counts: list[int] = []
    toks: list[str] = []
    tags: list[str] = []
    kinds: list[str] = []
    if with_kinds:
        from analysis.tokens.kinds import unit_kinds
    for text in texts:
        kept = [(w, t if i is True else i) for w, t in raw(text) if (i := info[w]) is not False]
        counts.append(len(kept))
        if kept:
            ws, ts = zip(*kept, strict=True)
            toks.extend(ws)
            tags.extend(ts)
            if with_kinds:
                kinds.extend(unit_kinds(ws, ts))
    return counts, toks, tags, kinds


def tag_texts(texts: Sequence[str], engine: Engine = "rjieba") -> list[list[tuple[str, str]]]:
    """Every ``(token, pos)`` pair of each text, nothing dropped, the engine's tag fixes applied."""
    seg = get_segmenter(engine)
    return [seg.tag(t or "") for t in texts]


def tokenize_texts(texts: Sequence[str], engine: Engine = "rjieba") -> tuple[list[int], list[str], list[str]]:
    """Kept tokens of each text, in-process: (number of tokens per text, flat tokens, flat POS tags)."""
    return _tokenize_texts(engine, texts)[:3]


def _worker_init(engine: Engine) -> None:
    get_segmenter(engine)


_SEP = "\x00"  # tokens never contain NUL (a control character: dropped by normalisation)


def _named_runs(engine: Engine, runs: list[list[str]]) -> tuple[list[int], list[str], list[str], list[str], list[bool]]:
    """Tokens of runs of one document's texts, each run with its own name lexicon."""
    from analysis.tokens.names import tokenize_named

    counts: list[int] = []
    toks: list[str] = []
    tags: list[str] = []
    kinds: list[str] = []
    named: list[bool] = []
    for texts in runs:
        c, t, g, k, n, _ = tokenize_named(texts, engine=engine)
        counts += c
        toks += t
        tags += g
        kinds += k
        named += n
    return counts, toks, tags, kinds, named


def _worker(args: tuple[Engine, list[list[str]]]) -> tuple[list[int], str, str, str, bytes]:
    """Tokenize one chunk of documents; strings travel back NUL-joined (cheap to pickle)."""
    counts, toks, tags, kinds, named = _named_runs(*args)
    return counts, _SEP.join(toks), _SEP.join(tags), _SEP.join(kinds), bytes(named)


def _doc_runs(doc_ids: list[str], texts: list[str]) -> list[list[str]]:
    """The texts cut into runs of consecutive rows of the same document."""
    runs: list[list[str]] = []
    prev = None
    for d, t in zip(doc_ids, texts, strict=True):
        if d != prev or not runs:
            runs.append([])
            prev = d
        runs[-1].append(t)
    return runs


def _chunks(runs: list[list[str]], chunk_chars: int) -> list[list[list[str]]]:
    out: list[list[list[str]]] = []
    cur: list[list[str]] = []
    size = 0
    for r in runs:
        cur.append(r)
        size += sum(len(t) for t in r)
        if size >= chunk_chars:
            out.append(cur)
            cur, size = [], 0
    if cur:
        out.append(cur)
    return out


def _empty_tokens() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": pd.Series([], dtype=object),
            "unit_kind": pd.Series([], dtype=object),
            "unit_no": pd.Series([], dtype="int64"),
            "position": pd.Series([], dtype="int64"),
            "token": pd.Series([], dtype=object),
            "pos": pd.Series([], dtype=object),
            "kind": pd.Series([], dtype=object),
            "named": pd.Series([], dtype=bool),
        }
    )


def _tokenize_frame(
    units: pd.DataFrame, engine: Engine, workers: int, chunk_chars: int, min_parallel_chars: int
) -> pd.DataFrame:
    if len(units) == 0:
        return _empty_tokens()
    texts = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in units["text"]]
    runs = _doc_runs(units["doc_id"].astype(str).tolist(), texts)
    total = sum(len(t) for t in texts)
    if workers > 1 and total >= min_parallel_chars:
        chunks = _chunks(runs, min(chunk_chars, max(1, total // (workers * 4))))
        get_segmenter(engine)  # built once here; forked workers inherit it
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        with ctx.Pool(workers, initializer=_worker_init, initargs=(engine,)) as pool:
            parts = pool.map(_worker, [(engine, c) for c in chunks], chunksize=1)
        counts = [n for p in parts for n in p[0]]
        toks = _SEP.join(p[1] for p in parts if p[1]).split(_SEP) if any(p[1] for p in parts) else []
        tags = _SEP.join(p[2] for p in parts if p[2]).split(_SEP) if toks else []
        kinds = _SEP.join(p[3] for p in parts if p[3]).split(_SEP) if toks else []
        named = [bool(b) for p in parts for b in p[4]]
    else:
        counts, toks, tags, kinds, named = _named_runs(engine, runs)
    reps = np.asarray(counts, dtype=np.int64)
    starts = np.repeat(np.cumsum(reps) - reps, reps)
    position = np.arange(len(toks), dtype=np.int64) - starts
    tok_arr = np.empty(len(toks), dtype=object)
    tok_arr[:] = toks
    tag_arr = np.empty(len(tags), dtype=object)
    tag_arr[:] = tags
    kind_arr = np.empty(len(kinds), dtype=object)
    kind_arr[:] = kinds
    return pd.DataFrame(
        {
            "doc_id": np.repeat(units["doc_id"].astype(str).to_numpy(dtype=object), reps),
            "unit_kind": np.repeat(units["unit_kind"].to_numpy(dtype=object), reps),
            "unit_no": np.repeat(units["unit_no"].to_numpy(dtype=np.int64), reps),
            "position": position,
            "token": tok_arr,
            "pos": tag_arr,
            "kind": kind_arr,
            "named": np.asarray(named, dtype=bool),
        },
        copy=False,
    )


def iter_tokenize_units(
    batches: Iterable[pd.DataFrame],
    engine: Engine = "rjieba",
    workers: int = 2,
    *,
    chunk_chars: int = 1_000_000,
    min_parallel_chars: int = 500_000,
) -> Iterator[pd.DataFrame]:
    """Tokenize an iterable of unit batches lazily, one token frame per batch."""
    for batch in batches:
        yield _tokenize_frame(batch, engine, workers, chunk_chars, min_parallel_chars)


def tokenize_units(
    units: pd.DataFrame | Iterable[pd.DataFrame],
    engine: Engine = "rjieba",
    workers: int = 2,
    *,
    chunk_chars: int = 1_000_000,
    min_parallel_chars: int = 500_000,
) -> pd.DataFrame:
    """Tokens of every unit: ``doc_id, unit_kind, unit_no, position, token, pos, kind, named``.

    Names stay whole as in the build (:func:`analysis.tokens.names.tokenize_named`): each run of
    consecutive rows of one ``doc_id`` is segmented with its own name lexicon (gazetteer + the names
    those rows state; the build also adds the document's metadata names). ``kind`` as in
    :func:`analysis.tokens.kinds.unit_kinds`; ``named`` marks the tokens the name lexicon made.

    ``units`` has ``doc_id, unit_kind, unit_no, text`` (or is an iterable of such batches). Work is
    spread over ``workers`` processes (chunks of ~``chunk_chars`` characters, order preserved) when
    the input has at least ``min_parallel_chars`` characters; smaller inputs run in-process. Workers
    are forked where the platform allows (they inherit the loaded engine; no ``__main__`` guard
    needed) and spawned elsewhere. The result does not depend on ``workers``.
    """
    if isinstance(units, pd.DataFrame):
        return _tokenize_frame(units, engine, workers, chunk_chars, min_parallel_chars)
    frames = list(
        iter_tokenize_units(
            units, engine, workers, chunk_chars=chunk_chars, min_parallel_chars=min_parallel_chars
        )
    )
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else _empty_tokens()


def vocabulary(tokens: pd.DataFrame | Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Per token: ``freq`` (occurrences), ``doc_freq`` (documents), ``unit_freq`` (units) and ``kind``
    (the token's kind at its most frequent POS, :mod:`analysis.tokens.kinds`).

    Accepts one token frame or an iterable of them (a document may span batches). Sorted by
    ``freq`` descending, then token.
    """
    frames = [tokens] if isinstance(tokens, pd.DataFrame) else tokens
    freq: pd.Series | None = None
    docs: list[pd.DataFrame] = []
    unit_parts: list[pd.DataFrame] = []
    pos_parts: list[pd.Series] = []
    for f in frames:
        if len(f) == 0:
            continue
        c = f["token"].value_counts()
        freq = c if freq is None else freq.add(c, fill_value=0)
        docs.append(f[["token", "doc_id"]].drop_duplicates())
        unit_parts.append(f[["token", "doc_id", "unit_kind", "unit_no"]].drop_duplicates())
        pos = f["pos"] if "pos" in f.columns else pd.Series([None] * len(f), index=f.index, dtype=object)
        pos_parts.append(pd.DataFrame({"token": f["token"], "pos": pos.astype(object)}).value_counts(dropna=False))
    if freq is None:
        return pd.DataFrame(
            {c: pd.Series([], dtype="int64" if c not in ("token", "kind") else object) for c in VOCAB_COLUMNS}
        )
    doc_freq = pd.concat(docs).drop_duplicates()["token"].value_counts()
    unit_freq = pd.concat(unit_parts).drop_duplicates()["token"].value_counts()
    out = pd.DataFrame({"freq": freq.astype("int64")})
    out["doc_freq"] = doc_freq.reindex(out.index).astype("int64")
    out["unit_freq"] = unit_freq.reindex(out.index).astype("int64")
    out["kind"] = _vocabulary_kinds(pos_parts).reindex(out.index).to_numpy(dtype=object)
    out = out.rename_axis("token").reset_index()
    return out.sort_values(["freq", "token"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )


def _vocabulary_kinds(pos_parts: list[pd.Series]) -> pd.Series:
    """token → kind at its most frequent POS (ties: the smaller POS string), as the warehouse does."""
    from analysis.tokens.kinds import token_kind

    counts = pd.concat(pos_parts).groupby(level=[0, 1], dropna=False).sum().rename("n").reset_index()
    counts["pos"] = counts["pos"].where(counts["pos"].notna(), None)
    counts["p"] = counts["pos"].fillna("")
    counts = counts.sort_values(["token", "n", "p"], ascending=[True, False, True], kind="mergesort")
    first = counts.drop_duplicates("token")
    return pd.Series([token_kind(t, p or None) for t, p in zip(first["token"], first["p"], strict=True)],
                     index=first["token"].to_numpy(dtype=object), dtype=object)


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
