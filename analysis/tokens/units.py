"""Tokens of a document's units and of a corpus: jieba's cut (:mod:`analysis.tokens.segment`), names
kept whole (:mod:`analysis.tokens.names`) and every token's kind (:mod:`analysis.tokens.kinds`).

The top of the tokens layer: it imports the three modules below it, none of them imports it.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from analysis.tokens.kinds import token_kind, unit_kinds
from analysis.tokens.names import NameStats, apply_names, document_lexicon
from analysis.tokens.segment import VOCAB_COLUMNS, Engine, get_segmenter, is_word_token, tag_texts


def tokenize_named(texts: Sequence[str], meta_names: Iterable[str] = (), engine: str = "rjieba"
                   ) -> tuple[list[int], list[str], list[str], list[str], list[bool], NameStats]:
    """One document's units segmented with the names lexicon, and every token's kind.

    Returns (kept tokens per text, flat tokens, flat POS, flat kinds, flat "made by the name
    lexicon" flags, what the lexicon changed).
    Names are merged before whitespace and punctuation tokens are dropped, so a name never spans
    punctuation.
    """
    units = tag_texts(texts, engine)  # type: ignore[arg-type]
    lex = document_lexicon(units, meta_names)
    stats = NameStats()
    counts: list[int] = []
    toks: list[str] = []
    tags: list[str] = []
    kinds: list[str] = []
    named: list[bool] = []
    for pairs in units:
        merged = apply_names(pairs, lex, stats)
        same = merged == list(pairs)
        if same:
            kept = [(w, t, False) for w, t in pairs if is_word_token(w)]
        else:
            before = _positions(pairs)
            kept = [(w, t, (s, w, t) not in before) for (w, t), s in zip(merged, _starts(merged), strict=True)
                    if is_word_token(w)]
        counts.append(len(kept))
        ws = [w for w, _, _ in kept]
        ts = [t for _, t, _ in kept]
        toks.extend(ws)
        tags.extend(ts)
        named.extend(f for _, _, f in kept)
        kinds.extend(unit_kinds(ws, ts))
    return counts, toks, tags, kinds, named, stats


def _starts(pairs: Sequence[tuple[str, str]]) -> list[int]:
    out, pos = [], 0
    for w, _ in pairs:
        out.append(pos)
        pos += len(w)
    return out


def _positions(pairs: Sequence[tuple[str, str]]) -> set[tuple[int, str, str]]:
    """(character start, token, tag) of every token as jieba cut it."""
    return {(s, w, t) for (w, t), s in zip(pairs, _starts(pairs), strict=True)}


def _worker_init(engine: Engine) -> None:
    get_segmenter(engine)


_SEP = "\x00"  # tokens never contain NUL (a control character: dropped by normalisation)


def _named_runs(engine: Engine, runs: list[list[str]]) -> tuple[list[int], list[str], list[str], list[str], list[bool]]:
    """Tokens of runs of one document's texts, each run with its own name lexicon."""
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

    Names stay whole as in the build (:func:`tokenize_named`): each run of
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
    counts = pd.concat(pos_parts).groupby(level=[0, 1], dropna=False).sum().rename("n").reset_index()
    counts["pos"] = counts["pos"].where(counts["pos"].notna(), None)
    counts["p"] = counts["pos"].fillna("")
    counts = counts.sort_values(["token", "n", "p"], ascending=[True, False, True], kind="mergesort")
    first = counts.drop_duplicates("token")
    return pd.Series([token_kind(t, p or None) for t, p in zip(first["token"], first["p"], strict=True)],
                     index=first["token"].to_numpy(dtype=object), dtype=object)


