"""Tests of analysis.notice.metadata: small invented notices, then the five corpus notices against the gold file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from heading_keys import compare_key
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.normalize import normalize_text
from analysis.notice.metadata import METADATA_FIELDS, extract_metadata

ROOT = Path(__file__).resolve().parents[1]
D = dt.date

INSPECTED = "，区委第一巡察组对柳河街道开展了常规巡察。"


def md(text: str, manifest: dict | None = None) -> dict:
    return extract_metadata(normalize_text(text), manifest)


def warned(meta: dict, *needles: str) -> bool:
    return any(all(n in w for n in needles) for w in meta["warnings"])


def test_interface():
    meta = md("")
    assert list(meta) == METADATA_FIELDS
    assert meta["warnings"] == [] and meta["anonymized"] is False
    for key in ("province", "city", "district", "inspection_start", "inspection_end", "feedback_date",
                "publish_date", "inspection_group", "inspection_year"):
        assert key + "_source" in meta
        assert meta[key] is None and meta[key + "_source"] is None


# --------------------------------------------------------------------------- inspection range

RANGES = [
    # text, start, end, start source, end source
    ("根据区委统一部署，2022年8月1日至9月14日，区委巡察五组对新港街道所属15个社区开展了常规巡察。",
     D(2022, 8, 1), D(2022, 9, 14), "text:range", "text:range"),
    ("2021年11月8日至2021年12月15日，区委第二巡察组对东港街道7个社区党组织开展了巡察。",
     D(2021, 11, 8), D(2021, 12, 15), "text:range", "text:range"),
    ("2021年12月1日至1月15日，县委第三巡察组对城关镇进行了巡察。",  # second date in the next year
     D(2021, 12, 1), D(2022, 1, 15), "text:range", "text:range"),
    ("2023年3月6日-4月28日，市委第一巡察组对市财政局党组开展了巡察。",
     D(2023, 3, 6), D(2023, 4, 28), "text:range", "text:range"),
    ("2022年5月9日至20日，区委第一巡察组对柳河镇开展了巡察。",  # day only
     D(2022, 5, 9), D(2022, 5, 20), "text:range", "text:range"),
    ("2022年 4 月 12 日至 7 月 8 日，区委第二巡察组对柳河镇开展了巡察。",  # spaces inside
     D(2022, 4, 12), D(2022, 7, 8), "text:range", "text:range"),
    ("2022412日至202278日，区委第巡察组对柳河街道开展了巡察。",  # web copy lost 年/月
     D(2022, 4, 12), D(2022, 7, 8), "recovered:digits", "recovered:digits"),
    ("2023年415日至2023年630日，区委第三巡察组对柳河街道开展了巡察。",
     D(2023, 4, 15), D(2023, 6, 30), "recovered:digits", "recovered:digits"),
    ("2022年2月年10日至3月25日，区委第一巡察组对柳河街道开展了巡察。",  # typo
     D(2022, 2, 10), D(2022, 3, 25), "recovered:typo", "text:range"),
]


@pytest.mark.parametrize("text,start,end,s_src,e_src", RANGES)
def test_inspection_range(text, start, end, s_src, e_src):
    meta = md(text)
    assert (meta["inspection_start"], meta["inspection_end"]) == (start, end)
    assert (meta["inspection_start_source"], meta["inspection_end_source"]) == (s_src, e_src)
    assert meta["inspection_year"] == start.year


def test_recovered_dates_are_flagged():
    meta = md("2022年2月年10日至3月25日" + INSPECTED)
    assert warned(meta, "2022年2月年10日", "2022-02-10")
    meta = md("2022412日至202278日" + INSPECTED)
    assert warned(meta, "2022412日", "2022-04-12") and warned(meta, "202278日", "2022-07-08")


@pytest.mark.parametrize("text", [
    "2022111日至2022125日" + INSPECTED,  # 1-11 or 11-1; 1-25 or 12-5
    "2022年112日至2022年128日" + INSPECTED,
])
def test_ambiguous_range_left_null(text):
    meta = md(text)
    assert meta["inspection_start"] is None and meta["inspection_end"] is None
    assert warned(meta, "ambiguous")
    assert meta["inspection_year"] == 2022  # the year itself is not in doubt


@pytest.mark.parametrize("text", [
    "2022年3月1日至3月31日，街道开展了安全生产大检查。区委巡察组提出的问题已整改。",  # not the inspection
    "整改期间（2022年3月1日至3月31日），街道组织召开了专题会议。",
    "今年以来，街道持续抓好整改落实。",
])
def test_other_ranges_are_not_the_inspection(text):
    meta = md(text)
    assert meta["inspection_start"] is None and meta["inspection_end"] is None


def test_placeholder_range_gives_only_the_year():
    meta = md("根据区委统一部署，2019年X月X日至X月X日，区委第四巡察组对我街道进行巡察。")
    assert meta["inspection_start"] is None and meta["inspection_end"] is None
    assert meta["inspection_year"] == 2019 and meta["inspection_year_source"] == "text:range"
    assert meta["anonymized"] is True


# --------------------------------------------------------------------------- feedback date

FEEDBACK = [
    ("2022年8月1日至9月14日，区委巡察五组对新港街道开展了常规巡察，并于11月3日反馈了巡察意见。",
     D(2022, 11, 3), "text:feedback"),
    ("2021年11月8日至12月15日，区委第二巡察组对东港街道开展了巡察，并于1月10日反馈了巡察意见。",  # next year
     D(2022, 1, 10), "text:feedback"),
    ("2021年11月8日至2021年12月15日，区委第二巡察组对东港街道开展了巡察。2021年12 月24 日，"
     "区委巡察组向东港街道党工委反馈了巡察意见。", D(2021, 12, 24), "text:feedback"),
    ("2023年3月6日至4月28日，市委第一巡察组对市财政局开展了巡察。2023年6月2日召开巡察反馈会。",
     D(2023, 6, 2), "text:feedback"),
    ("2022412日至202278日，区委第巡察组对二七新村街道各社区综合党委开展了巡察91区委巡察组反馈了巡察意见。",
     D(2022, 9, 1), "recovered:digits"),  # 9月1日 is the only reading after 07-08
]


@pytest.mark.parametrize("text,date,source", FEEDBACK)
def test_feedback_date(text, date, source):
    meta = md(text)
    assert meta["feedback_date"] == date and meta["feedback_date_source"] == source


def test_ambiguous_lost_feedback_date_left_null():
    # '111' could be 1月11日 (next year) or 11月1日: both are after the inspection end
    meta = md("2022年4月12日至7月8日，区委第二巡察组对柳河街道开展了巡察111区委巡察组反馈了巡察意见。")
    assert meta["feedback_date"] is None and meta["feedback_date_source"] is None
    assert warned(meta, "feedback date", "111", "ambiguous")


def test_feedback_stated_twice_takes_the_first():
    text = ("2021年6月7日至7月21日，区委巡察五组对泰达街道开展了专项巡察，并于10月19日反馈了巡察意见。\n"
            "一、履行主体责任情况\n根据统一部署，2021年6月7日至7月21日，区委第五巡察组对泰达街开展了常规巡察，"
            "并于10月28日反馈了巡察情况。")
    meta = md(text)
    assert meta["feedback_date"] == D(2021, 10, 19)
    assert warned(meta, "2021-10-19", "2021-10-28")


def test_same_feedback_date_twice_is_not_a_conflict():
    meta = md("2022年8月1日至9月14日，区委巡察五组对新港街道开展了常规巡察，并于11月3日反馈了巡察意见。\n"
              "11月3日自接到区委巡察五组反馈意见后，街道高度重视。")
    assert meta["feedback_date"] == D(2022, 11, 3) and meta["warnings"] == []


@pytest.mark.parametrize("text", [
    "2019年X月X日，区委第X巡察组向我街道党工委反馈了巡察意见。",  # placeholder
    "2022年8月1日至9月14日" + INSPECTED + "街道于2022年3月31日前完成巡察反馈问题整改。",  # noun phrase
    "2022年1月14日，街道将巡查情况反馈至交管部门。",  # not about the inspection
    "2022年8月1日至9月14日，区委巡察组对柳河街道开展巡察并反馈了意见。",  # range end is not the feedback
])
def test_no_feedback_date(text):
    meta = md(text)
    assert meta["feedback_date"] is None


# --------------------------------------------------------------------------- publish date

PUBLISH = [
    ("欢迎监督。\n\n新港街道工委\n\n 2023年3月10日\n ", D(2023, 3, 10), "text:signature"),
    ("欢迎监督。\n中共舟山市普陀区东港街道工作委员会\n2022 年 5 月17日\n|\n", D(2022, 5, 17), "text:signature"),
    ("欢迎监督。\n中共柳河镇委员会\n二〇二三年三月十日\n", D(2023, 3, 10), "text:signature"),
    ("柳河镇党委关于巡察整改进展情况的通报\n\n发布日期:2023-03-14 浏览次数: 字体:[ ]\n\n正文。\n\n打印本页 关闭窗口\n",
     D(2023, 3, 14), "text:page_furniture"),
    ("正文。\n下一步，街道计划于2023年6月30日前完成全部整改。\n", None, None),  # a body date
    ("正文。\n中共天津市滨海新区委员会泰达街道工作委员会\n", None, None),  # signature without date
]


@pytest.mark.parametrize("text,date,source", PUBLISH)
def test_publish_date(text, date, source):
    meta = md(text)
    assert meta["publish_date"] == date and meta["publish_date_source"] == source


# --------------------------------------------------------------------------- group and round

GROUPS = [
    ("区委巡察五组对新港街道开展了常规巡察。", 5, "text:group"),
    ("区委第五巡察组对泰达街开展了常规巡察。", 5, "text:group"),
    ("第二巡察组对东港街道开展了巡察。", 2, "text:group"),
    ("市委第十二巡察组对市财政局开展了巡察。", 12, "text:group"),
    ("县委巡察第三组对城关镇开展了巡察。", 3, "text:group"),
    ("县委第3巡察组对城关镇开展了巡察。", 3, "text:group"),
    ("区委第巡察组对二七新村街道开展了巡察。\n切实运用和巩固好区委第二巡察组巡察成果。", 2, "recovered:other_statement"),
    ("区委第四巡察组对我街道进行巡察。区委第X巡察组向我街道党工委反馈了巡察意见。", 4, "text:group"),
    ("区委第X巡察组向我街道党工委反馈了巡察意见。X路街道党工委高度重视区委第X巡察组反馈意见。", None, None),
    ("区委第巡察组对柳河街道开展了巡察。", None, None),
    ("区委巡察组对柳河街道开展了巡察。区委第五督导组全程参加。", None, None),
]


@pytest.mark.parametrize("text,group,source", GROUPS)
def test_inspection_group(text, group, source):
    meta = md(text)
    assert meta["inspection_group"] == group and meta["inspection_group_source"] == source


def test_lost_group_number_is_flagged():
    assert warned(md("区委第巡察组对柳河街道开展了巡察。"), "第巡察组")
    assert warned(md(GROUPS[6][0]), "第巡察组", "2")


def test_conflicting_group_numbers_take_the_first():
    meta = md("区委第三巡察组对柳河镇开展了巡察。区委第五巡察组反馈了意见。")
    assert meta["inspection_group"] == 3 and warned(meta, "[3, 5]")


ROUNDS = [
    ("新港街道工委所属社区关于四届区委第一轮第二批巡察集中整改进展情况的通报\n正文。", "四届区委第一轮第二批"),
    ("泰达街道工委关于三届区委第十五轮巡察集中整改情况的通报\n正文。", "三届区委第十五轮"),
    ("根据三届区委第十五轮巡察工作统一部署，2021年6月7日至7月21日，区委第五巡察组对泰达街开展了常规巡察。",
     "三届区委第十五轮"),
    ("2022年4月12日至7月8日，县委第二轮巡察第三组对城关镇开展了巡察。", "县委第二轮"),
    ("柳河镇党委关于巡察整改进展情况的通报\n问题16十二届区委第五轮巡察整改效果不明显。", None),  # an earlier round
    ("X届区委第X轮巡察。", None),
]


@pytest.mark.parametrize("text,expected", ROUNDS)
def test_inspection_round(text, expected):
    assert md(text)["inspection_round"] == expected


# --------------------------------------------------------------------------- title, issuer, unit

TITLES = [
    # text, title, issuer, unit, unit_type
    ("新港街道工委所属社区关于四届区委第一轮第二批巡察集中整改进展情况的通报\n\n（社会公开全稿）\n\n正文。",
     "新港街道工委所属社区关于四届区委第一轮第二批巡察集中整改进展情况的通报", "新港街道工委", "新港街道", "street"),
    ("二七新村街道社区综合党委\n关于巡察整改进展情况的通报\n\n\n发布日期:2023-03-14\n\n正文。",
     "二七新村街道社区综合党委关于巡察整改进展情况的通报", "二七新村街道社区综合党委", "二七新村街道", "street"),
    ("关于柳河镇党委巡察整改情况的通报\n正文。", "关于柳河镇党委巡察整改情况的通报", "柳河镇党委", "柳河镇", "town"),
    ("中共城关乡委员会关于县委巡察整改进展情况的通报\n正文。", "中共城关乡委员会关于县委巡察整改进展情况的通报",
     "城关乡党委", "城关乡", "township"),
    ("区财政局党组关于区委第三巡察组巡察反馈意见整改情况的通报\n正文。",
     "区财政局党组关于区委第三巡察组巡察反馈意见整改情况的通报", "区财政局党组", "区财政局", "bureau"),
    ("根据区委统一部署，区委第二巡察组对东港街道开展了巡察。\n东港街道党工委把巡察整改作为重大政治任务来抓。\n"
     "欢迎监督。\n中共舟山市普陀区东港街道工作委员会\n2022 年 5 月17日", None, "东港街道党工委", "东港街道", "street"),
    ("街道工委巡察整改情况的通报\n\n根据区委统一部署，区委第四巡察组对我街道进行巡察。\n一、巡察整改总体情况\n"
     "X路街道党工委高度重视区委第X巡察组反馈意见。\n（一）统一思想认识。街道党工委逐条讨论。",
     "街道工委巡察整改情况的通报", "X路街道党工委", "X路街道", "street"),
    ("中共普陀区委巡察工作领导小组办公室\n关于东港街道党工委巡察整改进展情况的通报\n正文。",
     "中共普陀区委巡察工作领导小组办公室关于东港街道党工委巡察整改进展情况的通报", "东港街道党工委", "东港街道", "street"),
    ("根据区委统一部署，区委第一巡察组对我单位开展了巡察。", None, None, None, None),
]


@pytest.mark.parametrize("text,title,issuer,unit,unit_type", TITLES)
def test_title_issuer_unit(text, title, issuer, unit, unit_type):
    meta = md(text)
    assert (meta["title"], meta["issuer"], meta["unit"], meta["unit_type"]) == (title, issuer, unit, unit_type)


UNIT_TYPES = [
    ("柳河街道", "street"), ("柳河街道办事处", "street"), ("城关乡", "township"), ("柳河镇", "town"),
    ("安康社区", "community"), ("王庄村", "village"), ("区财政局", "bureau"), ("区发展改革委", "bureau"),
    ("区委组织部", "department"), ("区城投集团有限公司", "company"), ("区实验小学", "school"),
    ("县人民医院", "hospital"), ("区图书馆", "other"),
]


@pytest.mark.parametrize("unit,kind", UNIT_TYPES)
def test_unit_type_keywords(unit, kind):
    meta = md(f"{unit}党委关于巡察整改进展情况的通报\n正文。")
    assert meta["unit"] == unit and meta["unit_type"] == kind


# --------------------------------------------------------------------------- places

PLACES = [
    # text, province, city, district, sources (province, city, district)
    ("欢迎监督。\n中共舟山市普陀区东港街道工作委员会\n2022 年 5 月17日",
     "浙江省", "舟山市", "普陀区", ("text:issuer",) * 3),
    ("邮政信箱：天津市滨海新区新港喻园南街298号；", "天津市", "天津市", "滨海新区", ("text:address",) * 3),
    ("联系方式:电话82746503,邮政信箱济南市市中区英雄山路77号;电子邮箱:abc@jn.shandong.cn。",
     "山东省", "济南市", "市中区", ("text:address",) * 3),
    ("通讯地址：山东省枣庄市市中区某路1号", "山东省", "枣庄市", "市中区", ("text:address",) * 3),
    ("联系电话：022-65773068；", "天津市", "天津市", None, ("text:phone", "text:phone", None)),
    ("联系电话：0580-3090077，", "浙江省", "舟山市", None, ("text:phone", "text:phone", None)),
    ("举报电话：（0531）82746503", "山东省", "济南市", None, ("text:phone", "text:phone", None)),
    ("电子邮箱：bhxgjgwb@tj.gov.cn。", "天津市", "天津市", None, ("text:domain", "text:domain", None)),
    ("网址：www.zhoushan.gov.cn", "浙江省", "舟山市", None, ("text:domain", "text:domain", None)),
    ("电子邮箱：abc@jn.shandong.cn。", "山东省", None, None, ("text:domain", None, None)),  # 济南 or 济宁
    # ambiguous county resolved by other evidence
    ("联系电话:0580-3090077,邮寄地址:普陀区东港街道康腾路36号", "浙江省", "舟山市", "普陀区",
     ("text:phone", "text:phone", "text:address+phone")),
    ("邮寄地址：普陀区长寿路1号；联系电话：021-62571234", "上海市", "上海市", "普陀区",
     ("text:phone", "text:phone", "text:address+phone")),
    ("邮政信箱：市中区人民路1号；联系电话：0632-3312345", "山东省", "枣庄市", "市中区",
     ("text:phone", "text:phone", "text:address+phone")),
    ("邮政信箱：市中区人民路1号；电子邮箱：abc@jn.shandong.cn", "山东省", "济南市", "市中区",
     ("text:domain", "text:address+domain", "text:address+domain")),
    # municipalities: city is the municipality, not 市辖区
    ("邮政信箱：上海市普陀区长寿路1号", "上海市", "上海市", "普陀区", ("text:address",) * 3),
    ("中共北京市朝阳区委员会建外街道工作委员会\n2023年1月5日", "北京市", "北京市", "朝阳区", ("text:issuer",) * 3),
    ("邮政信箱：重庆市万州区某路1号", "重庆市", "重庆市", "万州区", ("text:address",) * 3),
    # nothing usable
    ("邮政信箱：X市X区X路X号", None, None, None, (None,) * 3),
    ("学习滨海新区先进经验，赴舟山市考察。", None, None, None, (None,) * 3),  # body mentions are not evidence
    ("联系电话：25203878；电子信箱：tdj02@qq.com。", None, None, None, (None,) * 3),
]


@pytest.mark.parametrize("text,province,city,district,sources", PLACES)
def test_places_from_text(text, province, city, district, sources):
    meta = md(text)
    assert (meta["province"], meta["city"], meta["district"]) == (province, city, district)
    assert (meta["province_source"], meta["city_source"], meta["district_source"]) == sources


def test_ambiguous_county_alone():
    meta = md("邮寄地址：普陀区康腾路36号")
    assert meta["district"] == "普陀区" and meta["province"] is None and meta["city"] is None
    assert warned(meta, "上海市普陀区", "浙江省舟山市普陀区")


def test_placeholder_province_is_not_a_place():
    meta = md("按照《中共X省委贯彻〈中国共产党巡视工作条例〉实施办法》和《X区委巡察整改情况公开办法》有关规定。")
    assert (meta["province"], meta["city"], meta["district"]) == (None, None, None)


# --------------------------------------------------------------------------- manifest

SAMPLE = "泰达街道工委关于巡察整改情况的通报\n正文。\n邮政信箱：天津市滨海新区某路1号；\n"


def test_manifest_wins():
    manifest = {"province": "山东省", "city": "济南市", "district": "市中区", "unit": "二七新村街道",
                "unit_type": "street"}
    meta = md(SAMPLE, manifest)
    assert (meta["province"], meta["city"], meta["district"]) == ("山东省", "济南市", "市中区")
    assert meta["province_source"] == meta["city_source"] == meta["district_source"] == "manifest"
    assert (meta["unit"], meta["unit_source"], meta["unit_type_source"]) == ("二七新村街道", "manifest", "manifest")
    assert meta["issuer"] == "泰达街道工委"  # the issuer is always read from the text


def test_manifest_empty_strings_are_not_values():
    meta = md(SAMPLE, {"province": "", "city": "", "district": "", "unit": "", "unit_type": ""})
    assert (meta["province"], meta["district"], meta["unit"]) == ("天津市", "滨海新区", "泰达街道")
    assert meta["province_source"] == "text:address" and meta["unit_source"] == "text:issuer"


def test_manifest_fills_and_disambiguates():
    meta = md("邮寄地址：普陀区康腾路36号", {"city": "舟山市"})
    assert (meta["province"], meta["city"], meta["district"]) == ("浙江省", "舟山市", "普陀区")
    assert meta["province_source"] == "manifest" and meta["city_source"] == "manifest"
    assert meta["district_source"] == "text:manifest+address"


def test_manifest_unit_gives_unit_type():
    meta = md("正文。", {"unit": "柳河镇"})
    assert (meta["unit"], meta["unit_type"], meta["unit_type_source"]) == ("柳河镇", "town", "manifest")


# --------------------------------------------------------------------------- anonymised templates

@pytest.mark.parametrize("text,expected", [
    ("2019年X月X日，区委第X巡察组向我街道党工委反馈了巡察意见。", True),
    ("由党工委书记X同志担任组长，党工委副书记XX同志担任副组长。", True),
    ("医院新购X光机一台。", False),
    ("电子邮箱：bhxgjgwb@tj.gov.cn。", False),
])
def test_anonymized(text, expected):
    assert md(text)["anonymized"] is expected


# --------------------------------------------------------------------------- whole invented notices

NOTICE_TOWN = """中共长沙县黄兴镇委员会关于县委第三巡察组巡察反馈意见整改进展情况的通报

根据县委统一部署，2023年3月20日至5月19日，县委第三巡察组对黄兴镇党委开展了常规巡察。2023年6月15日，\
县委第三巡察组向黄兴镇党委反馈了巡察意见。按照有关要求，现将整改进展情况予以公布。
一、整改工作总体情况
黄兴镇党委高度重视。2023年7月2日，镇党委召开专题会议研究巡察反馈意见整改工作。
欢迎广大干部群众对巡察整改落实情况进行监督。联系电话：0731-84052345；邮政地址：长沙县黄兴镇黄兴大道1号。

中共长沙县黄兴镇委员会
2023年9月20日
"""
NOTICE_BUREAU = """首页 > 信息公开 > 巡察整改
中共成都市武侯区卫生健康局党组
关于区委第五巡察组巡察反馈意见整改进展情况的通报

按照区委统一部署，区委第五巡察组自2022年4月12日起至6月30日止对区卫生健康局党组开展了常规巡察，\
并于2022年8月18日向区卫生健康局党组反馈了巡察意见。
整改期间，2022年9月1日至9月30日，局党组对照巡察反馈问题开展了自查。
联系电话：028-85551234
中共成都市武侯区卫生健康局党组 2022年12月30日
"""
NOTICE_ROUND = """关于城关镇党委落实县委巡察反馈意见整改情况的通报
（此件公开发布）
按照县委巡察工作统一部署，十四届县委第二轮巡察第一巡察组于2021年10月11日至12月10日对城关镇党委进行了巡察，\
2022年1月5日进行了反馈。
城关镇党委
二〇二二年四月六日
（此件公开发布）
"""


@pytest.mark.parametrize("text,expected", [
    (NOTICE_TOWN, {
        "title": "中共长沙县黄兴镇委员会关于县委第三巡察组巡察反馈意见整改进展情况的通报", "issuer": "黄兴镇党委",
        "unit": "黄兴镇", "unit_type": "town", "province": "湖南省", "city": "长沙市", "district": "长沙县",
        "inspection_group": 3, "inspection_start": D(2023, 3, 20), "inspection_end": D(2023, 5, 19),
        "feedback_date": D(2023, 6, 15), "publish_date": D(2023, 9, 20), "inspection_year": 2023,
        "inspection_round": None, "anonymized": False, "warnings": []}),
    (NOTICE_BUREAU, {
        "title": "中共成都市武侯区卫生健康局党组关于区委第五巡察组巡察反馈意见整改进展情况的通报",
        "issuer": "区卫生健康局党组", "unit": "区卫生健康局", "unit_type": "bureau", "province": "四川省",
        "city": "成都市", "district": "武侯区", "province_source": "text:issuer", "inspection_group": 5,
        "inspection_start": D(2022, 4, 12), "inspection_end": D(2022, 6, 30), "feedback_date": D(2022, 8, 18),
        "publish_date": D(2022, 12, 30), "publish_date_source": "text:signature"}),
    (NOTICE_ROUND, {
        "title": "关于城关镇党委落实县委巡察反馈意见整改情况的通报", "issuer": "城关镇党委", "unit": "城关镇",
        "inspection_round": "十四届县委第二轮", "inspection_group": 1, "inspection_start": D(2021, 10, 11),
        "inspection_end": D(2021, 12, 10), "feedback_date": D(2022, 1, 5), "publish_date": D(2022, 4, 6),
        "province": None}),
])
def test_whole_notices(text, expected):
    meta = md(text)
    assert {k: meta[k] for k in expected} == expected


def test_year_of_inspection_from_statement():
    meta = md("根据区委统一部署，2020年，区委第二巡察组对柳河街道开展了常规巡察。")
    assert meta["inspection_year"] == 2020 and meta["inspection_year_source"] == "text:statement"
    assert meta["inspection_start"] is None


def test_feedback_without_any_year_is_left_null():
    meta = md("区委第二巡察组对柳河街道开展了巡察，并于11月3日反馈了巡察意见。")
    assert meta["feedback_date"] is None and warned(meta, "11月3日", "no year")


def test_manifest_municipality_as_city():
    meta = md("邮寄地址：普陀区长寿路1号", {"city": "上海市"})
    assert (meta["province"], meta["city"], meta["district"]) == ("上海市", "上海市", "普陀区")


# --------------------------------------------------------------------------- the corpus against the gold file

GOLD = json.loads((ROOT / "tests" / "fixtures" / "gold_seeds.json").read_text(encoding="utf-8"))["documents"]
TEXT_FIELDS = {"title", "issuer", "unit", "province", "city", "district", "inspection_round"}
DATE_FIELDS = {"inspection_start", "inspection_end", "feedback_date", "publish_date"}
EXACT_FIELDS = {"unit_type", "anonymized", "inspection_group", "inspection_year"}


@pytest.mark.parametrize("name", sorted(GOLD))
def test_corpus_matches_gold(name):
    meta = extract_metadata(normalize_text((ROOT / "corpus" / name).read_text(encoding="utf-8")))
    gold = GOLD[name]
    for key in sorted((TEXT_FIELDS | DATE_FIELDS | EXACT_FIELDS) & set(gold)):
        want, got = gold[key], meta[key]
        if key in TEXT_FIELDS:
            assert (want is None) == (got is None) and compare_key(got) == compare_key(want), key
        elif key in DATE_FIELDS:
            assert got == (D.fromisoformat(want) if want else None), key
        else:
            assert got == want and type(got) is type(want), key
    if "inspection_year" not in gold and gold["inspection_start"]:
        assert meta["inspection_year"] == int(gold["inspection_start"][:4])
    for key in ("province", "city", "district", "inspection_start", "inspection_end", "feedback_date",
                "publish_date"):
        assert (meta[key] is None) == (meta[key + "_source"] is None), key
        if meta[key] is not None:
            assert meta[key + "_source"].startswith(("text:", "recovered:")), key


def test_corpus_sources_and_warnings():
    def load(name: str) -> dict:
        return extract_metadata(normalize_text((ROOT / "corpus" / name).read_text(encoding="utf-8")))

    damaged = load("002_12b1316753024736.txt")
    for key in ("inspection_start", "inspection_end", "feedback_date"):
        assert damaged[key + "_source"] == "recovered:digits"
    assert damaged["inspection_group_source"] == "recovered:other_statement"
    assert damaged["publish_date_source"] == "text:page_furniture"
    twice = load("001_2de122b7e26fbdc6.txt")
    assert warned(twice, "2021-10-19", "2021-10-28") and warned(twice, "2022年2月年10日", "2022-02-10")
    no_title = load("003_fdaf42a588543879.txt")
    assert no_title["district_source"] == "text:issuer" and no_title["publish_date_source"] == "text:signature"


def test_manifest_agrees_with_text_on_corpus():
    import csv

    with (ROOT / "corpus" / "manifest.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        meta = extract_metadata(normalize_text((ROOT / "corpus" / row["file"]).read_text(encoding="utf-8")), row)
        for key in ("province", "city", "district", "unit", "unit_type"):
            if row[key]:
                assert meta[key] == row[key] and meta[key + "_source"] == "manifest"


# --------------------------------------------------------------------------- robustness

FRAGMENTS = ["2022", "年", "月", "日", "1", "12", "9", "X", "XX", "至", "，", "。", "\n", "区委", "第", "巡察组",
             "巡察", "五", "反馈了巡察意见", "并于", "开展了巡察", "对", "柳河街道", "党工委", "关于", "通报",
             "邮政信箱：", "普陀区", "济南市", "市中区", "联系电话：", "0580-3090077", "@tj.gov.cn", " ",
             "中共", "工作委员会", "发布日期:", "2023-03-14", "轮", "届", "-", "号"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join))
def test_never_fails_and_sources_follow_values(text):
    meta = extract_metadata(text)
    assert list(meta) == METADATA_FIELDS
    for key in METADATA_FIELDS:
        if key.endswith("_source"):
            assert (meta[key] is None) == (meta[key[: -len("_source")]] is None), key
    for key in ("inspection_start", "inspection_end", "feedback_date", "publish_date"):
        assert meta[key] is None or isinstance(meta[key], D)
    if meta["inspection_start"] and meta["inspection_end"]:
        assert meta["inspection_start"] <= meta["inspection_end"]
    assert meta["inspection_group"] is None or isinstance(meta["inspection_group"], int)
