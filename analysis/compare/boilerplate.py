"""Boilerplate: how much of a notice is shared, near-verbatim, with notices of other groups.

Sentences are the pieces of unit text between ``。！？；`` or line breaks
(:func:`analysis.genre.sentences.split_pieces`), with a leading enumerator (``一是``, ``（一）``,
``1.``, ``一、``…: the families ``ENUMERATOR_FAMILIES`` of :mod:`analysis.genre.enumerators`) removed; the comparison key drops whitespace, punctuation and
symbols; sentences whose key is shorter than ``min_chars`` are ignored, and a notice's sentences are
its distinct keys (so text repeated across unit kinds counts once).

Exact duplicates (every sentence of the corpus): each key is identified by a 64-bit hash, computed
for a whole block of notices at once with numpy (polynomial hash of the key's code points, mixed
with its length; splitmix64 finaliser) — no per-sentence Python work, so this tier is linear in the
text and covers every sentence.

Near-duplicates: two keys are near-duplicates when the Jaccard similarity of their character
4-shingle sets (Broder 1997) is at least ``threshold`` (default 0.7). Candidates come from MinHash
LSH (Broder 1997; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets* ch. 3): ``num_perm``
= 128 affine permutations ``a·h + b mod 2³²`` (``a`` odd, drawn with ``seed``) of a 32-bit shingle
hash pre-mixed by the MurmurHash3 finaliser (datasketch's ``affine32`` scheme), banded into ``b``
bands of ``r`` rows chosen as datasketch's ``MinHashLSH`` does (minimum of equally weighted false
positive and false negative probability), computed with numpy for all keys together. Candidate
pairs (keys agreeing on all rows of a band) are checked with the exact Jaccard of the shingle sets
(64-bit shingle ids), and no pair outside a bucket is compared. Only the checks that can change the
result are made: a candidate whose keys are already linked through checked pairs cannot change the
formulas, nor one that cannot give a key used by a single group its first near-duplicate from
another group; rounds of checks continue until no such candidate is left, so the tables are those
of checking every candidate (``analysis_runs`` records candidates and checks). In a bucket of more
than ``max_bucket`` keys each key is paired with the next ``max_bucket`` keys of the bucket instead
of all of them, which keeps the work linear; such keys agree on a whole band and are chained
anyway.

Bounded sample for the near-duplicate tier: at most ``lsh_max_keys`` distinct keys take part —
all of them when there are fewer, else the keys used by the most notices first (formulas and their
variants), then the others in key-hash order (a deterministic pseudo-random sample). Keys outside
it are matched exactly only. ``analysis_runs`` records how many keys there were and how many took
part.

- ``boilerplate``: per notice, ``n_sentences``, ``n_shared`` = sentences with an exact or
  near-duplicate in a notice of another group, ``share = n_shared / n_sentences`` (NaN if none).
- ``boilerplate_formulas``: near-duplicate sentences linked transitively form a formula; its text
  is the variant used by the most notices (then the shortest, then the first in code-point order),
  as written at its first occurrence (notices in ``doc_id`` order); ``n_docs``/``n_groups`` count
  the notices and groups using any variant. Formulas used by at least ``min_docs`` notices are
  listed, most groups first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import integrate, sparse
from scipy.sparse.csgraph import connected_components

from analysis.compare import DEFAULT_GROUP, drop_mask, group_labels
from analysis.genre.enumerators import fragment as enumerator_fragment
from analysis.genre.sentences import PIECE_BREAK_CLASS, PIECE_BREAKS, split_pieces
from analysis.schema import TABLES

BOILERPLATE_COLUMNS = TABLES["boilerplate"].column_names
FORMULA_COLUMNS = TABLES["boilerplate_formulas"].column_names

SHINGLE = 4
THRESHOLD = 0.7
NUM_PERM = 128
SEED = 1
MIN_CHARS = 10
MIN_DOCS = 2
LSH_MAX_KEYS = 50_000
MAX_BUCKET = 200

ENUMERATOR_FAMILIES = ("cn_dun", "cn_paren", "ar_dot", "ar_paren", "circled", "ordinal")
"""Enumerators removed from a sentence's start (numbering.csv families; 问题N is kept: it names the problem)."""

_ENUM_BODY = enumerator_fragment(ENUMERATOR_FAMILIES)
_ENUM = re.compile(rf"^\s*{_ENUM_BODY}\s*")
# the same at every sentence start of texts joined by NUL (``\s`` never crosses a line break there)
_WS = r"[^\S\n]*"
_ENUM_AT = rf"{_WS}{_ENUM_BODY}{_WS}"
_ENUM_STARTS = re.compile(rf"(?<=[{PIECE_BREAK_CLASS}\x00])(?:{_ENUM_AT}(?:[ ，,：:]*{_ENUM_AT})?|[ ，,：:]+{_ENUM_AT})")
_STRIP = " ，,：:"

_U64 = np.uint64
_MASK32 = np.uint64(0xFFFFFFFF)


class BoilerplateResult(NamedTuple):
    boilerplate: pd.DataFrame
    boilerplate_formulas: pd.DataFrame


def sentence_text(piece: str) -> str:
    """A piece of text as the tables write its sentence: leading enumerator and separators removed."""
    return _ENUM.sub("", piece).strip(_STRIP)


def sentence_keys(sentences: list[str]) -> list[str]:
    """The comparison key of each sentence: enumerator, whitespace, punctuation and symbols removed
    (the character classes looked up with numpy)."""
    stripped = [_ENUM.sub("", s) for s in sentences]
    lengths = np.fromiter((len(s) for s in stripped), dtype=np.int64, count=len(stripped))
    code = np.frombuffer("".join(stripped).encode("utf-32-le"), dtype=np.uint32)
    keep = ~drop_mask(code)
    kept = np.bincount(np.repeat(np.arange(len(stripped)), lengths)[keep], minlength=len(stripped))
    start = np.concatenate([[0], np.cumsum(kept)])
    raw = code[keep].tobytes()
    return [raw[4 * a : 4 * b].decode("utf-32-le") for a, b in zip(start[:-1].tolist(), start[1:].tolist(),
                                                                     strict=True)]


# ---------------------------------------------------------------- hashing helpers (uint64 wraparound)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = x.astype(_U64, copy=True)
    with np.errstate(over="ignore"):
        x += _U64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> _U64(27))) * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser."""
    h = h.astype(np.uint32, copy=True)
    with np.errstate(over="ignore"):
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h


_BASE = _U64(0x100000001B3 * 2 + 1)  # odd multiplier of the polynomial hashes


@cache
def _split_table() -> np.ndarray:
    t = np.zeros(0x110000, dtype=bool)
    for c in PIECE_BREAKS + "\x00":
        t[ord(c)] = True
    return t


@cache
def _powers(n: int) -> np.ndarray:
    """``_BASE ** i`` for i < n (mod 2⁶⁴)."""
    p = np.full(max(n, 1), _BASE, dtype=_U64)
    p[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(p, dtype=_U64)


def _segment_hash(codes: np.ndarray, seg: np.ndarray, n_seg: int) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hash and length of each segment of ``codes`` (``seg`` non-decreasing segment ids)."""
    length = np.bincount(seg, minlength=n_seg).astype(np.int64)
    first = np.concatenate([[0], np.cumsum(length)[:-1]])
    r = np.arange(len(codes), dtype=np.int64) - first[seg]
    pw = _powers(int(r.max()) + 1 if len(r) else 1)
    with np.errstate(over="ignore"):
        terms = (codes.astype(_U64) + _U64(1)) * pw[r]
    h = np.zeros(n_seg, dtype=_U64)
    nz = np.flatnonzero(length)
    if len(nz):
        h[nz] = np.add.reduceat(terms, first[nz])
    with np.errstate(over="ignore"):
        return _splitmix64(h ^ (length.astype(_U64) * _U64(0xD6E8FEB86659FD93))), length


class Sentences(NamedTuple):
    """Sentences (key of at least ``min_chars``) of a list of texts: owning text, key hash and length,
    and the sentence's number within its text (pieces between single separator characters)."""

    text: np.ndarray
    hash: np.ndarray
    length: np.ndarray
    index: np.ndarray


def _sentences(texts: list[str], min_chars: int) -> tuple[Sentences, np.ndarray, np.ndarray]:
    """:func:`sentence_table` plus the kept code points and where each returned sentence's key starts."""
    big = _ENUM_STARTS.sub("", "\x00" + "\x00".join(t or "" for t in texts))  # never removes a separator
    code = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32)
    split = _split_table()[code]
    drop = drop_mask(code) | split
    split_pos = np.flatnonzero(split)
    n_seg = len(split_pos)
    sid = np.cumsum(split) - 1
    keep = ~drop
    kcodes = code[keep]
    h, length = _segment_hash(kcodes, sid[keep], n_seg)
    is_doc = code[split_pos] == 0
    text_of = np.cumsum(is_doc) - 1
    first_seg = np.flatnonzero(is_doc)
    index = np.arange(n_seg) - first_seg[text_of]
    ok = length >= min_chars
    key_start = np.concatenate([[0], np.cumsum(length)[:-1]])[ok]
    return Sentences(text_of[ok], h[ok], length[ok], index[ok]), kcodes, key_start


def sentence_table(texts: list[str], min_chars: int = MIN_CHARS, keys: bool = False
                   ) -> tuple[Sentences, list[str] | None]:
    """Every sentence of ``texts`` with a key of at least ``min_chars`` characters, vectorised (see
    module docstring); with ``keys`` also the key strings (for tests)."""
    table, kcodes, start = _sentences(texts, min_chars)
    out_keys = None
    if keys:
        out_keys = [kcodes[s : s + n].tobytes().decode("utf-32-le")
                    for s, n in zip(start.tolist(), table.length.tolist(), strict=True)]
    return table, out_keys


# ---------------------------------------------------------------- MinHash LSH, vectorised


@cache
def optimal_bands(threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """``(b, r)`` minimising the false positive plus false negative probability areas of the LSH
    S-curve ``1 − (1 − s^r)^b`` around ``threshold`` (as datasketch's ``MinHashLSH``)."""
    best, opt = float("inf"), (1, num_perm)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = integrate.quad(lambda s, b=b, r=r: 1 - (1 - s**r) ** b, 0.0, threshold)[0]
            fn = integrate.quad(lambda s, b=b, r=r: 1 - (1 - (1 - s**r) ** b), threshold, 1.0)[0]
            if fp + fn < best:
                best, opt = fp + fn, (b, r)
    return opt


def _shingle_sets(keys: list[str], k: int = SHINGLE) -> tuple[np.ndarray, np.ndarray]:
    """(key index, 64-bit shingle id) of every distinct shingle of every key, sorted by key."""
    lengths = np.fromiter((len(s) for s in keys), dtype=np.int64, count=len(keys))
    code = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32).astype(_U64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    n_sh = np.maximum(lengths - k + 1, 1)
    owner = np.repeat(np.arange(len(keys)), n_sh)
    pos = starts[owner] + (np.arange(int(n_sh.sum())) - np.repeat(np.cumsum(n_sh) - n_sh, n_sh))
    width = np.minimum(lengths[owner], k)
    g = np.zeros(len(owner), dtype=_U64)
    with np.errstate(over="ignore"):
        for j in range(k):
            c = np.where(j < width, code[np.minimum(pos + j, len(code) - 1)] + _U64(1), _U64(0))
            g = g * _BASE + c
    sid = _splitmix64(g)
    k_, s_ = _distinct_pairs(owner.astype(np.int64), sid)
    return k_, s_


def _bucket_pairs(band: np.ndarray, max_bucket: int) -> np.ndarray:
    """Pairs (i < j) of rows with equal ``band`` value; large buckets are windowed."""
    order = np.lexsort((np.arange(len(band)), band))
    b = band[order]
    out = []
    run_start = np.concatenate([[0], np.flatnonzero(b[1:] != b[:-1]) + 1])
    run_id = np.repeat(np.arange(len(run_start)), np.diff(np.concatenate([run_start, [len(b)]])))
    longest = int(np.diff(np.concatenate([run_start, [len(b)]])).max()) if len(b) else 0
    for d in range(1, min(longest, max_bucket + 1)):
        same = run_id[d:] == run_id[:-d]
        if not same.any():
            break
        i, j = order[:-d][same], order[d:][same]
        out.append(np.stack([np.minimum(i, j), np.maximum(i, j)], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)


class _Candidates(NamedTuple):
    """LSH candidate pairs ``(i, j)``, ``i < j``, and their exact Jaccard check."""

    i: np.ndarray
    j: np.ndarray
    check: Callable[[np.ndarray], np.ndarray]  # positions into i/j → Jaccard ≥ threshold


def _candidates(keys: list[str], threshold: float, num_perm: int, seed: int, max_bucket: int) -> _Candidates:
    n = len(keys)
    none = np.zeros(0, dtype=np.int64)
    if n < 2:
        return _Candidates(none, none, lambda pos: np.zeros(len(pos), dtype=bool))
    owner, sid = _shingle_sets(keys)
    seg = np.concatenate([[0], np.flatnonzero(owner[1:] != owner[:-1]) + 1])
    h32 = _fmix32(((sid >> _U64(32)) ^ (sid & _MASK32)).astype(np.uint32))
    rng = np.random.RandomState(seed)
    a = (rng.randint(0, 1 << 32, size=num_perm, dtype=np.uint64) | _U64(1)).astype(np.uint32)
    b = rng.randint(0, 1 << 32, size=num_perm, dtype=np.uint64).astype(np.uint32)
    bands, rows = optimal_bands(threshold, num_perm)
    cand = []
    for band in range(bands):
        key = np.zeros(n, dtype=_U64)
        for p in range(band * rows, (band + 1) * rows):
            with np.errstate(over="ignore"):
                v = h32 * a[p] + b[p]
            m = np.minimum.reduceat(v, seg).astype(_U64)
            with np.errstate(over="ignore"):
                key = key * _BASE + m
        cand.append(_bucket_pairs(key, max_bucket))
    pairs = np.concatenate(cand)
    if len(pairs) == 0:
        return _Candidates(none, none, lambda pos: np.zeros(len(pos), dtype=bool))
    pairs = _sorted_distinct(pairs[:, 0] * n + pairs[:, 1])
    pi, pj = pairs // n, pairs % n
    # exact Jaccard of the shingle sets, for the candidates asked about
    order = np.argsort(sid, kind="stable")
    new = np.concatenate([[True], sid[order][1:] != sid[order][:-1]])
    col = np.empty(len(sid), dtype=np.int64)
    col[order] = np.cumsum(new) - 1
    mat = sparse.csr_matrix((np.ones(len(owner)), (owner, col)), shape=(n, int(col.max()) + 1))
    size = np.diff(mat.indptr)

    def check(pos: np.ndarray) -> np.ndarray:
        out = np.zeros(len(pos), dtype=bool)
        for s in range(0, len(pos), 200_000):
            a_, b_ = pi[pos[s : s + 200_000]], pj[pos[s : s + 200_000]]
            inter = np.asarray(mat[a_].multiply(mat[b_]).sum(axis=1)).ravel()
            out[s : s + 200_000] = inter >= threshold * (size[a_] + size[b_] - inter) - 1e-12
        return out

    return _Candidates(pi, pj, check)


def _near_structure(c: _Candidates, n: int, single: np.ndarray, per_round: int = 8
                    ) -> tuple[np.ndarray, np.ndarray, int]:
    """Components of the near-duplicate graph and the keys of one group that have a near-duplicate
    used by another group — as if every candidate were checked, but checking only the candidates that
    could still change either: pairs joining two components, or giving a one-group key its first
    neighbour from elsewhere. Each round checks up to ``per_round`` such pairs per key.

    ``single[k]`` is key k's group when all its notices are of one group, else −1."""
    flagged = np.zeros(n, dtype=bool)
    open_ = np.ones(len(c.i), dtype=bool)
    ei, ej = [], []
    lab = np.arange(n)
    checked = 0
    differs = (single[c.j] < 0) | (single[c.j] != single[c.i])  # symmetric: G(j) ≠ {g_i} ⇔ G(i) ≠ {g_j}
    while True:
        want = open_ & ((lab[c.i] != lab[c.j])
                        | (differs & (((single[c.i] >= 0) & ~flagged[c.i]) | ((single[c.j] >= 0) & ~flagged[c.j]))))
        pos = np.flatnonzero(want)
        if len(pos) == 0:
            break
        # at most per_round pairs per (smaller) key this round, in candidate order
        rank = np.arange(len(pos)) - np.searchsorted(c.i[pos], c.i[pos], side="left")
        pos = pos[rank < per_round]
        ok = c.check(pos)
        checked += len(pos)
        open_[pos] = False
        good = pos[ok]
        ei.append(c.i[good])
        ej.append(c.j[good])
        d = differs[good]
        flagged[c.i[good][d]] = True
        flagged[c.j[good][d]] = True
        e_i, e_j = np.concatenate(ei), np.concatenate(ej)
        g = sparse.csr_matrix((np.ones(len(e_i)), (e_i, e_j)), shape=(n, n))
        _, lab = connected_components(g, directed=False)
    return lab, flagged & (single >= 0), checked


# ---------------------------------------------------------------- the tables


class BoilerplateCounts(NamedTuple):
    n_sentences: np.ndarray  # per notice
    n_shared: np.ndarray
    formulas: pd.DataFrame
    stats: dict


def _sorted_distinct(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sort-based; numpy's hash-based ``unique`` is slower on these)."""
    x = np.sort(x)
    return x[np.concatenate([[True], x[1:] != x[:-1]])] if len(x) else x


def _distinct_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(a) == 0:
        return a, b
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    new = np.concatenate([[True], (a[1:] != a[:-1]) | (b[1:] != b[:-1])])
    return a[new], b[new]


def _concat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


class _Occurrences(NamedTuple):
    """The distinct (notice, key hash) pairs of the corpus, and per block the first occurrence of
    each of its keys: hash, text id and sentence number within the text."""

    doc: np.ndarray
    hash: np.ndarray
    first_hash: np.ndarray
    first_text: np.ndarray
    first_index: np.ndarray


def _read_blocks(blocks: Iterator[tuple[np.ndarray, list[str]]], text_doc: Callable[[np.ndarray], np.ndarray],
                 min_chars: int) -> _Occurrences:
    """Step 1: the sentences of every block of texts, reduced to what the counts need."""
    pair_doc, pair_hash = [], []
    first_hash, first_text, first_index = [], [], []
    for ids, texts in blocks:
        s, _ = sentence_table(texts, min_chars)
        tid = ids[s.text]
        d, h = _distinct_pairs(text_doc(tid), s.hash)
        pair_doc.append(d)
        pair_hash.append(h)
        _, idx = np.unique(s.hash, return_index=True)  # first occurrence within the block
        idx.sort()
        first_hash.append(s.hash[idx])
        first_text.append(tid[idx])
        first_index.append(s.index[idx])
    return _Occurrences(_concat(pair_doc, np.int64), _concat(pair_hash, _U64), _concat(first_hash, _U64),
                        _concat(first_text, np.int64), _concat(first_index, np.int64))


class _Keys(NamedTuple):
    """The distinct sentence keys (sorted by hash) and how they are used."""

    hash: np.ndarray
    of_pair: np.ndarray  # the key of each (notice, key) pair
    n_docs: np.ndarray
    n_groups: np.ndarray
    single: np.ndarray  # the group of a key used by one group only, else −1
    first_text: np.ndarray  # where the key first occurs: text id
    first_index: np.ndarray  # and sentence number within the text


def _key_use(occ: _Occurrences, doc_groups: np.ndarray) -> _Keys:
    """Step 2: notices and groups using each key, and its first occurrence (blocks come in text order)."""
    keys_hash, key_of = np.unique(occ.hash, return_inverse=True)
    n_keys = len(keys_hash)
    key_ndocs = np.bincount(key_of, minlength=n_keys)
    kg_key, kg_group = _distinct_pairs(key_of.astype(np.int64), doc_groups[occ.doc].astype(np.int64))
    key_ngroups = np.bincount(kg_key, minlength=n_keys)
    single = np.full(n_keys, -1, dtype=np.int64)
    one = key_ngroups[kg_key] == 1
    single[kg_key[one]] = kg_group[one]
    _, fidx = np.unique(occ.first_hash, return_index=True)  # sorted like keys_hash
    return _Keys(keys_hash, key_of, key_ndocs, key_ngroups, single, occ.first_text[fidx], occ.first_index[fidx])


def _key_texts(need: np.ndarray, keys: _Keys, fetch: Callable[[np.ndarray], list[str]], fetch_block: int
               ) -> tuple[dict[int, str], dict[int, str]]:
    """Step 3: the sentence as first written and the key string of each key of ``need``, reading
    ``fetch_block`` texts at a time."""
    display: dict[int, str] = {}
    key_str: dict[int, str] = {}
    f_text, f_index = keys.first_text, keys.first_index
    texts_needed = np.unique(f_text[need])
    for s0 in range(0, len(texts_needed), fetch_block):
        ids = texts_needed[s0 : s0 + fetch_block]
        pieces = {int(i): split_pieces(t or "", merge_runs=False) for i, t in zip(ids, fetch(ids), strict=True)}
        here = need[np.isin(f_text[need], ids)]
        disp = [sentence_text(pieces[t][i]) for t, i in zip(f_text[here].tolist(), f_index[here].tolist(), strict=True)]
        display.update(zip(here.tolist(), disp, strict=True))
        key_str.update(zip(here.tolist(), sentence_keys(disp), strict=True))
    return display, key_str


class _NearTier(NamedTuple):
    shared: np.ndarray  # per key: a near-duplicate of it is used by another group
    component: np.ndarray  # per key: its formula, named by one member key
    n_candidates: int
    n_checked: int


def _near_tier(lsh: np.ndarray, key_str: dict[int, str], single: np.ndarray, n_keys: int, *, threshold: float,
               num_perm: int, seed: int, max_bucket: int) -> _NearTier:
    """Step 4: near-duplicates among the keys of ``lsh`` (the bounded sample, sorted)."""
    near_shared = np.zeros(n_keys, dtype=bool)
    comp = np.arange(n_keys)
    n_checked = 0
    n_candidates = 0
    if len(lsh) >= 2:
        cands = _candidates([key_str[int(k)] for k in lsh], threshold, num_perm, seed, max_bucket)
        n_candidates = len(cands.i)
        lab, flagged, n_checked = _near_structure(cands, len(lsh), single[lsh])
        near_shared[lsh[flagged]] = True
        comp[lsh] = lsh[np.unique(lab, return_index=True)[1]][lab]  # a member's id names its component
    return _NearTier(near_shared, comp, n_candidates, n_checked)


def _formulas(comp: np.ndarray, keys: _Keys, pair_doc: np.ndarray, doc_groups: np.ndarray,
              display: dict[int, str], key_str: dict[int, str], min_docs: int) -> pd.DataFrame:
    """Step 5: table ``boilerplate_formulas``, the components used by at least ``min_docs`` notices."""
    n_keys = len(keys.hash)
    cd_comp, _ = _distinct_pairs(comp[keys.of_pair], pair_doc)
    comp_docs = np.bincount(cd_comp, minlength=n_keys)
    cg_comp, _ = _distinct_pairs(comp[keys.of_pair], doc_groups[pair_doc].astype(np.int64))
    comp_groups = np.bincount(cg_comp, minlength=n_keys)
    rows = []
    listed = np.flatnonzero(comp_docs >= min_docs)
    if len(listed):
        members: dict[int, list[int]] = {}
        for k in np.flatnonzero(np.isin(comp, listed)).tolist():
            members.setdefault(int(comp[k]), []).append(k)
        for c, ms in members.items():
            best = min(ms, key=lambda k: (-keys.n_docs[k], len(key_str[k]), key_str[k]))
            rows.append((display[best], int(comp_docs[c]), int(comp_groups[c])))
    formulas = pd.DataFrame(rows, columns=FORMULA_COLUMNS)
    formulas = formulas.sort_values(
        ["n_groups", "n_docs", "formula"], ascending=[False, False, True], kind="mergesort"
    ).reset_index(drop=True)
    formulas[["n_docs", "n_groups"]] = formulas[["n_docs", "n_groups"]].astype("int64")
    return formulas


def boilerplate_counts(
    blocks: Iterator[tuple[np.ndarray, list[str]]],
    text_doc: Callable[[np.ndarray], np.ndarray],
    n_docs: int,
    doc_groups: np.ndarray,
    fetch: Callable[[np.ndarray], list[str]],
    *,
    threshold: float,
    min_chars: int,
    min_docs: int,
    num_perm: int,
    seed: int,
    lsh_max_keys: int,
    max_bucket: int,
    fetch_block: int = 500,
) -> BoilerplateCounts:
    """Boilerplate of notices ``0..n_docs-1`` (``doc_groups``: the group code of each).

    ``blocks`` yields ``(text ids, texts)`` in text-id order (ids 0, 1, …; a notice may have several
    texts, e.g. units); ``text_doc(ids)`` gives the notice of each text and ``fetch(ids)`` the texts
    again — called once, for the first occurrences of the keys whose wording is needed (formulas and
    the near-duplicate tier), so only one block of text is held at a time.
    """
    occ = _read_blocks(blocks, text_doc, min_chars)
    keys = _key_use(occ, doc_groups)
    n_keys = len(keys.hash)
    # the bounded set for the near-duplicate tier: most notices first, then by hash
    rank = np.lexsort((keys.hash, -keys.n_docs))
    lsh = np.sort(rank[: min(lsh_max_keys, n_keys)])
    need = np.union1d(lsh, np.flatnonzero(keys.n_docs >= min_docs))
    display, key_str = _key_texts(need, keys, fetch, fetch_block)
    near = _near_tier(lsh, key_str, keys.single, n_keys, threshold=threshold, num_perm=num_perm, seed=seed,
                      max_bucket=max_bucket)
    shared = (keys.n_groups >= 2) | near.shared
    n_sentences = np.bincount(occ.doc, minlength=n_docs).astype(np.int64)
    n_shared = np.bincount(occ.doc, weights=shared[keys.of_pair], minlength=n_docs).astype(np.int64)
    formulas = _formulas(near.component, keys, occ.doc, doc_groups, display, key_str, min_docs)
    stats = {"n_sentence_keys": int(n_keys), "n_keys_near_duplicate_tier": int(len(lsh)),
             "n_candidate_pairs": int(near.n_candidates), "n_pairs_checked": int(near.n_checked),
             "bands": list(optimal_bands(threshold, num_perm))}
    return BoilerplateCounts(n_sentences, n_shared, formulas, stats)


def boilerplate(
    units: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    group: str = DEFAULT_GROUP,
    *,
    unit_kinds: tuple[str, ...] | None = None,
    threshold: float = THRESHOLD,
    min_chars: int = MIN_CHARS,
    min_docs: int = MIN_DOCS,
    num_perm: int = NUM_PERM,
    seed: int = SEED,
    lsh_max_keys: int = LSH_MAX_KEYS,
    max_bucket: int = MAX_BUCKET,
) -> BoilerplateResult:
    """Per-notice boilerplate share and the most repeated formulas (see module docstring)."""
    u = units if unit_kinds is None else units[units["unit_kind"].isin(unit_kinds)]
    u = u.sort_values(["doc_id", "unit_kind", "unit_no"], kind="mergesort")
    doc_col = u["doc_id"].astype(str).to_numpy(dtype=object)
    doc_ids = sorted(set(doc_col))
    where = {d: i for i, d in enumerate(doc_ids)}
    unit_doc = np.array([where[d] for d in doc_col], dtype=np.int64)
    texts = [t if isinstance(t, str) else "" for t in u["text"]]
    gcodes, _ = pd.factorize(group_labels(documents, doc_ids, group).to_numpy(), sort=True)
    res = boilerplate_counts(
        iter([(np.arange(len(texts)), texts)]), lambda ids: unit_doc[ids], len(doc_ids),
        np.asarray(gcodes, dtype=np.int64), lambda ids: [texts[i] for i in ids],
        threshold=threshold, min_chars=min_chars, min_docs=min_docs, num_perm=num_perm, seed=seed,
        lsh_max_keys=lsh_max_keys, max_bucket=max_bucket,
    )  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(res.n_sentences > 0, res.n_shared / np.maximum(res.n_sentences, 1), np.nan)
    bp = pd.DataFrame({"doc_id": pd.Series(doc_ids, dtype=object), "n_sentences": res.n_sentences,
                       "n_shared": res.n_shared, "share": share.astype(float)})
    return BoilerplateResult(bp[BOILERPLATE_COLUMNS], res.formulas)
