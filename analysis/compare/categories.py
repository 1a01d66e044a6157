"""Problem categories of the inspection framework (taxonomy ``analysis/data/categories.json``).

The framework is that of 《中国共产党巡视工作条例》 (2017 rev.), which 巡察 follows: 党的领导,
党的建设, 全面从严治党 ("三个聚焦"; "四个落实" from 2018), plus 意识形态 and 巡察整改落实, each with
sub-categories. Rules, applied in order to each problem:

1. ``area`` — the problem's area heading (else its sub-area heading; enumerator and whitespace
   removed) matches a framework label pattern of a category (``党的领导方面``, ``聚焦群众身边的不正之风方面``, ``全面从严治党…``);
   patterns are tried in the taxonomy's ``area_precedence``. Confidence 0.9.
2. Keywords — per (category, sub-category) ``hits`` = number of distinct keywords occurring as
   substrings. ``own(c) = Σ_s 2·hits(heading) + hits(finding)``; an area heading that is itself a
   problem statement (``基层党组织组织力欠缺…``) adds ``area(c) = Σ_s hits(area)``. The category
   maximises ``total = own + area`` (ties: larger ``own``, then taxonomy order); ``rule`` is
   ``keyword`` if ``own > 0`` for it, else ``area``. Confidence ``0.85·t1/(t1 + t2)`` (keyword) or
   ``0.7·t1/(t1 + t2)`` (area), ``t1, t2`` the best and second-best totals.
3. ``centroid`` — otherwise the nearest (cosine) TF-IDF centroid (sublinear tf, smooth idf, L2; Salton
   & Buckley 1988) of the problems labelled by rules 1–2, one centroid per (category, sub-category),
   over heading + finding tokens of ``kinds`` (default content words, :mod:`analysis.tokens.kinds`)
   without stopwords (level ``formulaic``) and placeholder tokens (``X``, ``XX`` of anonymised
   notices). Confidence ``0.6·cos``.
4. ``default`` — the taxonomy's default label (``其他``), confidence 0.

The sub-category (rules 1–2) maximises ``2·hits(heading) + hits(finding)`` among the category's
sub-categories; a problem-statement area's hits break ties (a framework-label area is not used);
remaining ties go to taxonomy order; ``None`` when no keyword of the category occurs.

Computation: rules 1–2 run on arrays of problems (:func:`rule_labels`): keyword hits come from one
pass over the concatenated texts that checks a keyword only where its first two characters occur
(:func:`sub_hits`), framework areas are matched once per distinct heading, and the choices are numpy
over the hit matrix; rule 3 reads the problems' term counts in blocks
(:mod:`analysis.compare.termcounts`). The labels are those of the rules as stated above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.compare import is_placeholder
from analysis.compare.params import CATEGORIES
from analysis.compare.termcounts import TermCounts, Tfidf, bags_counts, kind_mask
from analysis.genre.enumerators import fragment as enumerator_fragment
from analysis.schema import TABLES
from analysis.tokens.kinds import token_kind
from analysis.tokens.segment import Engine, segment_text, stopwords
from analysis.vocab import load_json

TAXONOMY = "categories.json"
CATEGORY_COLUMNS = TABLES["problem_categories"].column_names
AREA_CONFIDENCE = 0.9
KEYWORD_CONFIDENCE = 0.85
AREA_KEYWORD_CONFIDENCE = 0.7
CENTROID_CONFIDENCE = 0.6

AREA_ENUMERATORS = ("cn_dun", "cn_paren", "ar_dot", "ar_paren", "ordinal")
"""Enumerators removed from the start of an area heading (numbering.csv families)."""
_ENUM = re.compile(f"^{enumerator_fragment(AREA_ENUMERATORS)}")


@dataclass(frozen=True)
class Taxonomy:
    version: str
    categories: tuple[str, ...]
    subs: dict[str, tuple[str, ...]]
    keywords: dict[tuple[str, str], tuple[str, ...]]
    area_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    default: tuple[str, str | None]


@cache
def taxonomy() -> Taxonomy:
    """The packaged taxonomy, parsed."""
    raw = load_json(TAXONOMY)
    cats = tuple(c["category"] for c in raw["categories"])
    subs = {c["category"]: tuple(s["sub_category"] for s in c["sub_categories"]) for c in raw["categories"]}
    kws = {
        (c["category"], s["sub_category"]): tuple(dict.fromkeys(s["keywords"]))
        for c in raw["categories"]
        for s in c["sub_categories"]
    }
    by_cat = {c["category"]: c.get("area_patterns", []) for c in raw["categories"]}
    order = raw.get("area_precedence", list(cats))
    pats = tuple((c, re.compile(p)) for c in order for p in by_cat[c])
    d = raw.get("default", {})
    return Taxonomy(raw["version"], cats, subs, kws, pats, (d.get("category", "其他"), d.get("sub_category")))


def _clean_area(area: str | None) -> str:
    if not isinstance(area, str):
        return ""
    s = re.sub(r"\s+", "", area)
    return _ENUM.sub("", s)


def area_category(area: str | None) -> str | None:
    """Category of a framework-label area heading, or None if it is not one."""
    s = _clean_area(area)
    if not s:
        return None
    for cat, rx in taxonomy().area_patterns:
        if rx.search(s):
            return cat
    return None


# ---------------------------------------------------------------- vectorised rules


@dataclass(frozen=True)
class _Matcher:
    """Keyword lookup by first two characters: a keyword occurs where its first bigram does and the
    text continues with it, so only those positions are checked (all keywords have ≥ 2 characters)."""

    subs: tuple[tuple[str, str], ...]  # (category, sub-category) in taxonomy order
    sub_cat: np.ndarray  # category index of each sub
    cat_subs: tuple[np.ndarray, ...]  # sub indices of each category
    bigrams: np.ndarray  # sorted distinct first bigrams (code point pairs)
    by_bigram: dict[int, tuple[tuple[int, str], ...]]  # bigram → (sub index, keyword)
    single: tuple[tuple[int, str], ...]  # one-character keywords, checked with ``in``


@cache
def _matcher() -> _Matcher:
    tax = taxonomy()
    subs = tuple((c, s) for c in tax.categories for s in tax.subs[c])
    sub_cat = np.array([tax.categories.index(c) for c, _ in subs], dtype=np.int64)
    cat_subs = tuple(np.flatnonzero(sub_cat == i) for i in range(len(tax.categories)))
    by: dict[int, list[tuple[int, str]]] = {}
    single = []
    for i, key in enumerate(subs):
        for w in tax.keywords.get(key, ()):
            if len(w) < 2:
                single.append((i, w))
            else:
                by.setdefault((ord(w[0]) << 21) | ord(w[1]), []).append((i, w))
    return _Matcher(subs, sub_cat, cat_subs, np.array(sorted(by), dtype=np.int64),
                    {k: tuple(v) for k, v in by.items()}, tuple(single))


def sub_hits(texts: list[str | None]) -> np.ndarray:
    """Matrix ``texts × subs``: how many distinct keywords of each (category, sub-category) occur in
    each text (vectorised: one pass over the concatenated texts finds the candidates)."""
    m = _matcher()
    out = np.zeros((len(texts), len(m.subs)), dtype=np.int64)
    clean = [t if isinstance(t, str) else "" for t in texts]
    if not clean:
        return out
    big = "\x00".join(clean)
    code = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum([len(t) + 1 for t in clean])[:-1]])
    pairs: set[tuple[int, int, str]] = set()
    if len(code) >= 2 and len(m.bigrams):
        bg = (code[:-1] << 21) | code[1:]
        cand = np.flatnonzero(np.isin(bg, m.bigrams))
        owner = np.searchsorted(starts, cand, side="right") - 1
        for p, t, b in zip(cand.tolist(), owner.tolist(), bg[cand].tolist(), strict=True):
            for i, w in m.by_bigram[b]:
                if big.startswith(w, p):
                    pairs.add((t, i, w))
    for i, w in m.single:
        for t, text in enumerate(clean):
            if w in text:
                pairs.add((t, i, w))
    if pairs:
        arr = np.array([(t, i) for t, i, _ in pairs], dtype=np.int64)
        np.add.at(out, (arr[:, 0], arr[:, 1]), 1)
    return out


RULE_CODES = ("area", "keyword", "centroid", "default")


class RuleLabels(NamedTuple):
    """Per problem: category index (−1 none), sub index into ``_matcher().subs`` (−1 none), rule
    index into ``RULE_CODES`` (−1 none) and confidence (NaN none)."""

    category: np.ndarray
    sub: np.ndarray
    rule: np.ndarray
    confidence: np.ndarray


def _best_subs(cats: np.ndarray, own: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Sub of each row's category maximising ``(own, area)`` (first in taxonomy order; −1 if 0)."""
    m = _matcher()
    key = own * 100_000 + area
    out = np.full(len(cats), -1, dtype=np.int64)
    for c, idx in enumerate(m.cat_subs):
        rows = np.flatnonzero(cats == c)
        if len(rows) == 0 or len(idx) == 0:
            continue
        k = key[np.ix_(rows, idx)]
        best = np.argmax(k, axis=1)
        ok = k[np.arange(len(rows)), best] > 0
        out[rows[ok]] = idx[best[ok]]
    return out


def rule_labels(area, sub_area, heading, finding) -> RuleLabels:
    """Rules 1–2 for arrays of problems (module docstring); rows without a label get −1."""
    tax = taxonomy()
    m = _matcher()
    n = len(heading)
    areas = list(zip(list(area), list(sub_area), strict=True))
    distinct = list(dict.fromkeys(areas))
    where = {a: i for i, a in enumerate(distinct)}
    a_idx = np.array([where[a] for a in areas], dtype=np.int64)
    a_cat = np.array([tax.categories.index(c) if (c := area_category(a) or area_category(s)) else -1
                      for a, s in distinct], dtype=np.int64)[a_idx] if n else np.zeros(0, dtype=np.int64)
    a_hits = sub_hits([_clean_area(a) + "\n" + _clean_area(s) for a, s in distinct])[a_idx]
    h = sub_hits(list(heading))
    f = sub_hits(list(finding))
    sub_scores = 2 * h + f
    n_cat = len(tax.categories)
    member = np.zeros((len(m.subs), n_cat), dtype=np.int64)
    member[np.arange(len(m.subs)), m.sub_cat] = 1
    own = sub_scores @ member
    area_s = a_hits @ member
    total = own + area_s
    comp = -(total * 100_000 + own) * 16 + np.arange(n_cat)[None, :]
    ranked = np.argsort(comp, axis=1, kind="stable")
    rows = np.arange(n)
    best = ranked[:, 0] if n else np.zeros(0, dtype=np.int64)
    t1 = total[rows, best].astype(float)
    t2 = total[rows, ranked[:, 1]].astype(float) if n_cat > 1 else np.zeros(n)
    kw = own[rows, best] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        confidence = np.where(kw, KEYWORD_CONFIDENCE, AREA_KEYWORD_CONFIDENCE) * t1 / (t1 + t2)
    category = np.where(t1 > 0, best, -1)
    rule = np.where(t1 > 0, np.where(kw, 1, 0), -1)
    confidence = np.where(t1 > 0, confidence, np.nan)
    sub = _best_subs(category, sub_scores, a_hits)
    framework = a_cat >= 0  # rule 1: a framework-label area heading
    if framework.any():
        category = np.where(framework, a_cat, category)
        rule = np.where(framework, 0, rule)
        confidence = np.where(framework, AREA_CONFIDENCE, confidence)
        sub = np.where(framework, _best_subs(a_cat, sub_scores, np.zeros_like(a_hits)), sub)
    return RuleLabels(category.astype(np.int64), sub.astype(np.int64), rule.astype(np.int64),
                      confidence.astype(float))


def _bags(problems: pd.DataFrame, tokens: pd.DataFrame | None, engine: Engine,
          kinds: tuple[str, ...] | list[str] | None = tuple(CATEGORIES["kinds"])) -> list[list[str]]:
    stop = stopwords("formulaic")
    lookup: dict[tuple[str, int], list[str]] = {}
    if tokens is not None and len(tokens):
        t = tokens[tokens["unit_kind"] == "problem"].sort_values(
            ["doc_id", "unit_no", "position"], kind="mergesort"
        )
        t = t.assign(token=t["token"].where(~t["token"].isin(stop) & kind_mask(t, kinds)))
        for (d, n), part in t.groupby(["doc_id", "unit_no"], sort=False):
            lookup[(str(d), int(n))] = [w for w in part["token"] if isinstance(w, str) and not is_placeholder(w)]
    bags = []
    for d, n, h, f in zip(
        problems["doc_id"].astype(str),
        problems["problem_no"],
        problems["heading"],
        problems["finding"],
        strict=True,
    ):
        bag = lookup.get((d, int(n)))
        if bag is None:
            text = "。".join(x for x in (h, f) if isinstance(x, str) and x)
            bag = [w for w, q in segment_text(text, engine)
                   if w not in stop and any(c.isalnum() for c in w) and not is_placeholder(w)
                   and (kinds is None or token_kind(w, q) in kinds)]
        bags.append(bag)
    return bags


def centroid_labels(
    tc: TermCounts, category: np.ndarray, sub: np.ndarray, batch_size: int = 50_000
) -> tuple[np.ndarray, np.ndarray]:
    """Rule 3 for the unlabelled rows (``category == −1``) of ``tc``: index into the sorted labelled
    keys of the nearest centroid per row (−1 when none or cosine 0) and that cosine.

    Returns ``(key, cosine)`` per row, where keys are the distinct ``(category, sub)`` index pairs of
    labelled rows sorted by (category name, sub name); see :func:`centroid_keys`."""

    n = tc.n_units
    key_of, keys = centroid_keys(category, sub)
    best = np.full(n, -1, dtype=np.int64)
    cosine = np.zeros(n)
    todo = category < 0
    if not todo.any() or todo.all():
        return best, cosine
    tf = Tfidf.fit(tc, 1)
    if len(tf.vocab) == 0:
        return best, cosine
    k = len(keys)
    sums = np.zeros((k, len(tf.vocab)))
    for start, mat in tc.blocks(batch_size):
        x = tf.transform(mat)
        kk = key_of[start : start + x.shape[0]]
        lab = np.flatnonzero(kk >= 0)
        ind = sparse.csr_matrix((np.ones(len(lab)), (kk[lab], lab)), shape=(k, x.shape[0]))
        sums += (ind @ x).toarray()
    sizes = np.bincount(key_of[key_of >= 0], minlength=k)
    cents = sums / np.maximum(sizes, 1)[:, None]
    norms = np.linalg.norm(cents, axis=1)
    cents = cents / np.where(norms > 0, norms, 1)[:, None]
    idx = np.flatnonzero(todo)
    for s in range(0, len(idx), batch_size):
        part = idx[s : s + batch_size]
        sims = np.asarray(tf.transform(tc.rows(part)) @ cents.T)
        j = np.argmax(sims, axis=1)  # first maximum: deterministic tie-break by sorted key
        v = sims[np.arange(len(part)), j]
        ok = v > 0
        best[part[ok]] = j[ok]
        cosine[part[ok]] = v[ok]
    return best, cosine


def centroid_keys(category: np.ndarray, sub: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Index of each labelled row's (category, sub) among the sorted distinct keys (−1 unlabelled)."""
    tax = taxonomy()
    m = _matcher()
    lab = category >= 0
    pairs = sorted({(int(c), int(s)) for c, s in zip(category[lab], sub[lab], strict=True)},
                   key=lambda cs: (tax.categories[cs[0]], m.subs[cs[1]][1] if cs[1] >= 0 else ""))
    where = {p: i for i, p in enumerate(pairs)}
    key_of = np.full(len(category), -1, dtype=np.int64)
    for i in np.flatnonzero(lab):
        key_of[i] = where[(int(category[i]), int(sub[i]))]
    return key_of, pairs


def finish_labels(rules: RuleLabels, key: np.ndarray, cosine: np.ndarray) -> pd.DataFrame:
    """Columns ``category, sub_category, rule, confidence`` from rules 1–2, the centroid rule's
    nearest keys (:func:`centroid_labels`) and the default."""
    tax = taxonomy()
    m = _matcher()
    _, pairs = centroid_keys(rules.category, rules.sub)
    category, sub, rule, conf = (x.copy() for x in rules)
    todo = category < 0
    hit = todo & (key >= 0)
    if hit.any():
        pk = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        category[hit] = pk[key[hit], 0]
        sub[hit] = pk[key[hit], 1]
        rule[hit] = 2
        conf[hit] = CENTROID_CONFIDENCE * cosine[hit]
    default = todo & (key < 0)
    d_cat, d_sub = tax.default
    cat_names = np.array(list(tax.categories) + [d_cat], dtype=object)
    sub_names = np.array([s for _, s in m.subs] + [d_sub], dtype=object)
    category[default] = len(tax.categories)
    sub[default] = len(m.subs)
    rule[default] = 3
    conf[default] = 0.0
    return pd.DataFrame(
        {
            "category": cat_names[category],
            "sub_category": np.where(sub >= 0, sub_names[np.where(sub >= 0, sub, 0)], None),
            "rule": np.array(RULE_CODES, dtype=object)[rule],
            "confidence": conf.astype(float),
        }
    )


def classify_problems(
    problems: pd.DataFrame, tokens: pd.DataFrame | None = None, engine: Engine = "rjieba",
    kinds: tuple[str, ...] | list[str] | None = tuple(CATEGORIES["kinds"]),
) -> pd.DataFrame:
    """Category of each problem: ``doc_id, problem_no, category, sub_category, rule, confidence``.

    ``problems`` has ``doc_id, problem_no, area, sub_area, heading, finding`` (others ignored;
    missing text columns count as empty). ``tokens`` (from :func:`analysis.tokens.units.tokenize_units`, rows with
    ``unit_kind == 'problem'`` and ``unit_no == problem_no``) is used for the centroid rule when given;
    otherwise heading + finding are segmented with ``engine``. The centroids use tokens of ``kinds``
    (default content words; ``None``: every kind). Row order follows ``problems``.
    """

    p = problems.reset_index(drop=True).copy()
    for col in ("area", "sub_area", "heading", "finding"):
        if col not in p.columns:
            p[col] = None
    rules = rule_labels(p["area"].to_numpy(dtype=object), p["sub_area"].to_numpy(dtype=object),
                        p["heading"].to_numpy(dtype=object), p["finding"].to_numpy(dtype=object))
    key = np.full(len(p), -1, dtype=np.int64)
    cosine = np.zeros(len(p))
    if (rules.category < 0).any():
        key, cosine = centroid_labels(bags_counts(_bags(p, tokens, engine, kinds)), rules.category, rules.sub)
    out = finish_labels(rules, key, cosine)
    out.insert(0, "problem_no", p["problem_no"].to_numpy())
    out.insert(0, "doc_id", p["doc_id"].astype(str).to_numpy(dtype=object))
    return out[CATEGORY_COLUMNS]
