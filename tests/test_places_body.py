"""Place and publication date read from the body, the page chrome and the page's address (issue 12).

Invented texts, positive and negative: body-only saved pages, chrome lines, a source_url alone,
contradicting evidence, counties of one name in several cities, names inside book titles, the level
of a city's own notice, anonymised templates; the host parser; the build summary's coverage lines.
"""

from __future__ import annotations

import datetime as dt
import time

import duckdb
import pytest

from analysis.ingest.formats import html_to_text
from analysis.ingest.normalize import normalize_text
from analysis.notice.metadata import extract_metadata
from analysis.notice.metadata.domains import host_paths, url_host
from analysis.notice.metadata.evidence import consensus
from analysis.notice.metadata.gazetteer import path_name
from analysis.pipeline.summary import BuildSummary, Coverage, place_coverage
from analysis.vocab import header, load_table

D = dt.date
ZS = ("浙江省", "舟山市", "普陀区")


def md(text: str, manifest: dict | None = None) -> dict:
    return extract_metadata(normalize_text(text), manifest)


def place(meta: dict) -> tuple:
    return meta["province"], meta["city"], meta["district"]


def warned(meta: dict, *needles: str) -> bool:
    return any(all(n in w for n in needles) for w in meta["warnings"])


# --------------------------------------------------------------------------- the body

BODY = [
    # text, (province, city, district), district source (or city source when no district)
    ("根据省委统一部署，2023年3月1日至4月30日，省委第七巡视组对舟山市普陀区开展了巡视。\n"
     "普陀区委把巡视整改作为重大政治任务，坚决扛起整改主体责任。", ZS, "text:inspected"),
    ("根据市委统一部署，市委第三巡察组对沛县大屯街道党工委进行了巡察。", ("江苏省", "徐州市", "沛县"), "text:inspected"),
    ("省委第二巡视组进驻中共义乌市委开展巡视。", ("浙江省", "金华市", "义乌市"), "text:inspected"),
    ("根据州委统一部署，州委第一巡察组对长阳县龙舟坪镇开展了常规巡察。", ("湖北省", "宜昌市", "长阳土家族自治县"),
     "text:inspected"),
    # the committee named in the body
    ("普陀区委把巡视整改作为重大政治任务。舟山市委高度重视。", ZS, "text:committee"),
    ("中共沛县县委坚决扛起整改政治责任。", ("江苏省", "徐州市", "沛县"), "text:committee"),
    ("舟山市普陀区纪委监委强化日常监督。", ZS, "text:committee"),
    ("恩施州委把巡视整改作为重大政治任务。", ("湖北省", "恩施土家族苗族自治州", None), "text:committee"),
    # a unit named with its place
    ("仪陇县新政镇党委把巡察整改作为重大政治任务。", ("四川省", "南充市", "仪陇县"), "text:committee"),
    ("金水区市场监督管理局党组高度重视。", ("河南省", "郑州市", "金水区"), "text:committee"),
    # the committees of a city's districts named side by side: the city, no district
    ("舟山市委召开专题会议。舟山市委常委会研究部署。定海区委、普陀区委分别召开会议。",
     ("浙江省", "舟山市", None), "text:committee"),
    # a regulation names its own place: weak evidence, used when nothing else is there
    ("按照《舟山市普陀区巡察工作实施办法》有关规定，现将整改情况予以公布。", ZS, "text:regulation"),
]


@pytest.mark.parametrize("text,expected,source", BODY)
def test_place_from_the_body(text, expected, source):
    meta = md(text)
    assert place(meta) == expected
    key = "district" if expected[2] else "city"
    assert meta[key + "_source"] == source
    assert meta["place_conflict"] is False


@pytest.mark.parametrize("text", [
    "学习滨海新区先进经验，赴舟山市考察。",  # mentions, no committee
    "学习舟山经验，推进整改落实。",  # a city's short form alone
    "普陀纪委加强监督。",  # a county's short form without its city
    "区委委托第三方对普陀区开展满意度测评。",  # 委托 is no committee; no inspection verb
    "普陀区委托第三方机构开展评估。",
    "推进老城区委员会换届。",  # 城区 inside a word
    "学习“舟山市委经验”。",  # inside a quotation
    "区委第二巡察组对东港街道开展了常规巡察。",  # the inspected unit names no place
    "全市各街道党工委认真整改。",  # 全市 is no place
    "根据X省委统一部署，X市委第X巡察组对X区X街道开展了巡察。X区委高度重视。",  # template
    "某某市普陀区委高度重视，某某县委认真整改。",  # an invented place masks the names after it
])
def test_no_place_from_the_body(text):
    meta = md(text)
    assert place(meta) == (None, None, None)
    assert meta["province_confidence"] is None and meta["district_confidence"] is None


def test_city_notice_gets_no_district():
    # the inspected unit is the city itself: a district committee named in the body is not the notice's
    meta = md("省委第三巡视组对中共舟山市委开展了巡视。普陀区委认真落实整改要求。")
    assert place(meta) == ("浙江省", "舟山市", None)
    meta = md("中共舟山市委关于省委巡视整改进展情况的通报\n定海区委、普陀区委分别召开会议。邮政信箱：舟山市定海区某路1号")
    assert place(meta) == ("浙江省", "舟山市", None) and meta["city_source"] == "text:issuer"


def test_title_and_signature_lines_are_not_the_body():
    meta = md("欢迎监督。\n中共北京市朝阳区委员会建外街道工作委员会\n2023年1月5日")
    assert meta["district_source"] == "text:issuer"


def test_book_title_is_weaker_than_the_body():
    meta = md("按照《杭州市西湖区巡察工作实施办法》有关规定，区委第二巡察组对舟山市普陀区东港街道开展了巡察。")
    assert place(meta) == ZS and meta["district_source"] == "text:inspected"
    assert meta["district_confidence"] == "high"
    assert meta["place_conflict"] is True and warned(meta, "regulation", "杭州市西湖区", "contradicts")
    weak = md("按照《舟山市普陀区巡察工作实施办法》有关规定，现将整改情况予以公布。")
    assert weak["district_confidence"] == "low"


# --------------------------------------------------------------------------- confidence and conflicts

def test_contradicting_evidence_is_flagged():
    meta = md("中共舟山市普陀区委关于巡视整改进展情况的通报\n正文。\n邮政信箱：上海市普陀区长寿路1号")
    assert place(meta) == ZS and meta["district_source"] == "text:issuer"
    assert meta["place_conflict"] is True
    assert warned(meta, "address", "上海市普陀区长寿路1号", "contradicts")


def test_agreeing_evidence_is_not_a_conflict_and_raises_confidence():
    meta = md("区委第二巡察组对东港街道开展了巡察。\n联系电话：0580-3090077；电子邮箱：abc@zhoushan.gov.cn")
    assert place(meta) == ("浙江省", "舟山市", None)
    assert meta["place_conflict"] is False
    assert meta["city_confidence"] == "high"  # phone and domain, each medium, name it alone


def test_manifest_contradicted_by_text_is_flagged():
    meta = md("邮政信箱：天津市滨海新区某路1号", {"province": "山东省", "city": "济南市", "district": "市中区"})
    assert place(meta) == ("山东省", "济南市", "市中区")
    assert meta["province_confidence"] == "high" and meta["place_conflict"] is True


@pytest.mark.parametrize("text,expected,warning", [
    ("邮寄地址：普陀区康腾路36号", (None, None, "普陀区"), "上海市普陀区"),  # 舟山 or 上海
    ("邮寄地址：鼓楼区某路1号", (None, None, "鼓楼区"), "福建省福州市鼓楼区"),  # 福州, 南京, 徐州, 开封
    ("普陀区委高度重视。", (None, None, "普陀区"), "浙江省舟山市普陀区"),
])
def test_same_named_counties_are_not_chosen_between(text, expected, warning):
    meta = md(text)
    assert place(meta) == expected and warned(meta, "ambiguous", warning)


@pytest.mark.parametrize("text,expected", [
    ("邮寄地址：鼓楼区某路1号；联系电话：0591-83301234", ("福建省", "福州市", "鼓楼区")),
    ("邮寄地址：鼓楼区某路1号；联系电话：025-83301234", ("江苏省", "南京市", "鼓楼区")),
    ("普陀区委高度重视。舟山市委召开专题会议。", ZS),
])
def test_same_named_counties_told_apart_by_evidence(text, expected):
    assert place(md(text)) == expected


# --------------------------------------------------------------------------- the page chrome

CHROME = [
    # text, place, place source (deepest level found), publish date, its source
    ("首页 > 舟山市纪委监委 > 巡察工作\n关于东港街道巡察整改进展情况的通报\n"
     "发布时间：2025-06-10 09:00 来源：舟山市普陀区纪委监委 浏览次数：123\n"
     "根据区委统一部署，区委第二巡察组对东港街道开展了巡察。", ZS, "text:page", D(2025, 6, 10), "text:page_furniture"),
    ("2025-06-10 09:00 浙江省纪委网站\n东港街道党工委关于巡察整改进展情况的通报\n"
     "根据区委统一部署，区委第二巡察组对东港街道开展了巡察。", ("浙江省", None, None), "text:page",
     D(2025, 6, 10), "text:page_furniture"),
    ("当前位置：首页 >> 工作动态 >> 沛县纪委监委\n时间：2023年5月11日\n"
     "根据县委统一部署，县委第一巡察组对某镇开展了巡察。", ("江苏省", "徐州市", "沛县"), "text:page",
     D(2023, 5, 11), "text:page_furniture"),
    ("东港街道党工委关于巡察整改进展情况的通报\n（2023年3月10日）\n根据区委统一部署，区委第二巡察组对东港街道开展了巡察。",
     (None, None, None), None, D(2023, 3, 10), "text:dateline"),
    ("根据区委统一部署，区委第二巡察组对东港街道开展了巡察。\n欢迎监督。\n（来源：舟山市普陀区纪委监委）",
     ZS, "text:page", None, None),
    ("正文。\n版权所有：舟山市普陀区人民政府\n", ZS, "text:page", None, None),
    ("来源：舟山日报\n根据区委统一部署，区委第二巡察组对东港街道开展了巡察。", ("浙江省", "舟山市", None), "text:page",
     None, None),
    # negative: the publisher names no place; a body line about funds is no publisher
    ("来源：本站\n根据区委统一部署，区委第二巡察组对东港街道开展了巡察。", (None, None, None), None, None, None),
    ("根据区委统一部署，区委第二巡察组对东港街道开展了巡察。\n资金来源：舟山市财政。", (None, None, None), None, None, None),
    ("根据区委统一部署，区委第二巡察组对东港街道开展了巡察。\n下一步，计划于2023年6月30日前完成整改。",
     (None, None, None), None, None, None),
    ("关于巡察整改情况的通报\n2022年8月1日至9月14日\n区委第二巡察组对东港街道开展了巡察。",  # a period, no stamp
     (None, None, None), None, None, None),
]


@pytest.mark.parametrize("text,expected,source,date,date_source", CHROME)
def test_page_chrome(text, expected, source, date, date_source):
    meta = md(text)
    assert place(meta) == expected
    deepest = next((k for k in ("district", "city", "province") if meta[k]), None)
    assert (meta[deepest + "_source"] if deepest else None) == source
    assert (meta["publish_date"], meta["publish_date_source"]) == (date, date_source)


def test_signature_date_wins_over_the_page_date():
    meta = md("2025-06-10 09:00 浙江省纪委网站\n正文。\n东港街道党工委\n2025年6月9日\n扫一扫在手机打开当前页\n"
              "【打印本页】【关闭窗口】\n版权所有：舟山市普陀区人民政府\n网站标识码：3309030001\n浙ICP备12345号")
    assert (meta["publish_date"], meta["publish_date_source"]) == (D(2025, 6, 9), "text:signature")
    assert warned(meta, "page furniture date 2025-06-10", "signature")
    assert meta["issuer"] == "东港街道党工委"


def test_title_below_the_chrome():
    meta = md("首页 > 舟山市纪委监委 > 巡察工作\n舟山市纪委监委网站\n索引号：123\n2025-06-10 09:00 来源：舟山市纪委监委\n"
              "字体：大 中 小\n【打印】\n分享到：\n东港街道党工委关于巡察整改进展情况的通报\n"
              "根据区委统一部署，区委第二巡察组对东港街道开展了巡察。")
    assert meta["title"] == "东港街道党工委关于巡察整改进展情况的通报"  # the site's name is not joined
    assert meta["issuer"] == "东港街道党工委" and place(meta) == ("浙江省", "舟山市", None)


def test_html_keeps_the_publisher():
    html = """<html><body><div class="nav">首页 | 政务公开</div><div id="main">
    <div class="info">发布日期：2023-03-14 来源：舟山市普陀区纪委监委 浏览次数：120</div>
    <div class="content"><p>关于东港街道巡察整改进展情况的通报</p>
    <p>根据区委统一部署，区委第二巡察组对东港街道开展了常规巡察，整改工作取得阶段性成效。</p>
    <p>针对反馈问题逐项制定整改措施，明确责任人和完成时限，确保整改到位。</p></div></div></body></html>"""
    text, _ = html_to_text(html)
    assert text.splitlines()[:2] == ["发布日期：2023-03-14", "来源：舟山市普陀区纪委监委"]
    meta = md(text)
    assert place(meta) == ZS and meta["publish_date"] == D(2023, 3, 14)


# --------------------------------------------------------------------------- the page's address

HOSTS = [
    ("http://www.jnsz.gov.cn/art/2023/1.html", ("山东省", "济南市", "市中区")),
    ("https://sz.jinan.gov.cn/", ("山东省", "济南市", "市中区")),
    ("ptq.zhoushan.gov.cn/col/1.html", ZS),
    ("http://putuo.zhoushan.gov.cn", ZS),
    ("https://jw.tj.gov.cn/xwzx/1.html", ("天津市", "天津市", None)),
    ("http://www.tjbh.gov.cn", ("天津市", "天津市", "滨海新区")),
    ("http://www.zjsjw.gov.cn/a.html", ("浙江省", None, None)),
    ("http://www.bjchy.gov.cn", ("北京市", "北京市", "朝阳区")),
    ("https://www.zhoushan.gov.cn", ("浙江省", "舟山市", None)),
    ("https://jw.zhoushan.gov.cn", ("浙江省", "舟山市", None)),
    ("www.sdjj.gov.cn", ("山东省", None, None)),
    # negative: no place, or too loose alone
    ("https://www.ccdi.gov.cn/yaowen/1.html", (None, None, None)),
    ("https://mp.weixin.qq.com/s/abc", (None, None, None)),
    ("https://www.putuo.gov.cn/a.html", (None, None, None)),  # 普陀 of 舟山 or 上海, 平潭…: narrows only
    ("https://www.gz.gov.cn", (None, None, None)),  # two letters alone are too many cities
    ("not a url", (None, None, None)),
]


@pytest.mark.parametrize("url,expected", HOSTS)
def test_source_url_alone(url, expected):
    meta = md("正文。", {"source_url": url})
    assert place(meta) == expected
    for key, value in zip(("province", "city", "district"), expected, strict=True):
        assert meta[key + "_source"] == ("source_url" if value else None)
        assert meta[key + "_confidence"] == ("medium" if value else None)


def test_loose_host_narrows_other_evidence():
    meta = md("舟山市委高度重视。", {"source_url": "https://www.putuo.gov.cn/a.html"})
    assert place(meta) == ZS and meta["district_source"] == "text:committee+source_url"
    meta = md("上海市委高度重视。", {"source_url": "https://www.putuo.gov.cn/a.html"})
    assert place(meta) == ("上海市", "上海市", "普陀区")
    meta = md("天津市委高度重视。", {"source_url": "https://www.putuo.gov.cn/a.html"})
    assert place(meta) == ("天津市", "天津市", None) and meta["place_conflict"] is False


def test_host_contradicting_the_text_is_flagged():
    meta = md("中共舟山市普陀区委关于巡视整改进展情况的通报\n正文。", {"source_url": "http://www.jnsz.gov.cn/1.html"})
    assert place(meta) == ZS and meta["place_conflict"] is True and warned(meta, "source_url", "jnsz")


@pytest.mark.parametrize("domain,names,loose", [
    ("jn.shandong.cn", {"山东省济南市", "山东省济宁市"}, False),  # jn is 济南 or 济宁
    ("www.putuo.gov.cn", {"上海市普陀区", "浙江省舟山市普陀区"}, True),  # among others
    ("tj.gov.cn", {"天津市"}, False),
])
def test_host_readings(domain, names, loose):
    found = host_paths(domain)
    assert found is not None and found[1] is loose
    assert names <= {path_name(p) for p in found[0]}


@pytest.mark.parametrize("url,host", [
    ("http://www.jnsz.gov.cn/art/1.html", "www.jnsz.gov.cn"), ("WWW.Zhoushan.GOV.cn/a", "www.zhoushan.gov.cn"),
    ("", None), ("正文", None), ("http://[::1", None),
])
def test_url_host(url, host):
    assert url_host(url) == host


# --------------------------------------------------------------------------- data files

@pytest.mark.parametrize("name", ["place_cues.csv", "place_evidence.csv", "place_initials.csv", "page_furniture.csv"])
def test_data_files_have_headers(name):
    assert {"version", "source", "description"} <= set(header(name))


def test_initials_cover_every_division_name():
    from analysis.notice.metadata.gazetteer import gazetteer

    table = load_table("place_initials.csv")
    assert table["initials"].str.fullmatch("[a-z]+").all() and table["char"].is_unique
    chars = set(table["char"])
    assert {c for n in gazetteer().code_name.values() for c in n if "\u4e00" <= c <= "\u9fff"} <= chars


def test_evidence_kinds_are_ranked():
    rows = load_table("place_evidence.csv")
    assert list(rows["kind"])[0] == "manifest" and list(rows["kind"])[-1] == "regulation"
    assert rows["rank"].astype(int).is_monotonic_increasing


# --------------------------------------------------------------------------- how mentions agree

def test_consensus_of_mentions():
    zs, pt_zs, dh_zs = ("33", "3309", None), ("33", "3309", "330903"), ("33", "3309", "330902")
    pt_sh = ("31", "3101", "310107")
    assert consensus([frozenset({pt_zs, pt_sh}), frozenset({zs})]) == {pt_zs}
    assert consensus([frozenset({zs}), frozenset({dh_zs}), frozenset({pt_zs})]) == {zs, dh_zs, pt_zs}
    assert consensus([frozenset({pt_zs})] * 3 + [frozenset({dh_zs})]) == {pt_zs}
    assert consensus([frozenset({pt_zs, pt_sh})]) == {pt_zs, pt_sh}


# --------------------------------------------------------------------------- the build summary

def test_place_coverage_lines():
    con = duckdb.connect()
    con.execute("create table documents (province varchar, province_source varchar, city varchar, "
                "city_source varchar, district varchar, district_source varchar, publish_date date, "
                "publish_date_source varchar)")
    con.execute("insert into documents values "
                "('浙江省', 'text:inspected', '舟山市', 'text:inspected', '普陀区', 'text:inspected', null, null), "
                "('浙江省', 'manifest', '舟山市', 'manifest', null, null, '2023-01-05', 'text:signature'), "
                "(null, null, null, null, null, null, null, null), "
                "('天津市', 'text:phone', '天津市', 'text:phone', null, null, '2023-02-01', 'text:page_furniture')")
    cov = place_coverage(con)
    assert [c.field for c in cov] == ["province", "city", "district", "publish_date"]
    assert (cov[0].found, cov[0].total) == (3, 4) and cov[2].found == 1
    assert cov[0].by_source == [("manifest", 1), ("text:inspected", 1), ("text:phone", 1)]
    lines = BuildSummary(db="w.duckdb", coverage=cov).lines()  # type: ignore[arg-type]
    assert "  province: 3/4 (75%): manifest 1, text:inspected 1, text:phone 1" in lines
    assert "  district: 1/4 (25%): text:inspected 1" in lines
    assert lines[-1].startswith("time:")
    assert Coverage("city", 0, 0, []).line() == "  city: 0/0 (-)"


# --------------------------------------------------------------------------- linear time

@pytest.mark.parametrize("unit", ["普陀区委", "对舟山市普陀区开展了巡视，", "《舟山市普陀区", "来源：舟山市\n", "区委区", "对对对",
                                  "舟山市普陀区东港街道党工委，", "市市市市党委", "区区区区区区区区区区区区区区区区街道"])
def test_place_readers_are_linear(unit):
    def seconds(n: int) -> float:  # the best of two runs: a busy machine adds noise, never removes it
        text = "关于巡察整改情况的通报\n" + (unit * (n // len(unit) + 1))[:n]
        best = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            extract_metadata(text)
            best = min(best, time.perf_counter() - t0)
        return best

    seconds(2000)
    small, big = seconds(60_000), seconds(240_000)  # linear: about 4 times; quadratic: 16
    assert big / max(small, 0.05) < 8, (unit, small, big)


# --------------------------------------------------------------------------- whole invented notices

NOTICE_PAGE = """当前位置：首页 > 巡视巡察 > 巡察整改
中共广州市海珠区委关于十二届省委第三轮巡视整改进展情况的通报
发布时间：2023-08-15 10:32:11  来源：海珠区纪委监委
根据省委统一部署，2023年3月6日至5月10日，省委第五巡视组对广州市海珠区开展了常规巡视。2023年6月20日，\
省委巡视组向海珠区委反馈了巡视意见。按照党务公开原则和巡视工作有关要求，现将巡视整改进展情况予以公布。
一、提高政治站位，扛牢整改政治责任
区委把巡视整改作为重大政治任务。
"""
NOTICE_BODY_ONLY = """根据市委统一部署，2022年9月5日至11月4日，市委第二巡察组对中共仪陇县新政镇委员会开展了常规巡察。\
2022年12月1日，市委第二巡察组向新政镇党委反馈了巡察意见。
新政镇党委高度重视。欢迎监督。联系电话：0817-7221234
"""
NOTICE_CHROME_ONLY = """2025-06-10 09:00 湖北省纪委监委网站
首页 > 审查调查 > 巡视巡察
关于城关镇党委巡察整改进展情况的通报
根据县委统一部署，县委第三巡察组对城关镇党委开展了常规巡察。中共罗田县委巡察办加强督促。城关镇党委把巡察整改作为重大政治任务。
"""


@pytest.mark.parametrize("text,expected", [
    (NOTICE_PAGE, {"province": "广东省", "city": "广州市", "district": "海珠区", "district_source": "text:issuer",
                   "district_confidence": "high", "publish_date": D(2023, 8, 15),
                   "publish_date_source": "text:page_furniture", "inspection_start": D(2023, 3, 6),
                   "feedback_date": D(2023, 6, 20), "place_conflict": False}),
    (NOTICE_BODY_ONLY, {"province": "四川省", "city": "南充市", "district": "仪陇县", "district_source": "text:inspected",
                        "city_confidence": "high", "publish_date": None, "issuer": "新政镇党委",
                        "place_conflict": False}),
    (NOTICE_CHROME_ONLY, {"province": "湖北省", "province_source": "text:committee", "province_confidence": "high",
                          "city": "黄冈市", "district": "罗田县", "district_source": "text:committee",
                          "district_confidence": "medium", "publish_date": D(2025, 6, 10),
                          "title": "关于城关镇党委巡察整改进展情况的通报"}),
])
def test_whole_invented_notices(text, expected):
    meta = md(text)
    assert {k: meta[k] for k in expected} == expected
