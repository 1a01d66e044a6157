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
   over heading + finding tokens without stopwords (level ``formulaic``). Confidence ``0.6·cos``.
4. ``default`` — the taxonomy's default label (``其他``), confidence 0.

The sub-category (rules 1–2) maximises ``2·hits(heading) + hits(finding)`` among the category's
sub-categories; a problem-statement area's hits break ties (a framework-label area is not used);
remaining ties go to taxonomy order; ``None`` when no keyword of the category occurs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from analysis.segment import Engine, segment_text, stopwords
from analysis.vocab import load_json

TAXONOMY = "categories.json"
CATEGORY_COLUMNS = ["doc_id", "problem_no", "category", "sub_category", "rule", "confidence"]
AREA_CONFIDENCE = 0.9
KEYWORD_CONFIDENCE = 0.85
AREA_KEYWORD_CONFIDENCE = 0.7
CENTROID_CONFIDENCE = 0.6

_ENUM = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、是.]|\d{1,3}[.、)）])"
)


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


def keyword_hits(text: str | None) -> dict[tuple[str, str], int]:
    """Distinct keywords of each (category, sub-category) occurring in ``text``."""
    if not isinstance(text, str) or not text:
        return {}
    return {key: n for key, words in taxonomy().keywords.items() if (n := sum(1 for w in words if w in text))}


def _best_sub(
    cat: str, own: dict[tuple[str, str], float], area: dict[tuple[str, str], int] | None = None
) -> str | None:
    best, best_key = None, (0.0, 0)
    for s in taxonomy().subs[cat]:
        key = (own.get((cat, s), 0.0), (area or {}).get((cat, s), 0))
        if key > best_key:
            best, best_key = s, key
    return best


def _rule_label(
    area: str | None, sub_area: str | None, heading: str | None, finding: str | None
) -> tuple[str, str | None, str, float] | None:
    tax = taxonomy()
    h = keyword_hits(heading)
    f = keyword_hits(finding)
    a = keyword_hits(_clean_area(area) + "\n" + _clean_area(sub_area))
    sub_scores: dict[tuple[str, str], float] = {}
    for src, w in ((h, 2.0), (f, 1.0)):
        for k, n in src.items():
            sub_scores[k] = sub_scores.get(k, 0.0) + w * n
    cat = area_category(area) or area_category(sub_area)
    if cat is not None:
        return cat, _best_sub(cat, sub_scores), "area", AREA_CONFIDENCE
    own = {c: 0.0 for c in tax.categories}
    area_s = {c: 0.0 for c in tax.categories}
    for (c, _), n in h.items():
        own[c] += 2.0 * n
    for (c, _), n in f.items():
        own[c] += n
    for (c, _), n in a.items():
        area_s[c] += n
    ranked = sorted(tax.categories, key=lambda c: (-(own[c] + area_s[c]), -own[c], tax.categories.index(c)))
    t1 = own[ranked[0]] + area_s[ranked[0]]
    if t1 <= 0:
        return None
    t2 = own[ranked[1]] + area_s[ranked[1]] if len(ranked) > 1 else 0.0
    best = ranked[0]
    if own[best] > 0:
        return best, _best_sub(best, sub_scores, a), "keyword", KEYWORD_CONFIDENCE * t1 / (t1 + t2)
    return best, _best_sub(best, sub_scores, a), "area", AREA_KEYWORD_CONFIDENCE * t1 / (t1 + t2)


def _bags(problems: pd.DataFrame, tokens: pd.DataFrame | None, engine: Engine) -> list[list[str]]:
    stop = stopwords("formulaic")
    lookup: dict[tuple[str, int], list[str]] = {}
    if tokens is not None and len(tokens):
        t = tokens[tokens["unit_kind"] == "problem"].sort_values(
            ["doc_id", "unit_no", "position"], kind="mergesort"
        )
        for (d, n), part in t.groupby(["doc_id", "unit_no"], sort=False):
            lookup[(str(d), int(n))] = [w for w in part["token"] if w not in stop]
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
            bag = [w for w, _ in segment_text(text, engine) if w not in stop and any(c.isalnum() for c in w)]
        bags.append(bag)
    return bags


def _centroid_labels(
    bags: list[list[str]], labels: list[tuple[str, str | None] | None]
) -> list[tuple[str, str | None, float] | None]:
    from analysis.compare.clustering import tfidf_matrix

    todo = [i for i, lab in enumerate(labels) if lab is None]
    done = [i for i, lab in enumerate(labels) if lab is not None]
    out: list[tuple[str, str | None, float] | None] = [None] * len(labels)
    if not todo or not done:
        return out
    x, vocab = tfidf_matrix(bags, min_df=1)
    if x.shape[1] == 0:
        return out
    keys = sorted({labels[i] for i in done}, key=lambda k: (k[0], k[1] or ""))
    cents = np.vstack([np.asarray(x[[i for i in done if labels[i] == k]].mean(axis=0)).ravel() for k in keys])
    norms = np.linalg.norm(cents, axis=1)
    cents = cents / np.where(norms > 0, norms, 1)[:, None]
    sims = np.asarray(x[todo] @ cents.T)
    for row, i in enumerate(todo):
        j = int(np.argmax(sims[row]))  # first maximum: deterministic tie-break by sorted key
        if sims[row, j] > 0:
            out[i] = (keys[j][0], keys[j][1], float(sims[row, j]))
    return out


def classify_problems(
    problems: pd.DataFrame, tokens: pd.DataFrame | None = None, engine: Engine = "rjieba"
) -> pd.DataFrame:
    """Category of each problem: ``doc_id, problem_no, category, sub_category, rule, confidence``.

    ``problems`` has ``doc_id, problem_no, area, sub_area, heading, finding`` (others ignored;
    missing text columns count as empty). ``tokens`` (from :func:`analysis.segment.tokenize_units`, rows with
    ``unit_kind == 'problem'`` and ``unit_no == problem_no``) is used for the centroid rule when given;
    otherwise heading + finding are segmented with ``engine``. Row order follows ``problems``.
    """
    p = problems.reset_index(drop=True).copy()
    for col in ("area", "sub_area", "heading", "finding"):
        if col not in p.columns:
            p[col] = None
    rules = [
        _rule_label(a, sa, h, f)
        for a, sa, h, f in zip(p["area"], p["sub_area"], p["heading"], p["finding"], strict=True)
    ]
    out = pd.DataFrame(
        {
            "doc_id": p["doc_id"].astype(str).to_numpy(dtype=object),
            "problem_no": p["problem_no"].to_numpy(),
            "category": [r[0] if r else None for r in rules],
            "sub_category": [r[1] if r else None for r in rules],
            "rule": [r[2] if r else None for r in rules],
            "confidence": [r[3] if r else np.nan for r in rules],
        }
    )
    if any(r is None for r in rules):
        bags = _bags(p, tokens, engine)
        labels = [(r[0], r[1]) if r else None for r in rules]
        cent = _centroid_labels(bags, labels)
        default_cat, default_sub = taxonomy().default
        for i, r in enumerate(rules):
            if r is not None:
                continue
            c = cent[i]
            if c is not None:
                out.loc[i, ["category", "sub_category", "rule", "confidence"]] = [
                    c[0],
                    c[1],
                    "centroid",
                    CENTROID_CONFIDENCE * c[2],
                ]
            else:
                out.loc[i, ["category", "sub_category", "rule", "confidence"]] = [
                    default_cat,
                    default_sub,
                    "default",
                    0.0,
                ]
    out["confidence"] = out["confidence"].astype(float)
    return out[CATEGORY_COLUMNS]
