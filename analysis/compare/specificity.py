"""Specificity of rectification measures: concrete markers against generic intensifiers.

Counts per measure (regular expressions on the normalised text, applied in this order, each match
masked before the next step so nothing is counted twice):

1. ``n_documents`` — cited documents ``《…》`` (a title's own dates/numbers are not counted again);
2. ``n_dates`` — dates and deadlines: ``2023年6月底前``, ``12月31日前``, ``3月``, ``年底前``,
   ``年内``, ``月底前``, ``截至…``, ``30日内``/``3个工作日内``;
3. ``n_money`` — amounts of money: a number (Arabic or Chinese) + optional 余/多 + 万/亿 + 元;
4. ``n_numbers`` — remaining numbers: Arabic numbers (``12``, ``1.5``, ``95%``) and Chinese
   numerals followed by a classifier (``三次``, ``两名``, ``第一批``); lexicon terms that merely
   contain a numeral (``两个维护``, ``四个意识``) are masked first.

On the tokens of :mod:`analysis.segment` (fast engine, domain lexicon):

5. ``n_units`` — mentions of responsible units: a run of consecutive tokens each tagged ``nt`` or
   ending in a unit suffix (街道, 社区, 办公室, 中心, 委员会, 党委, 工委, 支部, 科, 局, 办, 所,
   站, 队, 部, 组…; not a verb, not a listed common noun such as 干部/全部/格局, and at least two
   characters) counts once — ``街道党建办`` and ``社区党委`` are one mention each; words inside a
   cited title ``《…》`` are not mentions;
6. ``n_intensifiers`` — tokens of the formulaic stopword list (进一步, 切实, 持续, 认真落实…).

Score (documented choice): with ``C = n_numbers + n_dates + n_units + n_documents + n_money`` and
``G = n_intensifiers``, ``score = (C − G) / (C + G + 1)`` — in (−1, 1), 0 for a measure with
neither, approaching 1 for concrete and −1 for purely formulaic text; the +1 pulls scores of
measures with few markers toward 0 (one concrete marker alone gives 0.5, five give 0.83). The score
is a project-defined index, not a published measure; lengths are reported (``n_chars``) so
densities per 100 characters can be computed instead.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.compare import DEFAULT_GROUP, group_labels
from analysis.segment import Engine, formulaic_words, lexicon, segment_text

SPECIFICITY_COLUMNS = [
    "doc_id",
    "problem_no",
    "measure_no",
    "n_chars",
    "n_numbers",
    "n_dates",
    "n_units",
    "n_documents",
    "n_money",
    "n_intensifiers",
    "score",
]

_CN_DIGIT = "零〇一二两三四五六七八九"
_CN_NUM = f"[{_CN_DIGIT}十百千万]+"
_MONTH = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_YEAR = rf"(?:\d{{4}}|[{_CN_DIGIT}]{{4}})"
_DEADLINE = r"(?:底前|底|末前|末|初|中旬|上旬|下旬|以前|之前|前|以来|以后|后|内)?"

_DOCUMENT = re.compile(r"《[^《》\n]{1,100}》")
_DATE = re.compile(
    "|".join(
        [
            rf"{_YEAR}年(?:{_MONTH}月(?:{_DAY}[日号])?)?(?:上半年|下半年|第?[一二三四1-4]季度)?{_DEADLINE}",
            rf"{_MONTH}月(?:份)?(?:{_DAY}[日号])?{_DEADLINE}",
            rf"{_DAY}[日号](?:前|以前|之前)",
            r"(?:本|今|明|当)?年(?:底前|底|内|末前|末)",
            r"(?:本|当|每)?(?:月底前|月底|季度末前|季度末|季末)",
            r"(?:\d+|" + _CN_NUM + r")个?(?:工作日|日|天|周|个月|月)(?:之内|以内|内)",
            r"截[至止]",
        ]
    )
)
_MONEY = re.compile(rf"(?:\d+(?:\.\d+)?|{_CN_NUM})(?:余|多)?(?:万|亿)?元")
_CLASSIFIER = "个次名人项条场件家户期篇份批轮处台套笔本位场支座张期栋"
_NUMBER = re.compile(rf"\d+(?:\.\d+)?%?|第?[{_CN_DIGIT}十百千]+(?:余|多)?[{_CLASSIFIER}]")

UNIT_SUFFIXES = (
    "办公室", "办事处", "委员会", "居委会", "村委会", "中心", "街道", "社区", "党委", "党工委", "工委",
    "纪委", "监委", "支部", "党组", "专班", "科", "局", "办", "所", "站", "队", "部", "组",
)  # fmt: skip
NOT_UNITS = frozenset(
    "干部 全部 内部 外部 局部 大局 格局 布局 结局 当局 场所 住所 厕所 处所 网站 车站 团队 梯队 排队 "
    "本部 学科 本科 专科 中心 重心 核心 一部 班组 每组 各组 分组 编组 重组 改组 小组 一组".split()
)


def _numeral_terms() -> re.Pattern[str] | None:
    terms = sorted({w for w, _, _ in lexicon() if re.search(f"[{_CN_DIGIT}十]", w)}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, terms))) if terms else None


_NUMERAL_TERMS = _numeral_terms()


def _count_and_mask(rx: re.Pattern[str], text: str) -> tuple[int, str]:
    n = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal n
        n += 1
        return " " * len(m.group(0))

    masked = rx.sub(repl, text)
    return n, masked


def is_unit_token(token: str, pos: str | None) -> bool:
    """Whether a token names a responsible unit (see module docstring, rule 5)."""
    if pos == "nt":
        return True
    if len(token) < 2 or token in NOT_UNITS or (pos or "").startswith("v"):
        return False
    return token.endswith(UNIT_SUFFIXES)


def measure_markers(text: str | None, engine: Engine = "rjieba") -> dict[str, int]:
    """Marker counts of one measure text (keys as the ``n_*`` columns)."""
    text = text or ""
    n_documents, rest = _count_and_mask(_DOCUMENT, text)
    n_dates, rest = _count_and_mask(_DATE, rest)
    n_money, rest = _count_and_mask(_MONEY, rest)
    if _NUMERAL_TERMS is not None:
        _, rest = _count_and_mask(_NUMERAL_TERMS, rest)
    n_numbers, _ = _count_and_mask(_NUMBER, rest)
    intens = formulaic_words()
    n_units = 0
    n_int = 0
    prev_unit = False
    depth = 0  # inside a cited title 《…》: its words are not mentions
    for tok, pos in segment_text(text, engine):
        if tok == "《":
            depth += 1
        elif tok == "》":
            depth = max(depth - 1, 0)
        unit = depth == 0 and is_unit_token(tok, pos)
        if unit and not prev_unit:
            n_units += 1
        prev_unit = unit
        if tok in intens:
            n_int += 1
    return {
        "n_chars": len(text),
        "n_numbers": n_numbers,
        "n_dates": n_dates,
        "n_units": n_units,
        "n_documents": n_documents,
        "n_money": n_money,
        "n_intensifiers": n_int,
    }


def specificity_score(concrete, generic) -> np.ndarray:
    """``(C − G) / (C + G + 1)``."""
    c = np.asarray(concrete, dtype=float)
    g = np.asarray(generic, dtype=float)
    return (c - g) / (c + g + 1.0)


def measure_specificity(measures: pd.DataFrame, engine: Engine = "rjieba") -> pd.DataFrame:
    """Table ``measure_specificity``: one row per measure (columns ``SPECIFICITY_COLUMNS``)."""
    rows = [measure_markers(t if isinstance(t, str) else "", engine) for t in measures["text"]]
    counts = pd.DataFrame(rows, columns=SPECIFICITY_COLUMNS[3:-1]).astype("int64")
    out = pd.concat([measures[["doc_id", "problem_no", "measure_no"]].reset_index(drop=True), counts], axis=1)
    concrete = out[["n_numbers", "n_dates", "n_units", "n_documents", "n_money"]].sum(axis=1)
    out["score"] = specificity_score(concrete, out["n_intensifiers"])
    return out[SPECIFICITY_COLUMNS]


def specificity_by_group(
    measure_specificity: pd.DataFrame, documents: pd.DataFrame | None = None, group: str = DEFAULT_GROUP
) -> pd.DataFrame:
    """Distribution of ``score`` per group: ``group, n_measures, mean, std, q25, median, q75,
    share_positive, share_negative, mean_chars``."""
    cols = ["group", "n_measures", "mean", "std", "q25", "median", "q75", "share_positive", "share_negative",
            "mean_chars"]  # fmt: skip
    if len(measure_specificity) == 0:
        return pd.DataFrame(columns=cols)
    m = measure_specificity.assign(
        group=group_labels(documents, measure_specificity["doc_id"], group).to_numpy()
    )
    g = m.groupby("group", sort=True)
    out = pd.DataFrame(
        {
            "n_measures": g.size(),
            "mean": g["score"].mean(),
            "std": g["score"].std(ddof=1),
            "q25": g["score"].quantile(0.25),
            "median": g["score"].median(),
            "q75": g["score"].quantile(0.75),
            "share_positive": g["score"].apply(lambda s: float((s > 0).mean())),
            "share_negative": g["score"].apply(lambda s: float((s < 0).mean())),
            "mean_chars": g["n_chars"].mean(),
        }
    )
    return out.rename_axis("group").reset_index()[cols]
