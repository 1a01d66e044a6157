"""Specificity of measures: marker counts on invented measures, score, per-group distribution."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.compare import DEFAULT_GROUP, group_labels
from analysis.compare.specificity import SPECIFICITY_COLUMNS, measure_markers, measure_specificity

MEASURES = pd.DataFrame(
    {
        "doc_id": ["d1", "d1", "d2", "d2", "d2"],
        "problem_no": [1, 1, 1, 2, 2],
        "measure_no": [1, 2, 1, 1, 2],
        "text": [
            "由街道党建办牵头，于2023年6月底前完成3个社区的专项资金清理，追回资金1.5万元，制定《社区财务管理办法》。",
            "进一步提高认识，切实加强管理，持续深入推进整改。",
            "截至目前，已对2名党员进行批评教育，召开专题会议三次。",
            "坚决做到“两个维护”，增强“四个意识”，于12月31日前完成，30个工作日内办结，第一批5人。",
            None,
        ],
    }
)


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


@pytest.mark.parametrize(
    ("i", "expected"),
    [
        # 2023年6月底前 | 1.5万元 | 3 | 街道党建办, 社区 (not the 社区 inside 《…》) | 《…》
        (0, dict(n_numbers=1, n_dates=1, n_units=2, n_documents=1, n_money=1, n_intensifiers=0)),
        # 进一步提高, 切实加强, 持续, 深入
        (1, dict(n_numbers=0, n_dates=0, n_units=0, n_documents=0, n_money=0, n_intensifiers=4)),
        # 截至 | 2(名), 三次
        (2, dict(n_numbers=2, n_dates=1, n_units=0, n_documents=0, n_money=0, n_intensifiers=0)),
        # 12月31日前, 30个工作日内 | 第一批, 5 (两个维护/四个意识 are not numbers) | 坚决
        (3, dict(n_numbers=2, n_dates=2, n_units=0, n_documents=0, n_money=0, n_intensifiers=1)),
    ],
)
def test_marker_counts(i, expected):
    got = measure_markers(MEASURES["text"][i])
    assert {k: got[k] for k in expected} == expected
    assert got["n_chars"] == len(MEASURES["text"][i])


def test_units_and_money_variants():
    got = measure_markers("督促各社区党委严格执行财务制度，社区居委会交办事项按时办结，由纪工委督办。")
    assert got["n_units"] == 3  # 各社区党委 / 社区居委会 / 纪工委; 交办, 督办 are verbs
    got = measure_markers("2022年以来，共收回租金三万元，11月份召开会议，年底前整改到位，占比达95%。")
    assert (got["n_dates"], got["n_money"], got["n_numbers"]) == (3, 1, 1)


def test_measure_specificity_table_and_score():
    t = measure_specificity(MEASURES)
    assert list(t.columns) == SPECIFICITY_COLUMNS
    assert len(t) == len(MEASURES)
    assert t.loc[0, "score"] == pytest.approx((6 - 0) / (6 + 0 + 1))
    assert t.loc[1, "score"] == pytest.approx((0 - 4) / (0 + 4 + 1))
    assert t.loc[4, "score"] == 0 and t.loc[4, "n_chars"] == 0
    assert t["score"].between(-1, 1).all()
    pd.testing.assert_frame_equal(t, measure_specificity(MEASURES))


def test_specificity_by_group():
    t = measure_specificity(MEASURES)
    docs = pd.DataFrame({"doc_id": ["d1", "d2"], "district": ["甲区", "乙区"]})
    g = specificity_by_group(t, docs)
    g = g.set_index("group")
    assert sorted(g.index) == ["乙区", "甲区"]
    assert g.loc[["甲区", "乙区"], "n_measures"].tolist() == [2, 3]
    assert g.loc["甲区", "mean"] == pytest.approx(t.loc[:1, "score"].mean())
    assert g.loc["甲区", "share_positive"] == 0.5


def test_stored_tokens_align_or_fall_back():
    """Unit mentions from stored tokens: punctuation between two unit words breaks the run, words in
    《…》 are not mentions; a token containing punctuation sends the measure to the direct path."""
    import numpy as np

    from analysis.compare.specificity import MARKER_COLUMNS, markers, token_flags

    texts = ["由街道，社区党委负责《社区党委工作规则》落实", "》街道《社区》办公室", "A·B街道党委督办"]
    toks = [["由", "街道", "社区党委", "负责", "社区党委", "工作", "规则", "落实"],
            ["街道", "社区", "办公室"],
            ["A·B", "街道党委", "督办"]]  # noqa: RUF001
    pos = [["p", "n", "nt", "v", "nt", "vn", "n", "v"], ["n", "n", "n"], ["eng", "nt", "v"]]
    offsets = np.cumsum([0] + [len(t) for t in toks])
    flat = [t for ts in toks for t in ts]
    flags = token_flags(flat, [p for ps in pos for p in ps])
    position = np.concatenate([np.arange(len(t))[::-1] for t in toks])  # rows in any order
    flags = np.concatenate([flags[offsets[i] : offsets[i + 1]][::-1] for i in range(len(toks))])
    counts, fallback = markers(texts, offsets, position, flags)
    assert fallback == 1
    units = dict(zip(MARKER_COLUMNS, counts.T, strict=True))["n_units"]
    assert units[0] == 2 and units[1] == 2
    assert counts[2].tolist() == [measure_markers(texts[2])[c] for c in MARKER_COLUMNS]


def test_regex_counts_equal_measure_markers():
    import numpy as np

    from analysis.compare.specificity import MARKER_COLUMNS, regex_counts

    texts = list(MEASURES["text"].fillna("")) + [
        "多行\n2023年6月\n底前完成3个社区\n《办法》", "", "\n", "12月31日前\n\n追回1.5万元", "含\x01控制符的2023年6月底前完成",
    ]
    got = regex_counts(texts)
    cols = [MARKER_COLUMNS.index(c) for c in ("n_chars", "n_numbers", "n_dates", "n_documents", "n_money")]
    want = np.array([[measure_markers(t)[MARKER_COLUMNS[c]] for c in cols] for t in texts])
    assert (got[:, cols] == want).all()
