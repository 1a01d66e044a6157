"""Problem categories: framework area labels, keyword rules, centroid and default fallbacks."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.compare.categories import CATEGORY_COLUMNS, area_category, classify_problems, taxonomy
from analysis.vocab import load_json


def _problems(rows):
    return pd.DataFrame(rows, columns=["doc_id", "problem_no", "area", "heading", "finding"])


def test_taxonomy_file():
    raw = load_json("categories.json")
    assert raw["version"] and "巡视工作条例" in raw["source"]
    tax = taxonomy()
    assert tax.categories == ("党的领导", "全面从严治党", "党的建设", "意识形态", "巡察整改落实")
    assert {"廉政", "作风", "资金资产", "工程"} <= set(tax.subs["全面从严治党"])
    assert {"组织建设", "党员管理", "选人用人"} <= set(tax.subs["党的建设"])


@pytest.mark.parametrize(
    ("area", "category"),
    [
        ("党的领导方面", "党的领导"),
        ("一、党的建设方面", "党的建设"),
        ("（三）全面从严治党方面", "全面从严治党"),
        ("聚焦贯彻落实党的路线方针政策和党中央决策部署方面", "党的领导"),
        ("聚焦群众身边的不正之风方面", "全面从严治党"),
        ("聚焦基层党组织软弱涣散、组织力欠缺方面", "党的建设"),
        ("对巡察发现问题的整改情况", "巡察整改落实"),
        ("落实意识形态工作责任制方面", "意识形态"),
        ("基层党组织组织力欠缺，党建引领基层治理有差距", None),
        (None, None),
    ],
)
def test_area_labels(area, category):
    assert area_category(area) == category


def test_literal_framework_areas_win():
    p = _problems(
        [
            ("d", 1, "党的领导方面", "对意识形态工作的重要性认识不足", None),
            ("d", 2, "党的领导方面", "优化企业营商环境工作乏力", None),
            ("d", 3, "党的建设方面", "“三会一课”会议记录要素不完善", None),
            ("d", 4, "党的建设方面", "党费收缴、使用不规范", None),
            ("d", 5, "党的建设方面", "未按规定执行干部任职回避制度", None),
            ("d", 6, "全面从严治党方面", "村“三资”管理不力", None),
            ("d", 7, "全面从严治党方面", "工程招投标制度执行不到位", None),
            ("d", 8, "全面从严治党方面", "违规发放津补贴，违反中央八项规定精神", None),
            ("d", 9, "全面从严治党方面", "查摆出的问题较为抽象", None),
        ]
    )
    r = classify_problems(p)
    assert list(r.columns) == CATEGORY_COLUMNS
    assert (r["rule"] == "area").all()
    assert r["category"].tolist() == ["党的领导"] * 2 + ["党的建设"] * 3 + ["全面从严治党"] * 4
    assert r["sub_category"].tolist() == [None, "决策部署", "组织建设", "党员管理", "选人用人", "资金资产", "工程",
                                          "作风", None]  # fmt: skip
    assert (r["confidence"] == 0.9).all()


def test_keyword_centroid_and_default_rules():
    p = _problems(
        [
            # area is a problem statement: the problem's own keywords decide
            ("d", 1, "基层党组织组织力欠缺，党建引领基层治理有差距", "不按规定标准交纳党费", None),
            ("d", 2, None, "专项资金管理不够到位", "对下拨的专项资金使用监管不到位"),
            ("d", 3, None, "意识形态工作重视不够", None),
            # nothing but the area's keywords
            ("d", 4, "基层党组织组织力欠缺，党建引领基层治理有差距", "有关情况说明不清", None),
            # no keyword at all: nearest centroid shares 下拨/监管 with problem 2's bag
            ("d", 5, None, "下拨款项监管缺位", None),
            ("d", 6, None, "其余事项", None),
        ]
    )
    r = classify_problems(p).set_index("problem_no")
    assert r.loc[1, ["category", "sub_category", "rule"]].tolist() == ["党的建设", "党员管理", "keyword"]
    assert r.loc[2, ["category", "sub_category", "rule"]].tolist() == ["全面从严治党", "资金资产", "keyword"]
    assert r.loc[3, ["category", "rule"]].tolist() == ["意识形态", "keyword"]
    assert r.loc[4, ["category", "rule"]].tolist() == ["党的建设", "area"]
    assert r.loc[5, ["category", "sub_category", "rule"]].tolist() == ["全面从严治党", "资金资产", "centroid"]
    assert r.loc[6, ["category", "rule", "confidence"]].tolist() == ["其他", "default", 0.0]
    assert r["confidence"].between(0, 1).all()
    assert r.loc[2, "confidence"] > r.loc[5, "confidence"]
    pd.testing.assert_frame_equal(classify_problems(p), classify_problems(p))
