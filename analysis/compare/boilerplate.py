"""Boilerplate: how much of a notice is shared, near-verbatim, with notices of other groups.

Sentences are the pieces of unit text between ``。！？；`` or line breaks, with a leading enumerator
(``一是``, ``（一）``, ``1.``, ``一、``…) removed; the comparison key drops whitespace, punctuation and
symbols; sentences whose key is shorter than ``min_chars`` are ignored, and a notice's sentences are
its distinct keys (so text repeated across unit kinds counts once).

Two sentences are near-duplicates when the Jaccard similarity of their character 4-shingle sets
(Broder 1997) is at least ``threshold`` (default 0.7). Candidates come from MinHash LSH (datasketch
``MinHashLSH``, ``num_perm`` = 128 permutations, scheme ``affine32``, fixed ``seed``, CRC-32
shingle hash; Broder 1997; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets* ch. 3); each
candidate pair is then checked with the exact Jaccard, and no pair outside an LSH bucket is compared.

- ``boilerplate``: per notice, ``n_sentences``, ``n_shared`` = sentences with an exact or
  near-duplicate in a notice of another group, ``share = n_shared / n_sentences`` (NaN if none).
- ``boilerplate_formulas``: near-duplicate sentences linked transitively form a formula; its text
  is the variant used by the most notices (then the shortest, then the first in code-point order);
  ``n_docs``/``n_groups`` count the notices and groups using any variant. Formulas used by at least
  ``min_docs`` notices are listed, most groups first.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import defaultdict
from typing import NamedTuple

import numpy as np
import pandas as pd
from datasketch import MinHash, MinHashLSH

from analysis.compare import DEFAULT_GROUP, group_labels

BOILERPLATE_COLUMNS = ["doc_id", "n_sentences", "n_shared", "share"]
FORMULA_COLUMNS = ["formula", "n_docs", "n_groups"]

SHINGLE = 4
THRESHOLD = 0.7
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"

_SPLIT = re.compile(r"[。！？；!?;\n]+")
_ENUM = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、是]|\d{1,3}[.、．)）]|"
    r"[①②③④⑤⑥⑦⑧⑨⑩])\s*"
)


class BoilerplateResult(NamedTuple):
    boilerplate: pd.DataFrame
    boilerplate_formulas: pd.DataFrame


def _hash32(b: bytes) -> int:
    return zlib.crc32(b)


def sentence_key(sentence: str) -> str:
    """The comparison key of a sentence: enumerator, whitespace, punctuation and symbols removed."""
    s = _ENUM.sub("", sentence)
    return "".join(c for c in s if not (c.isspace() or unicodedata.category(c)[0] in "PSZ"))


def split_sentences(text: str | None) -> list[str]:
    """Sentences of a text (stripped, leading enumerator removed, empty pieces dropped)."""
    if not text:
        return []
    out = []
    for piece in _SPLIT.split(text):
        s = _ENUM.sub("", piece).strip(" ，,：:")
        if s:
            out.append(s)
    return out


def shingles(key: str, k: int = SHINGLE) -> set[str]:
    """Character k-shingles of a key (the key itself when shorter than k)."""
    if len(key) <= k:
        return {key}
    return {key[i : i + k] for i in range(len(key) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if (a or b) else 1.0


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        p = self.parent
        while p[i] != i:
            p[i] = p[p[i]]
            i = p[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def near_duplicate_pairs(
    keys: list[str],
    threshold: float = THRESHOLD,
    num_perm: int = NUM_PERM,
    seed: int = SEED,
    batch: int = 5000,
) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of distinct keys whose shingle Jaccard ≥ ``threshold``."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(keys), batch):
        part = keys[start : start + batch]
        sets = [shingles(k) for k in part]
        hashes = MinHash.bulk(
            [[s.encode("utf-8") for s in sorted(sh)] for sh in sets],
            num_perm=num_perm,
            seed=seed,
            hashfunc=_hash32,
            scheme=SCHEME,
        )
        for off, (mh, sh) in enumerate(zip(hashes, sets, strict=True)):
            i = start + off
            for j in sorted(lsh.query(mh)):
                if jaccard(sh, shingles(keys[j])) >= threshold:
                    pairs.append((j, i))
            lsh.insert(i, mh, check_duplication=False)
    return sorted(pairs)


def boilerplate(
    units: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    group: str = DEFAULT_GROUP,
    *,
    unit_kinds: tuple[str, ...] | None = None,
    threshold: float = THRESHOLD,
    min_chars: int = 10,
    min_docs: int = 2,
    num_perm: int = NUM_PERM,
    seed: int = SEED,
) -> BoilerplateResult:
    """Per-notice boilerplate share and the most repeated formulas (see module docstring)."""
    u = units if unit_kinds is None else units[units["unit_kind"].isin(unit_kinds)]
    u = u.sort_values(["doc_id", "unit_kind", "unit_no"], kind="mergesort")
    key_index: dict[str, int] = {}
    keys: list[str] = []
    display: list[str] = []
    doc_keys: dict[str, list[int]] = {}
    for doc_id, text in zip(u["doc_id"].astype(str), u["text"], strict=True):
        seen = doc_keys.setdefault(doc_id, [])
        if not isinstance(text, str):
            continue
        for sent in split_sentences(text):
            k = sentence_key(sent)
            if len(k) < min_chars:
                continue
            idx = key_index.get(k)
            if idx is None:
                idx = key_index[k] = len(keys)
                keys.append(k)
                display.append(sent)
            seen.append(idx)
    doc_ids = sorted(doc_keys)
    for d in doc_ids:
        doc_keys[d] = list(dict.fromkeys(doc_keys[d]))
    groups = dict(zip(doc_ids, group_labels(documents, doc_ids, group), strict=True))

    key_docs: list[set[str]] = [set() for _ in keys]
    for d in doc_ids:
        for k in doc_keys[d]:
            key_docs[k].add(d)
    key_groups = [{groups[d] for d in ds} for ds in key_docs]

    pairs = near_duplicate_pairs(keys, threshold, num_perm, seed)
    near_groups = [set(g) for g in key_groups]
    uf = _UnionFind(len(keys))
    for i, j in pairs:
        near_groups[i] |= key_groups[j]
        near_groups[j] |= key_groups[i]
        uf.union(i, j)

    rows = []
    for d in doc_ids:
        ks = doc_keys[d]
        g = groups[d]
        n_shared = sum(1 for k in ks if near_groups[k] - {g})
        rows.append((d, len(ks), n_shared, n_shared / len(ks) if ks else np.nan))
    bp = pd.DataFrame(rows, columns=BOILERPLATE_COLUMNS)
    bp["n_sentences"] = bp["n_sentences"].astype("int64")
    bp["n_shared"] = bp["n_shared"].astype("int64")
    bp["share"] = bp["share"].astype(float)

    comps: dict[int, list[int]] = defaultdict(list)
    for i in range(len(keys)):
        comps[uf.find(i)].append(i)
    frows = []
    for members in comps.values():
        docs = set().union(*(key_docs[i] for i in members))
        if len(docs) < min_docs:
            continue
        grps = {groups[d] for d in docs}
        best = min(members, key=lambda i: (-len(key_docs[i]), len(keys[i]), keys[i]))
        frows.append((display[best], len(docs), len(grps)))
    formulas = pd.DataFrame(frows, columns=FORMULA_COLUMNS)
    formulas = formulas.sort_values(
        ["n_groups", "n_docs", "formula"], ascending=[False, False, True], kind="mergesort"
    ).reset_index(drop=True)
    formulas[["n_docs", "n_groups"]] = formulas[["n_docs", "n_groups"]].astype("int64")
    return BoilerplateResult(bp, formulas)
