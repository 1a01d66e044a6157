"""Stated figures by meaning (analysis.notice.stated_figures): every number of a combined phrasing
gets its own figure, inspected units by kind, completion states, money by kind, rates, and numbers
no rule reads are left alone.

Every sentence here is invented for this project (not copied from a notice). Each case lists the
figures expected in text order as (figure, value, unit); an empty list means the sentence states
no figure.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest.normalize import normalize_text
from analysis.notice.stated_figures import extract_stated_figures, figure_keys
from analysis.vocab import header


def _case(name: str, text: str, *expected: tuple) -> tuple[str, str, list[tuple]]:
    return name, text, list(expected)


COMBINED = [
    _case("areas_problems_measures", "巡察反馈的4个方面16个具体问题，制定了58项细化整改措施。",
          ("areas_reported", 4, "个"), ("problems_reported", 16, "个"), ("measures_reported", 58, "项")),
    _case("nine_areas_key_problems", "对照反馈的九个方面30个重点问题，逐项研究明确115项整改细化举措。",
          ("areas_reported", 9, "个"), ("problems_reported", 30, "个"), ("measures_reported", 115, "项")),
    _case("areas_problems_cases_tasks", "巡视反馈的五方面17项问题56项具体问题表现或案例，细化形成160条整改任务。",
          ("areas_reported", 5, "个"), ("problems_reported", 17, "项"), ("specific_problems_reported", 56, "项"),
          ("tasks_reported", 160, "条")),
    _case("chain_without_trigger", "五方面17项问题56项具体问题表现或案例，细化形成160条整改任务。",
          ("areas_reported", 5, "个"), ("problems_reported", 17, "项"), ("specific_problems_reported", 56, "项"),
          ("tasks_reported", 160, "条")),
    _case("problems_after_areas_bare", "区委巡察组反馈问题3个方面12个，已全部完成整改。",
          ("areas_reported", 3, "个"), ("problems_reported", 12, "个")),
    _case("bare_then_measures_total", "反馈问题3个方面12个，整改措施共计36条。",
          ("areas_reported", 3, "个"), ("problems_reported", 12, "个"), ("measures_reported", 36, "条")),
    _case("areas_comma_problems", "区委巡察组反馈的意见中指出存在4个方面、16个主要问题。",
          ("areas_reported", 4, "个"), ("problems_reported", 16, "个")),
    _case("gong_fankui", "区委巡察组共反馈3个方面12个问题，梳理形成整改举措40项。",
          ("areas_reported", 3, "个"), ("problems_reported", 12, "个"), ("measures_reported", 40, "项")),
    _case("tiao_problems_gongji", "对照巡察反馈的3个方面12条问题，共计制定整改措施36条。",
          ("areas_reported", 3, "个"), ("problems_reported", 12, "条"), ("measures_reported", 36, "条")),
    _case("specific_after_problems", "巡察指出8个问题23个具体问题，研究制定整改措施61项。",
          ("problems_reported", 8, "个"), ("specific_problems_reported", 23, "个"), ("measures_reported", 61, "项")),
    _case("areas_of_problems_specific", "巡察组指出了12个方面的问题，涉及42个具体问题。",
          ("areas_reported", 12, "个"), ("problems_reported", 42, "个")),
    _case("chinese_numerals", "巡察反馈三个方面十二个问题，制定整改措施三十六条。",
          ("areas_reported", 3, "个"), ("problems_reported", 12, "个"), ("measures_reported", 36, "条")),
    _case("lists", "共梳理问题清单28项，任务清单56条，责任清单56项。",
          ("problems_reported", 28, "项"), ("tasks_reported", 56, "条"), ("responsibility_items", 56, "项")),
    _case("assigned", "交办问题12个，交办整改任务30项。", ("problems_reported", 12, "个"), ("tasks_reported", 30, "项")),
    _case("sorted_out_specific", "共梳理出具体问题47条，细化整改措施120条。",
          ("problems_reported", 47, "条"), ("measures_reported", 120, "条")),
    _case("measures_without_rectification_word", "巡察反馈问题12个，制定措施45项。",
          ("problems_reported", 12, "个"), ("measures_reported", 45, "项")),
    _case("tasks_number_first", "围绕巡察反馈意见，分解细化88项整改任务。", ("tasks_reported", 88, "项")),
    _case("problem_clues_are_not_problems", "巡察反馈问题12个，交办问题线索3条。",
          ("problems_reported", 12, "个"), ("clues_transferred", 3, "条")),
    _case("clues_first", "巡察组移交问题线索5件，反馈问题20个。",
          ("clues_transferred", 5, "件"), ("problems_reported", 20, "个")),
    _case("areas_concentrated", "反馈意见指出，存在的问题主要集中在3个方面。", ("areas_reported", 3, "个")),
    _case("big_areas", "巡察反馈4大方面15个问题，共计115项整改举措。",
          ("areas_reported", 4, "个"), ("problems_reported", 15, "个"), ("measures_reported", 115, "项")),
    _case("problem_categories", "梳理出问题清单5大类32项。", ("areas_reported", 5, "类"), ("problems_reported", 32, "项")),
    _case("three_lists_and_tasks", "对巡视反馈的4个方面13个问题，形成问题、任务、责任“三张清单”，共明确整改任务82项。",
          ("areas_reported", 4, "个"), ("problems_reported", 13, "个"), ("tasks_reported", 82, "项")),
    _case("chain_all_done", "巡视指出的6个方面23个问题已全部整改完成。",
          ("areas_reported", 6, "个"), ("problems_reported", 23, "个")),
    # not reported figures
    _case("problems_solved_since", "巡视反馈以来，推动解决群众急难愁盼问题120个。"),
    _case("areas_of_the_response", "从三个方面推进整改，围绕5个方面制定措施。"),
    _case("problems_solved_by_the_street", "发现并督促解决内容更新不及时、公开栏内容破损等13个问题。"),
    _case("ordinal_problem", "反馈的第3个问题已整改到位。"),
    _case("rhetoric", "做到治理一个问题、健全一项制度，解决一个问题、堵塞一个漏洞。"),
    _case("three_lists_slogan", "建立问题清单、任务清单、责任清单“三张清单”，树牢“四个意识”。"),
    _case("book_title", "印发《关于整改3个方面12个问题的实施方案》。"),
    _case("dates_and_phone", "2023年3月5日至4月30日开展巡察，联系电话：0580-3021234，邮编316100。"),
    _case("inspection_group_ordinal", "区委第三巡察组、第12巡察组对某街道开展了巡察。"),
    _case("placeholders", "反馈问题X个，制定整改措施XX条。"),
    _case("slogans_with_counts", "聚焦“五个着力”，紧扣“四个起来”，落实“两个责任”。"),
    _case("a_measure_of_the_response", "采取三项措施，一是加强学习，二是完善制度。"),
    _case("ordinal_area", "第二个方面的问题整改情况。"),
    _case("unrelated_counts", "提供就业岗位115个，床位80张，增加学位450个。"),
    _case("years", "对街道近3年下拨的专项资金进行梳理。"),
]

INSPECTED = [
    _case("villages_and_communities_listed", "对全区12个村、5个社区开展巡察。",
          ("villages_inspected", 12, "个"), ("communities_inspected", 5, "个")),
    _case("villages_communities_one_noun", "巡察组对全镇15个村（社区）开展了常规巡察。",
          ("villages_and_communities_inspected", 15, "个")),
    _case("units_schools_enterprises", "对区教育局等8个单位、3所学校和2家区属国有企业开展了巡察。",
          ("units_inspected", 8, "个"), ("schools_inspected", 3, "所"), ("enterprises_inspected", 2, "家")),
    _case("inspected_after_verb", "本轮共巡察了12个村、5个社区。",
          ("villages_inspected", 12, "个"), ("communities_inspected", 5, "个")),
    _case("party_organisations", "对12个村党组织、5个社区党组织开展了延伸巡察。",
          ("villages_inspected", 12, "个"), ("communities_inspected", 5, "个")),
    _case("named_communities", "区委第二巡察组对某街道甲、乙、丙3个城市社区党组织开展了巡察。",
          ("communities_inspected", 3, "个")),
    _case("communities_villages_one_noun", "对8个社区（村）党组织进行了巡察。",
          ("villages_and_communities_inspected", 8, "个")),
    _case("enterprises", "区委第四巡察组对区属5家国有企业党组织开展了巡察。", ("enterprises_inspected", 5, "家")),
    _case("units_inspected_of", "完成对18个区直单位的常规巡察。", ("units_inspected", 18, "个")),
    _case("villages_chinese", "巡察组对五个村党组织开展了常规巡察。", ("villages_inspected", 5, "个")),
    _case("province_units_and_counties", "省委第三巡视组巡视了15个省直单位，对12个县（市、区）开展了巡视。",
          ("units_inspected", 15, "个"), ("units_inspected", 12, "个")),
    # not inspected
    _case("guidance_is_not_inspection", "对辖区14个村、社区开展指导督导。"),
    _case("found_during_inspection", "巡察期间，发现12个社区存在问题。"),
    _case("services", "对7个城市社区便民服务站开展督查指导。"),
    _case("villagers", "对12个村民小组开展走访。"),
    _case("rectification_check", "对12个社区开展巡察整改督查。"),
    _case("visits_during_inspection", "巡察组对某街道开展巡察期间，走访了12个社区。"),
    _case("inspection_of_a_street", "区委第二巡察组对某某街道党工委开展了巡察。"),
]

STATES = [
    _case("status_line", "本轮巡察反馈问题28个，制定整改措施64条，已完成整改21个，正在整改7个，整改完成率76%。",
          ("problems_reported", 28, "个"), ("measures_reported", 64, "条"), ("problems_completed", 21, "个"),
          ("problems_in_progress", 7, "个"), ("completion_rate", 76, "%")),
    _case("not_completed_is_not_in_progress", "巡察反馈的40个问题，完成整改38个，未完成2个。",
          ("problems_reported", 40, "个"), ("problems_completed", 38, "个"), ("problems_not_completed", 2, "个")),
    _case("not_completed_variants", "已完成整改的问题25个，未完成整改的问题3个，尚未完成2个。",
          ("problems_completed", 25, "个"), ("problems_not_completed", 3, "个"), ("problems_not_completed", 2, "个")),
    _case("not_completed_number_first", "反馈问题20个，其中5个未完成，3个尚未完成整改。",
          ("problems_reported", 20, "个"), ("problems_not_completed", 5, "个"), ("problems_not_completed", 3, "个")),
    _case("five_states", "其中，已整改到位18个，基本完成2个，持续推进3个，长期坚持1个，整改率90%。",
          ("problems_completed", 18, "个"), ("problems_basically_completed", 2, "个"),
          ("problems_in_progress", 3, "个"), ("problems_long_term", 1, "个"), ("completion_rate", 90, "%")),
    _case("long_term_need", "目前正在推进2个，需长期坚持的问题3个。",
          ("problems_in_progress", 2, "个"), ("problems_long_term", 3, "个")),
    _case("measures_completed_by_antecedent", "反馈问题12个，制定整改措施45条，已完成整改40条，正在推进5条。",
          ("problems_reported", 12, "个"), ("measures_reported", 45, "条"), ("measures_completed", 40, "条"),
          ("measures_in_progress", 5, "条")),
    _case("problems_completed_by_unit", "反馈问题12个，制定措施45项，已完成整改10个。",
          ("problems_reported", 12, "个"), ("measures_reported", 45, "项"), ("problems_completed", 10, "个")),
    _case("antecedent_never_smaller", "反馈问题47个，制定整改措施72个，已完成整改60个。",
          ("problems_reported", 47, "个"), ("measures_reported", 72, "个"), ("measures_completed", 60, "个")),
    _case("antecedent_in_previous_sentence", "巡察反馈问题28个。截至目前，已完成整改21个，基本完成3个，正在推进2个。",
          ("problems_reported", 28, "个"), ("problems_completed", 21, "个"),
          ("problems_basically_completed", 3, "个"), ("problems_in_progress", 2, "个")),
    _case("tasks_reported_then_completed", "截至目前，45项整改任务已完成40项，5项需长期坚持。",
          ("tasks_reported", 45, "项"), ("tasks_completed", 40, "项"), ("tasks_long_term", 5, "项")),
    _case("named_objects", "58项整改措施已全部完成，12个问题已整改到位，已完成整改任务30项。",
          ("measures_completed", 58, "项"), ("problems_completed", 12, "个"), ("tasks_completed", 30, "项")),
    _case("measures_status", "共制定整改措施58项，已完成52项，6项正在推进。",
          ("measures_reported", 58, "项"), ("measures_completed", 52, "项"), ("measures_in_progress", 6, "项")),
    _case("in_order_of_schedule", "对巡察反馈的20个问题，已完成整改18个，剩余2个正在按时序推进。",
          ("problems_reported", 20, "个"), ("problems_completed", 18, "个"), ("problems_in_progress", 2, "个")),
    _case("completion_number_first", "巡察反馈问题共计12个，其中10个已完成整改，2个正在推进。",
          ("problems_reported", 12, "个"), ("problems_completed", 10, "个"), ("problems_in_progress", 2, "个")),
    _case("in_progress_and_tasks", "巡视反馈的13个问题中，已完成整改11个，2个问题正在持续推进；82项整改任务已完成75项，7项正在推进。",
          ("problems_reported", 13, "个"), ("problems_completed", 11, "个"), ("problems_in_progress", 2, "个"),
          ("tasks_reported", 82, "项"), ("tasks_completed", 75, "项"), ("tasks_in_progress", 7, "项")),
    _case("long_term_object_after", "需要长期坚持的2个问题，正在整改中3个。",
          ("problems_long_term", 2, "个"), ("problems_in_progress", 3, "个")),
    _case("months_are_not_problems", "问题整改到位3个月后开展回头看。"),
    _case("fed_back_all_done", "反馈的28个问题已全部整改完成。", ("problems_reported", 28, "个")),
    _case("basically_is_not_completed", "基本完成整改4个，已销号9个。",
          ("problems_basically_completed", 4, "个"), ("problems_completed", 9, "个")),
    _case("no_rectification_context", "建设完成老年人日间照料中心12个。"),
]

MONEY_AND_RATES = [
    _case("money_kinds", "挽回经济损失6.38万元，追缴资金7.132万元，清退违规资金66.57万元，退还多收费用3200元。",
          ("funds_loss_recovered", 63800, "元"), ("funds_clawed_back", 71320, "元"), ("funds_returned", 665700, "元"),
          ("funds_returned", 3200, "元")),
    _case("loss_is_not_funds_recovered", "追回资金并挽回经济损失5万元，收回资金1.5亿元。",
          ("funds_loss_recovered", 50000, "元"), ("funds_recovered", 150000000, "元")),
    _case("rectified_and_back_paid", "规范资金使用120万元，整改资金30万元，补缴党费1.2万元。",
          ("funds_rectified", 1200000, "元"), ("funds_rectified", 300000, "元"), ("funds_back_paid", 12000, "元")),
    _case("approximate_amount", "追缴违纪款3万余元。", ("funds_clawed_back", 30000, "元")),
    _case("recovered", "督促追回违规发放补贴2.5万元。", ("funds_recovered", 25000, "元")),
    _case("rates", "群众满意率达98.5%，网信专员覆盖率100%，普法活动开展率100%。",
          ("satisfaction_rate", 98.5, "%"), ("coverage_rate", 100, "%"), ("other_rate", 100, "%")),
    _case("completion_rates", "问题整改完成率达到100%，整改到位率95%。",
          ("completion_rate", 100, "%"), ("completion_rate", 95, "%")),
    _case("percent_done", "反馈问题已100%整改到位。", ("completion_rate", 100, "%")),
    _case("bare_percentages", "护理型床位占59%，集团控股85%，按工资的0.5%交纳。"),
    _case("money_placeholders", "挽回损失XX万元，追缴资金X元。"),
    _case("unit_price", "每人每月补贴300元。"),
    _case("cases_exposed", "累计开展警示教育20余次，共计曝光反面典型案例140余起，通报3起典型问题。",
          ("warning_education_sessions", 20, "次"), ("cases_exposed", 140, "起"), ("cases_exposed", 3, "起")),
]

CASES = COMBINED + INSPECTED + STATES + MONEY_AND_RATES


def _figures(text: str):
    t = normalize_text(text)
    return t, extract_stated_figures("t", t)


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_stated_figures_by_meaning(text: str, expected: list[tuple]) -> None:
    t, df = _figures(text)
    got = [(r.figure, r.value, r.unit) for r in df.itertuples(index=False)]
    assert got == [(f, float(v), u) for f, v, u in expected], df[["figure", "label", "value", "unit"]].to_string()
    for r in df.itertuples(index=False):
        assert t[r.char_start:r.char_end] == r.sentence
        assert r.raw_value.rstrip("余多") in r.sentence


def test_every_case_table_is_large_enough() -> None:
    assert len(CASES) >= 70
    assert sum(1 for c in CASES if not c[2]) >= 20   # sentences that must give no figure


def test_every_key_is_listed_with_its_meaning() -> None:
    keys = figure_keys()
    h = header("stated_figures.csv")
    missing = [k for k in keys if not h.get(f"figure {k}")]
    assert not missing, missing
    listed = {k.split(" ", 1)[1] for k in h if k.startswith("figure ")}
    assert listed == set(keys), listed ^ set(keys)
    assert {f for c in CASES for f, _, _ in c[2]} <= set(keys)


@pytest.mark.parametrize("text", ["整改方面，未完成5个。", "尚未完成整改的问题5个。", "问题整改方面，5个未完成。",
                                  "未完成整改任务5项。", "整改措施5条尚未完成。"])
def test_not_completed_is_never_completed_or_in_progress(text: str) -> None:
    _, df = _figures(text)
    assert len(df) == 1 and df["figure"].iloc[0].endswith("_not_completed"), df.to_string()
    assert df["value"].iloc[0] == 5


def test_completion_object_stays_in_its_paragraph() -> None:
    text = "制定整改措施45条。\n已完成整改40条。"
    _, df = _figures(text)
    assert list(df["figure"]) == ["measures_reported", "problems_completed"]


NOTICE = """关于某某街道巡察整改进展情况的通报
根据区委统一部署，2024年3月至5月，区委第一巡察组对某某街道党工委及所属8个社区、4个村开展了常规巡察。
一、整改工作总体情况
区委巡察组反馈了3个方面15个问题。街道党工委对照反馈的3个方面15个问题，细化制定整改措施52条。
截至目前，15个问题中已完成整改12个，基本完成2个，需长期坚持1个；52条整改措施已完成47条，未完成5条，整改完成率90.4%。
整改期间，追缴违规资金3.2万元，挽回经济损失1.5万元，清退多收费用2000元，新建制度6项，修订完善制度4项。
联系电话：0580-1234567
"""


def test_a_realistic_notice() -> None:
    _, df = _figures(NOTICE)
    got = [(r.figure, r.value) for r in df.itertuples(index=False)]
    assert got == [
        ("communities_inspected", 8), ("villages_inspected", 4),
        ("areas_reported", 3), ("problems_reported", 15), ("areas_reported", 3), ("problems_reported", 15),
        ("measures_reported", 52),
        ("problems_completed", 12), ("problems_basically_completed", 2), ("problems_long_term", 1),
        ("measures_reported", 52), ("measures_completed", 47), ("measures_not_completed", 5),
        ("completion_rate", 90.4),
        ("funds_clawed_back", 32000), ("funds_loss_recovered", 15000), ("funds_returned", 2000),
        ("institutions_new", 6), ("institutions_revised", 4),
    ], df[["figure", "label", "value"]].to_string()


FRAGMENTS = ["反馈", "问题", "3个", "方面", "12个", "、", "，", "。", "\n", "具体问题", "表现", "整改措施", "整改任务",
             "已完成", "未完成", "基本完成", "正在推进", "需长期坚持", "5项", "对", "村", "社区", "开展", "巡察", "（社区）",
             "挽回经济损失", "6.38万元", "追回", "完成率", "95%", "《", "》", "第", "一个", "五", "清单", "共", "的"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_any_text_gives_consistent_figures(parts: list[str]) -> None:
    t, df = _figures("".join(parts))
    keys = set(figure_keys())
    for r in df.itertuples(index=False):
        assert r.figure in keys, r.figure
        assert t[r.char_start:r.char_end] == r.sentence
        assert r.value >= 0
    assert list(df["row_no"]) == list(range(1, len(df) + 1))
