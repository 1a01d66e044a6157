"""The genre definitions of enumerators, book titles and dates, on small invented texts, and the
agreement of every table that describes measures (parser features and specificity counts)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.compare.specificity import MARKER_COLUMNS, measure_markers, measure_specificity, regex_counts
from analysis.genre import dates, enumerators, titles
from analysis.ingest.normalize import normalize_text
from analysis.notice.parse import measure_features, parse_notice

# ---------------------------------------------------------------- enumerators


@pytest.mark.parametrize(("family", "text", "marker"), [
    ("cn_dun", "一、总体情况", "一、"),
    ("cn_dun", "十二．加强", "十二．"),
    ("cn_dun", "一是加强", None),  # an ordinal, not a heading marker
    ("cn_paren", "（三）关于", "（三）"),
    ("cn_paren", "( 十一 )关于", "( 十一 )"),
    ("ar_dot", "1.针对", "1."),
    ("ar_dot", "1.5万元", None),  # a decimal number
    ("ar_paren", "（12）完善", "（12）"),
    ("ar_paren", "3）完善", "3）"),
    ("circled", "⑫建立", "⑫"),
    ("problem_n", "问题3：台账", "问题3："),
    ("ordinal", "二是完善", "二是"),
    ("ordinal", "二是，完善", None),  # an ordinal is followed by the measure's words
])
def test_fragment_of_one_family(family: str, text: str, marker: str | None) -> None:
    m = re.match(enumerators.fragment([family]), text)
    assert (m.group(0) if m else None) == marker


@pytest.mark.parametrize(("text", "marker"), [
    ("四）加强", "四）"),  # damaged cn_paren
    ("）加强", "）"),  # lone bracket
    ("是加强", "是"),  # ordinal without its numeral
])
def test_damaged_forms_only_when_asked(text: str, marker: str) -> None:
    assert re.match(enumerators.fragment(), text) is None
    assert re.match(enumerators.fragment(damaged=True), text).group(0) == marker


def test_fragment_has_no_groups_and_never_spans_a_line() -> None:
    rx = re.compile(enumerators.fragment())
    assert rx.groups == 0
    assert rx.match("（\n一）") is None and rx.match("1\n.") is None
    with pytest.raises(ValueError, match="unknown numbering families"):
        enumerators.fragment(["roman"])


def test_outline_forms_in_file_order_with_numbers() -> None:
    forms = enumerators.outline_forms()
    assert [f.family for f in forms][:2] == ["cn_dun", "cn_paren"]
    assert all(f.role == "outline" for f in forms)
    assert "ordinal" in enumerators.families("ordinal") and "ordinal" not in enumerators.families("outline")
    m = next(f for f in forms if f.family == "circled").rx.match("⑬")
    assert enumerators.number_value("circled", m.group("num")) == 13
    assert enumerators.number_value("cn", "二十三") == 23 and enumerators.number_value("ar", None) is None


@pytest.mark.parametrize(("text", "ordinals"), [
    ("一是加强学习；二是完善制度。", ["一是", "二是"]),
    ("整改措施：一是加强学习\n二是完善制度", ["一是", "二是"]),
    ("这一是非问题", []),  # inside a word: not after a line start or punctuation
    ("三是，", []),
])
def test_ordinals_inside_paragraphs(text: str, ordinals: list[str]) -> None:
    assert [m.group(0) for m in enumerators.ordinal_rx().finditer(text)] == ordinals


def test_lost_ordinal_and_expand() -> None:
    assert enumerators.lost_ordinal_rx().match("是加强管理")
    assert not enumerators.lost_ordinal_rx().match("是，")
    rx = re.compile(enumerators.expand(r"^{enumerator:cn_dun|cn_paren}关于"))
    assert rx.match("（一）关于") and rx.match("二、关于") and not rx.match("1.关于")
    assert enumerators.expand("{enumerator}") == enumerators.fragment()


# ---------------------------------------------------------------- titles


@pytest.mark.parametrize(("text", "found"), [
    ("学习《中国共产党纪律处分条例》", ["《中国共产党纪律处分条例》"]),
    ("《甲》和《乙》", ["《甲》", "《乙》"]),
    ("《》", []),  # empty
    ("《甲\n乙》", []),  # a title is written on one line
    ("《" + "字" * titles.MAX_TITLE_CHARS + "》", ["《" + "字" * titles.MAX_TITLE_CHARS + "》"]),
    ("《" + "字" * (titles.MAX_TITLE_CHARS + 1) + "》", []),
    ("《外《内》", ["《内》"]),
])
def test_titles(text: str, found: list[str]) -> None:
    assert [text[a:b] for a, b in titles.find_titles(text)] == found
    assert titles.cites_title(text) == bool(found)
    masked = titles.mask_titles(text, "#")
    assert len(masked) == len(text) and masked.count("#") == sum(map(len, found))


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(("text", "expected"), [
    ("于2023年6月底前完成", [("2023年6月底前", "deadline")]),
    ("12月31日前完成整改", [("12月31日前", "deadline")]),
    ("三个工作日内完成", [("三个工作日内", "deadline")]),
    ("于下月中旬前完成整改", [("下月中旬前", "deadline")]),
    ("年底前整改到位，年内全部销号", [("年底前", "deadline"), ("年内", "deadline")]),
    ("限期整改", [("限期", "deadline")]),
    ("在验收前完成", [("前完成", "deadline")]),
    ("提前完成", []),  # ahead of time: not a deadline
    ("2021年以来，截至目前", [("2021年以来", "date"), ("截至", "date")]),
    ("2022年第四季度", [("2022年第四季度", "date")]),
    ("三是第四季度足额交纳党费", [("第四季度", "date")]),
    ("11月份召开会议", [("11月份", "date")]),
    ("于15日召开", [("15日", "date")]),
    ("二〇二三年三月", [("二〇二三年三月", "date")]),
    ("2023 年 6 月", [("2023 年 6 月", "date")]),
    ("每季度开展一次", [("每季度", "recurring")]),
    ("每月15日前报送", [("每月15日前", "recurring")]),
    ("每月底前报送", [("每月底前", "recurring")]),
    ("每年年底总结", [("每年年底", "recurring")]),
    ("学习《2023年工作要点》", []),  # a date inside a title belongs to the title
    ("进一步提高认识，切实加强管理", []),
    ("", []),
])
def test_dates_and_their_kinds(text: str, expected: list[tuple[str, str]]) -> None:
    found = dates.find_dates(text)
    assert [(d.text, d.kind) for d in found] == expected
    assert all(text[d.start:d.end] == d.text for d in found)
    assert dates.count_dates(text) == len(expected)
    assert dates.has_date(text) == bool(expected)


def test_no_date_spans_a_line_or_a_masked_title() -> None:
    assert dates.count_dates("2023\n年") == 0
    assert dates.count_dates("2023《甲》年") == 0


# ---------------------------------------------------------------- every measure table agrees

AGREEMENT_TEXTS = [
    "三个工作日内完成",  # has_date_or_deadline was false, n_dates 1
    "于下月中旬前完成整改",  # has_date_or_deadline was true, n_dates 0
    "认真学习《" + ("关于进一步加强基层党组织建设" * 7)[:91] + "的意见》",  # a 94-character title: cites_document was false
    "研究制定《街道2021年度组织生活实施方案》，明确完成时限",
    "完善《美丽“滨城”2021年行动方案》配套任务清单",  # a date only inside a title
    "由街道党建办牵头，于2023年6月底前完成3个社区的专项资金清理，追回资金1.5万元。",
    "每季度定期开展警示教育工作",
    "三是第四季度足额交纳党费。",
    "提前完成整改任务",
    "截至目前，已对2名党员进行批评教育，召开专题会议三次。",
    "学习《条例\n全文》并于15日前报送",  # an unclosed title line: no title
    "进一步提高认识，切实加强管理，持续深入推进整改。",
    "2023 年 6 月召开专题会",
]


def test_every_measure_table_agrees() -> None:
    texts = AGREEMENT_TEXTS
    features = [measure_features(t) for t in texts]
    direct = [measure_markers(t) for t in texts]
    block = regex_counts(texts)
    table = measure_specificity(pd.DataFrame({"doc_id": "d", "problem_no": 1, "measure_no": range(1, len(texts) + 1),
                                              "text": texts}))
    n_dates, n_docs = MARKER_COLUMNS.index("n_dates"), MARKER_COLUMNS.index("n_documents")
    for i, t in enumerate(texts):
        counts = {"n_dates": direct[i]["n_dates"], "n_documents": direct[i]["n_documents"]}
        assert counts == {"n_dates": block[i, n_dates], "n_documents": block[i, n_docs]}, t
        assert counts == table.loc[i, ["n_dates", "n_documents"]].to_dict(), t
        assert counts["n_dates"] == dates.count_dates(t), t
        assert features[i]["has_date_or_deadline"] == (counts["n_dates"] > 0), t
        assert features[i]["cites_document"] == (counts["n_documents"] > 0), t
    assert [f["has_date_or_deadline"] for f in features[:3]] == [True, True, False]
    assert [f["cites_document"] for f in features[:3]] == [False, False, True]
    assert [b - a - 2 for a, b in titles.find_titles(texts[2])] == [94]


def test_parsed_measures_agree_with_specificity() -> None:
    body = "\n".join(f"{'一二三四五六七八九十'[i]}是{t}" for i, t in enumerate(AGREEMENT_TEXTS[:10]))
    notice = normalize_text(f"关于某街道巡察整改情况的通报\n一、反馈问题整改情况\n（一）针对“台账不全”问题\n{body}\n")
    r = parse_notice(notice)
    assert len(r.measures) >= 10
    spec = measure_specificity(pd.DataFrame(r.measures).assign(doc_id="d"))
    got = pd.DataFrame(r.measures)
    assert np.array_equal(got["has_date_or_deadline"].to_numpy(), (spec["n_dates"] > 0).to_numpy())
    assert np.array_equal(got["cites_document"].to_numpy(), (spec["n_documents"] > 0).to_numpy())
