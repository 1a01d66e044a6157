"""Tests of the discipline-count and stated-figure extractor (analysis.notice.discipline, analysis.notice.stated_figures).

The sentence tables are invented for this project (not copied from notices); the corpus tests check
the hand-checked expectations of tests/fixtures/gold_seeds.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.genre.numerals import parse_number
from analysis.ingest.normalize import normalize_text
from analysis.notice.discipline import DISCIPLINE_COLUMNS, extract_discipline
from analysis.notice.stated_figures import STATED_COLUMNS, extract_stated_figures
from analysis.schema import DISTRICT_DISCIPLINE_SQL
from analysis.vocab import header, load_table

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLD = json.loads((ROOT / "tests" / "fixtures" / "gold_seeds.json").read_text(encoding="utf-8"))["documents"]

ANY = object()  # "do not check this field"


def R(action, count, unit=ANY, scope=ANY, parent=None, target=ANY):  # noqa: N802 - table helper
    """One expected discipline row (parent: row_no of the parent, None for a top-level row)."""
    return {"action": action, "count": count, "unit": unit, "scope": scope, "parent": parent, "target": target}


def _rows(text: str, problems: pd.DataFrame | None = None) -> pd.DataFrame:
    return extract_discipline("t", normalize_text(text), problems)


def _check_offsets(text: str, df: pd.DataFrame) -> None:
    for r in df.itertuples(index=False):
        assert text[r.char_start:r.char_end] == r.sentence
        assert not re.search(r"[。！？\n]", r.sentence.rstrip("。！？"))
        if "match_start" in df.columns:
            assert r.char_start <= r.match_start < r.match_end <= r.char_end


def _as_dicts(df: pd.DataFrame) -> list[dict]:
    out = []
    for r in df.itertuples(index=False):
        out.append({"action": r.action, "count": None if pd.isna(r.count) else int(r.count), "unit": r.unit,
                    "scope": r.scope,
                    "parent": None if pd.isna(r.parent) else int(r.parent),
                    "target": None if r.target is None or pd.isna(r.target) else r.target})
    return out


# ---------------------------------------------------------------------------------------------
# discipline: invented sentences


DISCIPLINE_CASES = [
    # -- totals, lists separated by ；、，and 并, spaces between word and number
    ("list_totals", "整改期间，共立案审查调查4件，了结3件，给予党纪处分2人。",
     [R("立案", 4, "件", "summary"), R("了结", 3, "件", "summary"), R("党纪处分", 2, "人", "summary")]),
    ("list_spaces_semicolons", "立案 2件、结案2件，给予党内警告1人；诫勉谈话3人，批评教育6人，谈话提醒8人，并发放黄色监督预警卡5张。",
     [R("立案", 2, "件"), R("了结", 2, "件"), R("党内警告", 1, "人"), R("诫勉谈话", 3, "人"),
      R("批评教育", 6, "人"), R("提醒谈话", 8, "人"), R("监督预警卡(黄色)", 5, "张")]),
    ("stated_zero", "给予政务处分0人；组织处理0人；诫勉0人。",
     [R("政务处分", 0, "人"), R("组织处理", 0, "人"), R("诫勉谈话", 0, "人")]),
    ("fullwidth_digits", "给予党内严重警告２人，诫勉谈话１０人。",
     [R("党内严重警告", 2, "人"), R("诫勉谈话", 10, "人")]),
    ("chinese_numerals", "共给予党纪处分十二人，诫勉谈话二十三人，提醒谈话一百零五人次。",
     [R("党纪处分", 12, "人", "summary"), R("诫勉谈话", 23, "人", "summary"), R("提醒谈话", 105, "人次", "summary")]),
    ("liang", "两人受到党内严重警告处分。", [R("党内严重警告", 2, "人")]),
    ("four_forms_total", "全年累计运用“四种形态”批评教育帮助和处理41人次。", [R("四种形态", 41, "人次", "summary")]),
    ("cumulative_marker", "累计约谈社区负责人8人次。", [R("约谈", 8, "人次", "summary", target="社区负责人")]),
    ("xianhou_marker", "先后对十一名党员干部进行了谈话提醒。", [R("提醒谈话", 11, "名", "summary", target="党员干部")]),
    ("each", "诫勉谈话、批评教育各3人。", [R("诫勉谈话", 3, "人"), R("批评教育", 3, "人")]),
    ("cards_colours", "发放红色预警卡2张、蓝色预警卡1张。",
     [R("监督预警卡(红色)", 2, "张"), R("监督预警卡(蓝色)", 1, "张")]),
    ("transfer_judiciary_total", "移送司法机关2人，移交纪委监委调查1人。",
     [R("移送司法", 2, "人"), R("移交纪检监察机关", 1, "人")]),
    ("accountability_with_role", "问责干部6人，其中诫勉谈话2人、通报批评4人。",
     [R("问责", 6, "人", target="干部"), R("诫勉谈话", 2, "人", parent=1), R("通报批评", 4, "人", parent=1)]),
    ("plain_warning", "给予警告处分1人。", [R("警告", 1, "人")]),
    ("party_gov_combined", "党政纪处理9人，组织处理4人。", [R("党纪政务处分", 9, "人"), R("组织处理", 4, "人")]),
    ("case_count_people", "立案人数7人，移送司法机关1人。", [R("立案", 7, "人"), R("移送司法", 1, "人")]),
    ("role_before_count", "约谈村（社区）主要负责人6人。", [R("约谈", 6, "人", target="主要负责人")]),
    ("duration", "给予留党察看一年处分1人。", [R("留党察看", 1, "人")]),
    # -- breakdowns: children point to the parent and never add to it
    ("paren_breakdown", "给予政务处分3人（记大过1人，记过2人）。",
     [R("政务处分", 3, "人"), R("记大过", 1, "人", parent=1), R("记过", 2, "人", parent=1)]),
    ("paren_breakdown_gov_warning", "给予政务处分2人（警告1人，记过1人）。",
     [R("政务处分", 2), R("政务警告", 1, parent=1), R("记过", 1, parent=1)]),
    ("paren_qizhong", "给予党纪处分3人（其中党内警告2人、撤销党内职务1人）。",
     [R("党纪处分", 3), R("党内警告", 2, parent=1), R("撤销党内职务", 1, parent=1)]),
    ("qizhong_breakdown", "给予党纪政务处分5人，其中开除党籍1人、留党察看1人、党内严重警告3人。",
     [R("党纪政务处分", 5), R("开除党籍", 1, parent=1), R("留党察看", 1, parent=1),
      R("党内严重警告", 3, parent=1)]),
    ("four_forms_breakdown", "运用监督执纪“四种形态”处理18人次，其中第一种形态15人次、第二种形态2人次、第三种形态1人次。",
     [R("四种形态", 18, "人次"), R("第一种形态", 15, "人次", parent=1), R("第二种形态", 2, "人次", parent=1),
      R("第三种形态", 1, "人次", parent=1)]),
    ("qizhong_counted_target", "对4名干部给予党纪处分，其中3人受到党内警告处分。",
     [R("党纪处分", 4, "名", "mention", target="干部"), R("党内警告", 3, "人", parent=1)]),
    # -- mentions: the action governs a counted or named target
    ("single_target", "对青山社区书记给予诫勉谈话。", [R("诫勉谈话", 1, "人", "mention", target="书记")]),
    ("counted_target_dui", "街道纪工委对3名社区干部给予诫勉谈话。",
     [R("诫勉谈话", 3, "名", "mention", target="社区干部")]),
    ("counted_target_no_dui", "3名网格员给予提醒谈话。", [R("提醒谈话", 3, "名", "mention", target="网格员")]),
    ("listed_targets_commas", "对林溪社区、石桥社区主要负责人，以及原南湾社区主要负责人，给予提醒谈话。",
     [R("提醒谈话", 3, "人", "mention", target="主要负责人")]),
    ("two_roles", "对社区出纳、街道财政所会计进行批评教育。", [R("批评教育", 2, "人", "mention")]),
    ("roles_joined_by_he", "对东岭村党支部书记和村委会主任给予诫勉谈话。", [R("诫勉谈话", 2, "人", "mention")]),
    ("he_inside_name", "对和平社区主要负责人给予批评教育。", [R("批评教育", 1, "人", "mention", target="主要负责人")]),
    ("counted_parts", "对2名网格员、1名会计进行批评教育。", [R("批评教育", 3, "名", "mention", target="网格员、会计")]),
    ("deng_total", "对张某、刘某等4人进行批评教育。", [R("批评教育", 4, "人", "mention")]),
    ("relative_clause", "对报销审核把关不严、造成资金损失的红枫社区主任进行约谈。",
     [R("约谈", 1, "人", "mention", target="主任")]),
    ("pronoun", "对其进行诫勉谈话。", [R("诫勉谈话", 1, "人", "mention", target=None)]),
    ("named_person", "对李某某给予党内严重警告处分。", [R("党内严重警告", 1, "人", "mention")]),
    ("passive", "王某受到留党察看处分。", [R("留党察看", 1, "人", "mention")]),
    ("after_governor", "经研究，给予赵某诫勉谈话。", [R("诫勉谈话", 1, "人", "mention")]),
    ("count_after_governor", "给予3人党内警告处分。", [R("党内警告", 3, "人")]),
    ("verb_object", "纪工委约谈该社区书记。", [R("约谈", 1, "人", "mention", target="该社区书记")]),
    ("verb_object_counted", "纪工委约谈了两名社区主任。", [R("约谈", 2, "名", "mention", target="社区主任")]),
    ("card_inherits_target", "对社区书记进行约谈，发放蓝色预警卡。",
     [R("约谈", 1, "人", "mention", target="社区书记"),
      R("监督预警卡(蓝色)", 1, "张", "mention", target="社区书记")]),
    # -- no number and nobody counted: the row stays, its count is NULL (never 1)
    ("uncounted_card_inherits", "对相关责任人员进行约谈，发放蓝色预警卡。",
     [R("约谈", None, "人", "mention", target="相关责任人员"),
      R("监督预警卡(蓝色)", None, "张", "mention", target="相关责任人员")]),
    ("uncounted_case_on_person", "对相关责任人立案审查。", [R("立案", None, "人", "mention", target="相关责任人")]),
    ("uncounted_talk_indefinite", "已对涉及有关社区党组织负责同志开展约谈。", [R("约谈", None, "人", "mention")]),
    ("uncounted_governed_only", "经研究，给予党内警告处分。", [R("党内警告", None, "人")]),
    ("uncounted_collective_role", "对社区工作人员进行批评教育。", [R("批评教育", None, "人", target="社区工作人员")]),
    ("uncounted_deng", "对张某等人进行批评教育。", [R("批评教育", None, "人")]),
    ("uncounted_partial_list", "对2名网格员、相关工作人员进行批评教育。", [R("批评教育", None)]),
    ("uncounted_case_on_things", "对相关问题线索立案调查。", [R("立案", None, "件")]),
    ("uncounted_linked_action", "给予政务处分3人并批评教育。", [R("政务处分", 3, "人"), R("批评教育", None)]),
    ("one_collective_with_determiner", "对该工作人员进行批评教育。", [R("批评教育", 1, "人")]),
    ("one_collective_with_name", "对网格员王某进行提醒谈话。", [R("提醒谈话", 1, "人")]),
    ("one_post_with_name", "对教促中心财务联络员王某进行诫勉处置。", [R("诫勉谈话", 1, "人", target="财务联络员")]),
    ("three_clauses", "对社区主要负责人给予党内严重警告处分、2名社区班子成员给予诫勉谈话、3名社区网格员给予提醒谈话。",
     [R("党内严重警告", 1, "人", "mention", target="社区主要负责人"),
      R("诫勉谈话", 2, "名", "mention", target="社区班子成员"),
      R("提醒谈话", 3, "名", "mention", target="社区网格员")]),
    ("gov_record_demerit", "对1名出纳给予政务记过处分，对2名会计给予政务警告处分。",
     [R("记过", 1, "名", "mention", target="出纳"), R("政务警告", 2, "名", "mention", target="会计")]),
    ("party_posts", "对村党支部书记给予撤销党内职务处分，对村委会主任给予政务撤职处分。",
     [R("撤销党内职务", 1, "人", "mention"), R("撤职", 1, "人", "mention")]),
    ("expulsion_and_transfer", "对张某给予开除党籍、开除公职处分，并移送司法机关。",
     [R("开除党籍", 1), R("开除", 1), R("移送司法", 1)]),
    ("post_adjustment", "对违规报销的2名工作人员调离岗位。", [R("调整职务", 2, "名", "mention", target="工作人员")]),
    ("dismissal_demotion", "对社区主任免职，对副主任降职。", [R("免职", 1, "人", "mention"), R("降职", 1, "人", "mention")]),
    ("ordered_self_criticism", "对存在问题的2名干部责令作出书面检查。", [R("责令检查", 2, "名", "mention")]),
    ("written_inquiry", "对该村2名村干部函询。", [R("函询", 2, "名", "mention", target="村干部")]),
    ("criticism_by_circular", "对3个村党支部进行通报批评。", [R("通报批评", 3, "个", "mention")]),
    ("respective", "对1名科级干部、2名一般干部分别给予诫勉谈话和批评教育。",
     [R("诫勉谈话", 1, "名", "mention"), R("批评教育", 2, "名", "mention")]),
    ("inherit_same_person", "对支部书记进行了诫勉谈话，并责令其作出书面检查。",
     [R("诫勉谈话", 1, "人", "mention", target="支部书记"), R("责令检查", 1, "人", "mention", target="支部书记")]),
    ("case_on_object", "区纪委监委对该问题线索立案审查。", [R("立案", 1, "件", "mention")]),
    ("help_criticism", "对该同志进行批评帮助。", [R("批评教育", 1, "人", "mention")]),
    ("warning_talk", "对东岭村会计进行警示谈话。", [R("警示谈话", 1, "人", "mention", target="会计")]),
    ("repeat_same_person", "对石桥社区主要负责人给予诫勉谈话。对石桥社区主要负责人给予诫勉谈话。",
     [R("诫勉谈话", 1, "人", "mention"), R("诫勉谈话", 1, "人", "mention", parent=1)]),
    ("generic_role_not_deduplicated", "对社区主任给予批评教育。对社区主任给予批评教育。",
     [R("批评教育", 1, parent=None), R("批评教育", 1, parent=None)]),
    # -- negative cases: no row
    ("noun_system", "建立谈心谈话制度，定期开展谈话提醒工作。", []),
    ("noun_training", "组织开展函询工作流程培训。", []),
    ("noun_prevention", "加强对关键岗位廉洁风险防控的谈话提醒。", []),
    ("routine_talks", "对班子成员逐一进行提醒谈话。", []),
    ("routine_talks_prevention", "结合年度重点工作对重要岗位人员进行谈话提醒，防范廉洁风险。", []),
    ("whole_class", "对全体党员干部开展警示谈话。", []),
    ("each_secretary", "街道纪工委对辖区各社区书记进行了集体约谈。", []),
    ("training_count", "组织2名社区财务工作人员参加业务培训。", []),
    ("non_discipline_numbers", "提供就业岗位115个，新增床位80张。", []),
    ("placeholder_counts", "给予诫勉谈话X人，批评教育XX人。", []),
    ("placeholder_target", "先后召开X次会议，对X名干部进行约谈。", []),
    ("planned", "拟对相关责任人给予党内警告处分。", []),
    ("future_case", "执法部门将立案调查相关问题。", []),
    ("exempted", "免予党纪处分。", []),
    ("not_filed", "经核实，不予立案。", []),
    ("policy_statement", "对情节严重的，一律给予党纪处分。", []),
    ("policy_class", "对无故缺席组织生活的党员，给予批评教育。", []),
    ("administrative_actor", "执法大队约谈商户负责人。", []),
    ("administrative_target", "城管部门对底商负责人进行约谈。", []),
    ("company_target", "街道对物业公司开展约谈。", []),
    ("organisation_target", "已对社区开展约谈。", []),
    ("object_target", "对该问题进行约谈整改。", []),
    ("book_title", "下发《关于诫勉谈话的实施办法》。", []),
    ("quoted_problem", "针对“对违规人员仅给予批评教育”问题进行整改。", []),
    ("methods_list", "通过约谈、函询等方式加强监督。", []),
    ("rate_and_slogan", "严格执纪问责，结案率达到100%。", []),
    ("warning_as_verb", "对经警告仍不改正的摊贩依法处罚。", []),
    ("decision_noun", "处分决定已送达本人。", []),
    ("regulation_title", "依据《中国共产党纪律处分条例》第二十条的规定执行。", []),
    ("clue_inquiry", "目前正向有关部门函询，收集证据材料。", []),
    ("petition_cases", "12345热线工单结案36件。", []),
    ("business_talk", "约谈辖区企业负责人5人。", []),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in DISCIPLINE_CASES], ids=[c[0] for c in DISCIPLINE_CASES])
def test_discipline_sentences(text: str, expected: list[dict]) -> None:
    t = normalize_text(text)
    df = extract_discipline("t", t)
    got = _as_dicts(df)
    assert len(got) == len(expected), df[["action", "count", "unit", "scope", "target", "parent"]].to_string()
    for g, e in zip(got, expected, strict=True):
        for k, v in e.items():
            if v is ANY:
                continue
            assert g[k] == v, (k, g, e)
    _check_offsets(t, df)
    assert list(df["row_no"]) == list(range(1, len(df) + 1))


def test_discipline_case_table_is_large_enough() -> None:
    assert len(DISCIPLINE_CASES) >= 60
    assert sum(1 for c in DISCIPLINE_CASES if not c[2]) >= 20


def test_discipline_columns_and_types() -> None:
    df = _rows("给予政务处分3人（记大过1人，记过2人）。")
    assert list(df.columns) == DISCIPLINE_COLUMNS
    assert str(df["count"].dtype) == "Int64" and str(df["tally"].dtype) == "Int64"
    assert str(df["count_stated"].dtype) == "bool"
    assert str(df["form"].dtype) == "Int64" and str(df["parent"].dtype) == "Int64"
    assert df.loc[0, "action_group"] == "政务处分" and pd.isna(df.loc[0, "form"])
    assert df.loc[1, "form"] == 2 and df.loc[1, "action_raw"] == "记大过"
    assert list(df["level"]) == ["group", "component", "component"]
    assert list(df["relation"].fillna("")) == ["", "breakdown", "breakdown"]
    assert list(df["tally"]) == [0, 1, 2] and set(df["measure"]) == {"sanction"}
    uncounted = _rows("经研究，给予党内警告处分。")
    assert pd.isna(uncounted.loc[0, "count"]) and not uncounted.loc[0, "count_stated"]
    assert pd.isna(uncounted.loc[0, "tally"])
    empty = _rows("没有任何处理。")
    assert list(empty.columns) == DISCIPLINE_COLUMNS and empty.empty


def test_forms_follow_the_data_file() -> None:
    df = _rows("给予党内警告1人，撤销党内职务1人，移送司法机关1人，诫勉谈话1人，立案1件。")
    forms = dict(zip(df["action"], df["form"], strict=True))
    assert forms["党内警告"] == 2 and forms["撤销党内职务"] == 3 and forms["移送司法"] == 4
    assert forms["诫勉谈话"] == 1 and pd.isna(forms["立案"])


NOTICE = """整改工作总体情况
巡察反馈后，共诫勉谈话2人，批评教育1人。
一、关于“财务管理不规范”问题的整改情况
对红枫社区主任给予诫勉谈话。对红枫社区会计给予诫勉谈话。
对红枫社区出纳给予批评教育。
二、关于“党建工作不扎实”问题的整改情况
对青松社区党务工作者进行提醒谈话。
"""


def _notice_problems(text: str) -> pd.DataFrame:
    heads = [m.start() for m in re.finditer(r"^[一二三]、", text, re.M)]
    ends = heads[1:] + [len(text)]
    return pd.DataFrame({"doc_id": "t", "problem_no": range(1, len(heads) + 1), "char_start": heads, "char_end": ends})


@pytest.mark.parametrize("with_problems", [False, True])
def test_scope_summary_before_first_problem(with_problems: bool) -> None:
    problems = _notice_problems(NOTICE) if with_problems else None
    df = extract_discipline("t", NOTICE, problems)
    got = [(r.action, r.count, r.scope) for r in df.itertuples()]
    assert got == [("诫勉谈话", 2, "summary"), ("批评教育", 1, "summary"), ("诫勉谈话", 1, "mention"),
                   ("诫勉谈话", 1, "mention"), ("批评教育", 1, "mention"), ("提醒谈话", 1, "mention")]
    _check_offsets(NOTICE, df)
    if with_problems:
        assert list(df["problem_no"].astype("object").where(df["problem_no"].notna(), None)) == [None, None, 1, 1, 1, 2]
    else:
        assert df["problem_no"].isna().all()


@pytest.mark.parametrize("text,expected", [
    ("一、关于“台账不规范”问题的整改情况\n对紫荆社区会计给予批评教育。\n三、整改成效\n整改期间，立案2件，给予党纪处分1人，批评教育1人。\n",
     [("批评教育", 1, "mention"), ("立案", 2, "summary"), ("党纪处分", 1, "summary"), ("批评教育", 1, "summary")]),
    ("区委巡察组反馈问题3个，诫勉谈话1人。\n问题1：财务制度执行不严。\n整改情况：对东风社区出纳进行诫勉谈话。\n",
     [("诫勉谈话", 1, "summary"), ("诫勉谈话", 1, "mention")]),
    ("一、关于“会议记录不全”问题的整改情况\n共对3名网格员进行提醒谈话。\n",
     [("提醒谈话", 3, "summary")]),
], ids=["summary_heading_after_problems", "numbered_problem_heading", "marker_inside_problem"])
def test_scope_by_section(text: str, expected: list[tuple]) -> None:
    df = extract_discipline("t", text)
    assert [(r.action, r.count, r.scope) for r in df.itertuples()] == expected


def test_problems_none_and_empty_agree() -> None:
    empty = pd.DataFrame(columns=["doc_id", "problem_no", "char_start", "char_end"])
    a = extract_discipline("t", NOTICE, None)
    b = extract_discipline("t", NOTICE, empty)
    pd.testing.assert_frame_equal(a, b)


def test_problems_of_other_documents_are_ignored() -> None:
    other = _notice_problems(NOTICE).assign(doc_id="someone-else")
    df = extract_discipline("t", NOTICE, other)
    assert df["problem_no"].isna().all()
    assert list(df["scope"])[:2] == ["summary", "summary"]


# ---------------------------------------------------------------------------------------------
# stated figures: invented sentences


def F(figure, value, unit=ANY, raw_value=ANY, raw_unit=ANY, label=ANY):  # noqa: N802 - table helper
    return {"figure": figure, "value": value, "unit": unit, "raw_value": raw_value, "raw_unit": raw_unit,
            "label": label}


FIGURE_CASES = [
    ("status_line", "本轮巡察反馈问题28个，制定整改措施64条，已完成整改21个，正在整改7个，整改完成率76%。",
     [F("problems_reported", 28, "个"), F("measures_reported", 64, "条"), F("problems_completed", 21),
      F("problems_in_progress", 7), F("completion_rate", 76.0, "%", "76", "%")]),
    ("money", "挽回经济损失6.38万元，追缴资金7.132万元，清退违规资金66.57万元，退还多收费用3200元。",
     [F("funds_loss_recovered", 63800.0, "元", "6.38", "万元"), F("funds_clawed_back", 71320.0, "元", "7.132", "万元"),
      F("funds_returned", 665700.0, "元", "66.57", "万元"), F("funds_returned", 3200.0, "元", "3200", "元")]),
    ("hundred_million", "共收回资金1.5亿元。", [F("funds_recovered", 150000000.0, "元", "1.5", "亿元")]),
    ("institutions", "新建制度5项，修订完善制度3项，建立健全制度机制8个。",
     [F("institutions_new", 5, "项"), F("institutions_revised", 3, "项"), F("institutions_new_or_revised", 8, "个")]),
    ("rectification_labels", "共完成举一反三整改4项、“压实责任、强化监督”整改2项。",
     [F("rectification_items", 4, "项", label="举一反三整改"),
      F("rectification_items", 2, "项", label="“压实责任、强化监督”整改")]),
    ("areas_and_problems", "区委巡察组反馈了3个方面12个问题。",
     [F("areas_reported", 3, "个"), F("problems_reported", 12, "个")]),
    ("communities", "区委第一巡察组对青山街道所属9个社区开展了专项巡察。", [F("communities_inspected", 9, "个")]),
    ("villages", "巡察组对五个村党组织开展了常规巡察。", [F("villages_inspected", 5, "个")]),
    ("cards", "发放橙色预警卡6张，红色预警卡1张。", [F("warning_cards_orange", 6, "张"), F("warning_cards_red", 1, "张")]),
    ("members_disciplined", "2023年以来，已处理违纪党员5名。", [F("party_members_disciplined", 5, "人", "5", "名")]),
    ("meetings", "先后召开专题会议4次。", [F("meetings", 4, "次")]),
    ("clues", "移交问题线索3件。", [F("clues_transferred", 3, "件")]),
    ("approximate", "累计开展警示教育20余次。", [F("warning_education_sessions", 20, "次", "20余")]),
    ("chinese_count", "制定整改措施三十六条。", [F("measures_reported", 36, "条", "三十六")]),
    ("both_kinds_of_institutions", "完善和新建制度40项。", [F("institutions_new_or_revised", 40, "项")]),
    ("completed_plain", "巡察反馈的40个问题，完成整改38个，未完成2个，总体完成率95%。",
     [F("problems_reported", 40), F("problems_completed", 38), F("problems_not_completed", 2),
      F("completion_rate", 95.0, "%")]),
    ("meeting_with_note", "召开专题民主生活会（组织生活会）3次。", [F("meetings", 3, "次")]),
    ("placeholders", "先后召开X次党工委会议，挽回损失XX万元，于X月X日完成。", []),
    ("slogan", "做到治理一个问题、健全一项制度。", []),
    ("routine_meeting", "各联络站每月至少召开一次例会。", []),
    ("non_figures", "提供就业岗位115个，床位80张，增加学位450个。", []),
    ("unrelated_problems", "督促解决内容更新不及时等13个问题。", []),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in FIGURE_CASES], ids=[c[0] for c in FIGURE_CASES])
def test_stated_figure_sentences(text: str, expected: list[dict]) -> None:
    t = normalize_text(text)
    df = extract_stated_figures("t", t)
    assert list(df.columns) == STATED_COLUMNS
    assert len(df) == len(expected), df[["figure", "label", "value", "unit", "raw_value", "raw_unit"]].to_string()
    for r, e in zip(df.itertuples(index=False), expected, strict=True):
        for k, v in e.items():
            if v is ANY:
                continue
            assert getattr(r, k) == v, (k, r, e)
    _check_offsets(t, df)
    assert df["value"].dtype == "float64"


@pytest.mark.parametrize("raw,value", [("0", 0), ("7", 7), ("一", 1), ("两", 2), ("十", 10), ("十二", 12),
                                       ("二十三", 23), ("一百零五", 105), ("三百", 300), ("6.38", 6.38), ("X", None)])
def test_parse_number(raw: str, value) -> None:
    assert parse_number(raw) == value


# ---------------------------------------------------------------------------------------------
# the seed corpus


def _corpus(name_prefix: str) -> tuple[str, str]:
    path = next(CORPUS.glob(f"{name_prefix}_*.txt"))
    return path.name, normalize_text(path.read_text(encoding="utf-8"))


def _key(s: str) -> str:
    return re.sub(r"[\W_]", "", s)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_corpus_offsets_and_summary_discipline(prefix: str) -> None:
    name, text = _corpus(prefix)
    df = extract_discipline(name, text)
    _check_offsets(text, df)
    summary = df[df["scope"] == "summary"]
    gold = GOLD[name]["summary_discipline"]
    if not gold:
        assert summary.empty, summary.to_string()
    for gname, g in gold.items():
        key = _key(gname)
        hit = summary[summary["action_raw"].map(lambda raw, k=key: k in _key(raw)) | (summary["action"] == gname)]
        assert len(hit) == 1, (gname, summary.to_string())
        assert int(hit["count"].iloc[0]) == g["count"] and hit["unit"].iloc[0] == g["unit"]
    if GOLD[name]["anonymized"]:
        assert df.empty and extract_stated_figures(name, text).empty


def _root(df: pd.DataFrame, row_no: int) -> int:
    parent = df.set_index("row_no")["parent"]
    while not pd.isna(parent[row_no]):
        row_no = int(parent[row_no])
    return row_no


def test_corpus_003_mentions_match_the_summary() -> None:
    """In 003 the body names the people behind each summary total: every such mention is held by the
    total (directly or as a repeat), and the tallies of each action add up to the total, once."""
    name, text = _corpus("003")
    df = extract_discipline(name, text)
    top = df[df["parent"].isna()]
    summary = top[top["scope"] == "summary"].set_index("action")
    for action in ("诫勉谈话", "批评教育", "提醒谈话", "党内严重警告", "监督预警卡(黄色)"):
        total = summary.loc[action]
        rows = df[df["action"] == action]
        assert {_root(df, int(r)) for r in rows["row_no"]} == {int(total["row_no"])}, action
        assert rows["tally"].sum() == total["count"], action
        stated = rows[(rows["scope"] == "mention") & rows["parent"].notna() & (rows["relation"] == "part")]
        assert stated["count"].dropna().sum() <= total["count"], action
    assert set(df.loc[df["count"].isna(), "target"]) == {"相关责任人员", "相关工作人员", "党务工作人员"}
    def mention(action: str, count: int) -> pd.Series:
        sel = df[(df["scope"] == "mention") & (df["action"] == action) & (df["count"] == count)]
        assert len(sel) >= 1, (action, count)
        return sel.iloc[0]

    assert mention("诫勉谈话", 3)["target"] == "主要负责人"        # 对A社区、B社区主要负责人，以及原C社区主要负责人
    assert mention("诫勉谈话", 2)["target"] == "社区班子成员"      # 2名社区班子成员给予诫勉谈话
    assert mention("批评教育", 2)["target"] == "社区报账员、会计"  # 对社区报账员、街道财政办会计进行批评教育
    assert mention("党内严重警告", 1)["target"] == "社区主要负责人"
    repeats = df[df["relation"] == "repeat"]
    assert len(repeats) == 3 and set(repeats["scope"]) == {"mention"}
    talks = df[df["action"] == "约谈"]
    assert set(talks["scope"]) == {"mention"} and talks["parent"].isna().all()


def test_corpus_001_mention_only() -> None:
    name, text = _corpus("001")
    df = extract_discipline(name, text)
    assert list(df["action"]) == ["诫勉谈话"] and df["action_raw"].iloc[0] == "诫勉处置"
    assert df["target"].iloc[0] == "财务联络员" and df["count"].iloc[0] == 1   # one named person


def _figures(prefix: str) -> tuple[str, pd.DataFrame]:
    name, text = _corpus(prefix)
    df = extract_stated_figures(name, text)
    _check_offsets(text, df)
    return name, df


def _first(df: pd.DataFrame, figure: str, label: str | None = None) -> pd.Series:
    sel = df[df["figure"] == figure]
    if label is not None:
        sel = sel[sel["label"].map(_key) == _key(label)]
    assert not sel.empty, (figure, label, df[["figure", "label", "value"]].to_string())
    return sel.iloc[0]


def test_corpus_figures_000() -> None:
    _, df = _figures("000")
    assert _first(df, "communities_inspected")["value"] == 15


def test_corpus_figures_001() -> None:
    _, df = _figures("001")
    assert _first(df, "problems_reported")["value"] == 47
    assert _first(df, "measures_reported")["value"] == 72
    assert _first(df, "rectification_items", "举一反三整改")["value"] == 6
    item = _first(df, "rectification_items", "推动改革促进发展整改")
    assert item["value"] == 3 and item["unit"] == "项"
    assert _first(df, "institutions_new_or_revised")["value"] == 6
    funds = _first(df, "funds_loss_recovered")   # 挽回损失: a loss made good, not funds recovered
    assert funds["value"] == 63800.0 and funds["raw_value"] == "6.38" and funds["raw_unit"] == "万元"
    assert funds["unit"] == "元"


def test_corpus_figures_002() -> None:
    _, df = _figures("002")
    assert _first(df, "areas_reported")["value"] == 4
    assert _first(df, "problems_reported")["value"] == 16


def test_corpus_figures_003() -> None:
    _, df = _figures("003")
    assert _first(df, "communities_inspected")["value"] == 7
    assert _first(df, "institutions_new")["value"] == 9
    assert _first(df, "institutions_revised")["value"] == 2
    assert _first(df, "party_members_disciplined")["value"] == 7
    assert _first(df, "warning_cards_orange")["value"] == 14


def test_corpus_figures_match_gold_values() -> None:
    """Every numeric 'stated' gold value appears as a value of some extracted figure."""
    for prefix in ("000", "001", "002", "003"):
        name, df = _figures(prefix)
        values = set(df["value"]) | {v / 10000 for v in df["value"]}
        for key, v in GOLD[name]["stated"].items():
            assert float(v) in values, (name, key, v)


# ---------------------------------------------------------------------------------------------
# the district view


def _view(discipline: pd.DataFrame) -> pd.DataFrame:
    documents = pd.DataFrame({"doc_id": ["d1", "d2"], "province": ["浙江省", "天津市"], "city": ["舟山市", "天津市"],
                              "district": ["普陀区", "滨海新区"], "unit": ["东港街道", "泰达街道"]})
    con = duckdb.connect()
    con.register("discipline_actions", discipline)
    con.register("documents", documents)
    con.execute(f"create view district_discipline as {DISTRICT_DISCIPLINE_SQL}")
    return con.execute("select * from district_discipline order by doc_id, action_group, form nulls first").df()


def _extracted(*texts: str) -> pd.DataFrame:
    return pd.concat([extract_discipline(f"d{i}", normalize_text(t)) for i, t in enumerate(texts, 1)],
                     ignore_index=True)


def test_district_view_summary_versus_mentions() -> None:
    notice = ("整改期间，共诫勉谈话5人，给予政务处分3人（记过2人）。\n"
              "一、关于“财务不规范”问题的整改情况\n对A社区主任、B社区主任给予诫勉谈话。对C社区会计给予记过处分。\n")
    other = "一、关于“台账不全”问题的整改情况\n纪工委约谈了两名社区主任。对D社区书记进行约谈。\n"
    view = _view(_extracted(notice, other))
    got = {(r.doc_id, r.action_group, None if pd.isna(r.form) else int(r.form)): (r.count, r.basis)
           for r in view.itertuples()}
    assert got[("d1", "诫勉", 1)] == (5, "stated_total")         # 5 stated + 2 named -> 5, not 7
    assert got[("d1", "政务处分", None)] == (1, "stated_total")   # 3 stated, 2 of them 记过 (form 2)
    assert got[("d1", "政务处分", 2)] == (2, "stated_total")      # the later 记过 mention is one of the 2
    assert got[("d2", "约谈", 1)] == (3, "sum_of_mentions")       # only mentions -> their sum
    d2 = view[view["doc_id"] == "d2"].iloc[0]
    assert (d2["province"], d2["city"], d2["district"], d2["unit"]) == ("天津市", "天津市", "滨海新区", "泰达街道")
    assert d2["count_unit"] == "人" and d2["measure"] == "sanction" and d2["unit_kind"] == "people"
    assert {"province", "city", "district", "unit", "measure", "action_group", "form", "count", "count_unit",
            "basis", "n_rows", "n_uncounted"} <= set(view.columns)


def test_district_view_on_extracted_corpus() -> None:
    name, text = _corpus("003")
    view = _view(extract_discipline("d1", text))
    got = {(r.action_group, r.count_unit): (r.count, r.basis, r.n_uncounted) for r in view.itertuples()}
    assert got[("诫勉", "人")] == (5, "stated_total", 0) and got[("监督预警卡", "张")] == (17, "sum_of_components", 0)
    assert got[("立案", "件")] == (1, "stated_total", 0) and got[("了结", "件")] == (1, "stated_total", 0)
    assert got[("批评教育类", "人")] == (4, "stated_total", 0)
    assert got[("约谈", "人")] == (1, "sum_of_mentions", 4)   # one named person, four without a number
    assert view.loc[view["action_group"] == "诫勉", "district"].iloc[0] == "普陀区"
    people = view[view["unit_kind"] == "people"]["count"].sum()
    assert people == 1 + 5 + 4 + 5 + 1   # 严重警告, 诫勉, 批评教育, 提醒谈话, 约谈: no cards, no cases


def test_district_view_on_empty_extraction() -> None:
    view = _view(extract_discipline("d1", "无"))
    assert view.empty


# ---------------------------------------------------------------------------------------------
# data files and robustness


@pytest.mark.parametrize("name", ["discipline_actions.csv", "stated_figures.csv"])
def test_data_file_headers(name: str) -> None:
    h = header(name)
    assert h.get("version") and h.get("source") and h.get("description")
    assert (ROOT / "analysis" / "data" / name).read_text(encoding="utf-8").startswith("#")


def test_discipline_vocabulary_cites_sources_and_compiles() -> None:
    src = header("discipline_actions.csv")["source"]
    for law in ("中国共产党纪律处分条例", "中华人民共和国公职人员政务处分法", "中国共产党纪律检查机关监督执纪工作规则",
                "中国共产党党内监督条例"):
        assert law in src
    t = load_table("discipline_actions.csv")
    for p in t["pattern"]:
        if p:
            re.compile(p, re.M)
    acts = t[t["kind"] == "action"]
    assert (acts["action"] != "").all() and (acts["action_group"] != "").all()
    assert set(acts["form"]) <= {"", "1", "2", "3", "4"}
    for required in ("立案", "了结", "党内警告", "党内严重警告", "撤销党内职务", "留党察看", "开除党籍", "政务警告",
                     "记过", "记大过", "降级", "撤职", "开除", "组织处理", "诫勉谈话", "批评教育", "责令检查",
                     "提醒谈话", "约谈", "函询", "通报批评", "移送司法", "移交纪检监察机关",
                     "监督预警卡(红色)", "监督预警卡(橙色)", "监督预警卡(黄色)", "监督预警卡(蓝色)"):
        assert required in set(acts["action"]), required


FRAGMENTS = ["对", "给予", "诫勉谈话", "5人", "X人", "，", "；", "。", "\n", "社区主任", "、", "（", "）", "其中",
             "记过1人", "并", "发放", "黄色监督预警卡", "2名", "网格员", "进行", "约谈", "共", "万元", "6.38",
             "“", "”", "《", "》", "的", "政务处分", "警告", "了结", "立案 1件"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_any_text_gives_consistent_rows(parts: list[str]) -> None:
    text = normalize_text("".join(parts))
    df = extract_discipline("h", text)
    _check_offsets(text, df)
    assert (df["count"].dropna() >= 0).all() and (df["tally"].dropna() >= 0).all()
    assert not (df["count_stated"] & df["count"].isna()).any()
    rows = set(df["row_no"])
    parent = {int(r): (None if pd.isna(p) else int(p)) for p, r in zip(df["parent"], df["row_no"], strict=True)}
    for r, p in parent.items():   # a parent may stand later (a mention before the summary), never in a circle
        assert p is None or (p in rows and p != r)
        seen = {r}
        while parent[r] is not None:
            r = parent[r]
            assert r not in seen
            seen.add(r)
    for r in df.itertuples():     # in a breakdown of one sentence the total comes first
        if r.relation == "breakdown" and not pd.isna(r.parent):
            assert int(r.parent) < int(r.row_no) or (r.char_start, r.char_end) == tuple(
                df.loc[df["row_no"] == int(r.parent), ["char_start", "char_end"]].iloc[0])
    def root(r: int) -> int:
        while parent[r] is not None:
            r = parent[r]
        return r

    # a top row's count is counted once over its tree: its tally plus what its parts add
    trees = df.assign(root=[root(int(r)) for r in df["row_no"]]).groupby("root")["tally"].sum()
    for r in df[df["parent"].isna() & df["count"].notna()].itertuples():
        assert trees[int(r.row_no)] == r.count
    figs = extract_stated_figures("h", text)
    _check_offsets(text, figs)
