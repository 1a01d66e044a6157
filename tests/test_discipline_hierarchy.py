"""Discipline as a hierarchy: totals and their components counted once (analysis.notice.discipline.hierarchy).

Every sentence and notice here is invented for this project. The tables give, per text, the rows of
``district_discipline`` (action group, form, count unit → count) and, for the people view, the
people by form. A realistic invented notice (tests/fixtures/discipline_notice.txt) is built into a
warehouse, and its views must give the totals the notice states.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.ingest.files import RawDoc
from analysis.ingest.normalize import normalize_text
from analysis.notice.discipline import (
    DISCIPLINE_COLUMNS,
    discipline_columns,
    discipline_warnings,
    extract_discipline,
)
from analysis.notice.discipline.grammar import grammar
from analysis.notice.discipline.hierarchy import BASES, LEVELS, RELATIONS, hierarchy
from analysis.pipeline.document import process_document
from analysis.schema import TABLES
from analysis.schema.views import DISCIPLINE_PEOPLE_SQL, DISTRICT_DISCIPLINE_SQL
from analysis.vocab import header, load_table

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "discipline_notice.txt"
NA = None


def _rows(text: str) -> pd.DataFrame:
    return extract_discipline("d1", normalize_text(text))


def _con(df: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("discipline_actions", df)
    con.register("documents", pd.DataFrame({"doc_id": ["d1"], "province": ["某省"], "city": ["某市"],
                                            "district": ["某区"], "unit": ["某街道"]}))
    con.execute(f"create view district_discipline as {DISTRICT_DISCIPLINE_SQL}")
    con.execute(f"create view discipline_people as {DISCIPLINE_PEOPLE_SQL}")
    return con


def _district(text: str) -> dict[tuple, int | None]:
    view = _con(_rows(text)).execute("select * from district_discipline").df()
    return {(r.action_group, None if pd.isna(r.form) else int(r.form), r.count_unit):
            (None if pd.isna(r.count) else int(r.count)) for r in view.itertuples()}


def _people(text: str) -> dict[tuple, int | None]:
    view = _con(_rows(text)).execute("select * from discipline_people").df()
    return {(None if pd.isna(r.form) else int(r.form), r.count_unit):
            (None if pd.isna(r.people) else int(r.people)) for r in view.itertuples()}


EXAMPLE = ("巡察整改期间，给予党纪处分3人，政务处分1人，诫勉谈话2人，批评教育4人。"
           "针对财务问题，给予党内警告处分2人、党内严重警告处分1人，对1名社区主任给予政务记过处分。")

# text -> district_discipline rows {(action group, form, count unit): count}, all of them
DISTRICT_CASES = [
    # -- breakdowns: in brackets, cut short, in a following list, in a later sentence or section
    ("bracket", "给予政务处分3人（记大过1人，记过2人）。", {("政务处分", 2, "人"): 3}),
    ("bracket_partial", "给予党纪处分3人（其中党内警告2人）。", {("党纪处分", NA, "人"): 1, ("党纪处分", 2, "人"): 2}),
    ("bracket_cut_short", "给予政务处分29人（政务警告22人…", {("政务处分", NA, "人"): 7, ("政务处分", 2, "人"): 22}),
    ("bracket_cut_short_two", "给予政务处分29人（政务警告22人、记过5人……",
     {("政务处分", NA, "人"): 2, ("政务处分", 2, "人"): 27}),
    ("following_list", "给予党纪处分3人：党内警告2人、严重警告1人。", {("党纪处分", 2, "人"): 3}),
    ("qizhong_list", "给予党纪政务处分5人，其中开除党籍1人、留党察看1人、党内严重警告3人。",
     {("党纪处分", 3, "人"): 2, ("党纪处分", 2, "人"): 3}),
    ("later_sentence", EXAMPLE, {("党纪处分", 2, "人"): 3, ("政务处分", 2, "人"): 1, ("诫勉", 1, "人"): 2,
                                 ("批评教育类", 1, "人"): 4}),
    ("later_sentence_partial", "给予党纪处分3人。对A社区书记给予党内警告处分。",
     {("党纪处分", NA, "人"): 2, ("党纪处分", 2, "人"): 1}),
    ("later_section", "一、关于“台账不全”问题的整改情况\n对A社区书记给予党内警告处分。\n二、整改成效\n整改期间，给予党纪处分2人。\n",
     {("党纪处分", NA, "人"): 1, ("党纪处分", 2, "人"): 1}),
    ("group_total_under_super_total", "给予党纪政务处分5人。党纪处分3人，政务处分2人。",
     {("党纪处分", NA, "人"): 3, ("政务处分", NA, "人"): 2}),
    ("mention_held_by_same_action", "共诫勉谈话5人。对A社区书记、B社区主任给予诫勉谈话。", {("诫勉", 1, "人"): 5}),
    ("four_forms_breakdown", "运用“四种形态”处理18人次，其中第一种形态15人次、第二种形态2人次、第三种形态1人次。",
     {("四种形态", 1, "人次"): 15, ("四种形态", 2, "人次"): 2, ("四种形态", 3, "人次"): 1}),
    # -- a component without a stated total stands for its group
    ("component_without_total", "给予党内警告处分2人、政务记过处分1人。",
     {("党纪处分", 2, "人"): 2, ("政务处分", 2, "人"): 1}),
    ("components_of_two_groups", "给予留党察看1人，降级1人，免职2人。",
     {("党纪处分", 3, "人"): 1, ("政务处分", 3, "人"): 1, ("组织处理", 2, "人"): 2}),
    # -- no number: NULL, never 1; inside a stated total it adds nothing
    ("countless_sanction", "经研究，给予党内警告处分。", {("党纪处分", 2, "人"): NA}),
    ("countless_case", "对相关责任人立案审查。", {("立案", NA, "人"): NA}),
    ("countless_talk", "已对涉及有关社区党组织负责同志开展约谈。", {("约谈", 1, "人"): NA}),
    ("countless_held_by_total", "给予诫勉谈话2人。对相关工作人员进行诫勉谈话。", {("诫勉", 1, "人"): 2}),
    ("countless_beside_named", "对A社区书记进行约谈。对相关工作人员进行约谈。", {("约谈", 1, "人"): 1}),
    # -- a stated zero is 0
    ("stated_zero", "诫勉0人，批评教育2人。", {("诫勉", 1, "人"): 0, ("批评教育类", 1, "人"): 2}),
    ("stated_zero_group", "给予政务处分0人；组织处理0人。", {("政务处分", NA, "人"): 0, ("组织处理", NA, "人"): 0}),
    # -- measures kept apart
    ("filed_and_closed", "共立案40件，了结39件。", {("立案", NA, "件"): 40, ("了结", NA, "件"): 39}),
    ("investigation_apart", "审查调查3人，立案2件，移送司法机关1人。",
     {("审查调查", NA, "人"): 3, ("立案", NA, "件"): 2, ("移送司法", 4, "人"): 1}),
    ("transfer_not_a_component", "给予党纪政务处分5人，其中开除党籍1人、留党察看1人、党内严重警告3人，移送司法机关1人。",
     {("党纪处分", 3, "人"): 2, ("党纪处分", 2, "人"): 3, ("移送司法", 4, "人"): 1}),
    # -- units kept apart
    ("mixed_units", "给予党纪处分3人，发放黄色预警卡2张，立案2件，诫勉谈话4人次。",
     {("党纪处分", NA, "人"): 3, ("监督预警卡", NA, "张"): 2, ("立案", NA, "件"): 2, ("诫勉", 1, "人次"): 4}),
    ("case_breakdown_of_people", "立案审查3件（其中给予党纪处分2人）。", {("立案", NA, "件"): 3, ("党纪处分", NA, "人"): 2}),
    ("cards_apart_from_talks", "对A社区书记进行约谈，发放黄色预警卡。", {("约谈", 1, "人"): 1, ("监督预警卡", NA, "张"): 1}),
    ("names_read_as_people", "共诫勉谈话3人。对2名社区干部给予诫勉谈话。", {("诫勉", 1, "人"): 3}),
    # -- disagreement: the stated total is counted (see test_disagreement_gives_a_warning)
    ("components_exceed_total", "给予党纪处分3人。给予党内警告2人、严重警告2人。", {("党纪处分", NA, "人"): 3}),
    # -- negative: what must not be joined
    ("two_groups_stay_apart", "对A社区书记给予诫勉谈话。对B社区主任给予批评教育。",
     {("诫勉", 1, "人"): 1, ("批评教育类", 1, "人"): 1}),
    ("other_group_total_does_not_hold", "给予党纪处分2人。对A社区主任给予政务记过处分。",
     {("党纪处分", NA, "人"): 2, ("政务处分", 2, "人"): 1}),
    ("two_totals_of_one_action_add", "2022年，诫勉谈话2人。2023年，诫勉谈话3人。", {("诫勉", 1, "人"): 5}),
    ("case_of_other_unit_kind", "立案3件。对A社区书记立案审查。", {("立案", NA, "件"): 3, ("立案", NA, "人"): 1}),
    ("accountability_elsewhere_not_joined", "问责干部6人。对A社区书记给予诫勉谈话。",
     {("问责", NA, "人"): 6, ("诫勉", 1, "人"): 1}),
    ("accountability_own_breakdown", "问责干部6人，其中诫勉谈话2人、通报批评4人。", {("诫勉", 1, "人"): 2, ("通报", 1, "人"): 4}),
    ("mentions_add_without_total", "对A社区书记给予诫勉谈话。对B社区主任给予诫勉谈话。", {("诫勉", 1, "人"): 2}),
    ("repeat_named_person_once", "对A社区主要负责人给予诫勉谈话。对A社区主要负责人给予诫勉谈话。", {("诫勉", 1, "人"): 1}),
]


def test_uncounted_repeat_is_one_uncounted_row() -> None:
    text = "对A社区相关工作人员进行约谈。对A社区相关工作人员进行约谈。"
    df = _rows(text)
    assert list(df["relation"].fillna("")) == ["", "repeat"] and df["count"].isna().all()
    view = _con(df).execute("select count, n_rows, n_uncounted from district_discipline").fetchall()
    assert view == [(None, 0, 1)]


@pytest.mark.parametrize("text,expected", [c[1:] for c in DISTRICT_CASES], ids=[c[0] for c in DISTRICT_CASES])
def test_district_discipline_counts_each_person_once(text: str, expected: dict) -> None:
    assert _district(text) == expected


def test_the_issue_example_gives_ten_people() -> None:
    assert sum(v for v in _district(EXAMPLE).values()) == 10
    assert _people(EXAMPLE) == {(2, "人"): 4, (1, "人"): 6}


# text -> discipline_people {(form, count unit): people}
PEOPLE_CASES = [
    ("people_only", "给予党纪处分3人，发放黄色预警卡2张，立案2件，函询1人，移送司法机关1人。", {(None, "人"): 3}),
    ("person_times_apart", "诫勉谈话2人，提醒谈话4人次。", {(1, "人"): 2, (1, "人次"): 4}),
    ("by_form", "给予党内警告1人、撤销党内职务1人、诫勉谈话2人。", {(2, "人"): 1, (3, "人"): 1, (1, "人"): 2}),
    ("four_forms_tally_preferred", "运用“四种形态”处理5人次，其中第一种形态4人次、第二种形态1人次。诫勉谈话4人，党内警告1人。",
     {(1, "人次"): 4, (2, "人次"): 1}),
    ("four_forms_total_only", "运用“四种形态”处理5人次。诫勉谈话4人。", {(None, "人次"): 5}),
    ("countless_only", "经研究，给予党内警告处分。", {(2, "人"): None}),
    ("no_people", "立案3件，了结2件，发放红色预警卡1张。", {}),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in PEOPLE_CASES], ids=[c[0] for c in PEOPLE_CASES])
def test_discipline_people(text: str, expected: dict) -> None:
    assert _people(text) == expected


# text -> rows (action, count, parent, relation, tally)
ROW_CASES = [
    ("bracket", "给予政务处分3人（记大过1人，记过2人）。",
     [("政务处分", 3, None, None, 0), ("记大过", 1, 1, "breakdown", 1), ("记过", 2, 1, "breakdown", 2)]),
    ("cut_short", "政务处分29人（政务警告22人…", [("政务处分", 29, None, None, 7), ("政务警告", 22, 1, "breakdown", 22)]),
    ("following_list", "给予党纪处分3人：党内警告2人、严重警告1人。",
     [("党纪处分", 3, None, None, 0), ("党内警告", 2, 1, "breakdown", 2), ("党内严重警告", 1, 1, "breakdown", 1)]),
    ("later_sentence", "给予党纪处分3人。对A社区书记给予党内警告处分。",
     [("党纪处分", 3, None, None, 2), ("党内警告", 1, 1, "part", 1)]),
    ("earlier_mention", "一、关于“台账不全”问题的整改情况\n对A社区书记给予党内警告处分。\n二、整改成效\n给予党纪处分2人。\n",
     [("党内警告", 1, 2, "part", 1), ("党纪处分", 2, None, None, 1)]),
    ("countless_held", "给予诫勉谈话2人。对相关工作人员进行诫勉谈话。",
     [("诫勉谈话", 2, None, None, 2), ("诫勉谈话", None, 1, "part", 0)]),
    ("countless_alone", "对相关工作人员进行批评教育。", [("批评教育", None, None, None, None)]),
    ("repeat", "对A社区主要负责人给予诫勉谈话。对A社区主要负责人给予诫勉谈话。",
     [("诫勉谈话", 1, None, None, 1), ("诫勉谈话", 1, 1, "repeat", 0)]),
    ("exceeding_parts", "给予党纪处分3人。给予党内警告2人、严重警告2人。",
     [("党纪处分", 3, None, None, 3), ("党内警告", 2, 1, "part", 0), ("党内严重警告", 2, 1, "part", 0)]),
    ("detached_other_measure", "立案审查3件（其中给予党纪处分2人）。",
     [("立案", 3, None, None, 3), ("党纪处分", 2, None, None, 2)]),
    ("filed_closed", "共立案40件，了结39件。", [("立案", 40, None, None, 40), ("了结", 39, None, None, 39)]),
]


def _tuples(df: pd.DataFrame) -> list[tuple]:
    def v(x):
        return None if pd.isna(x) else (int(x) if not isinstance(x, str) else x)
    return [(r.action, v(r.count), v(r.parent), v(r.relation), v(r.tally)) for r in df.itertuples()]


@pytest.mark.parametrize("text,expected", [c[1:] for c in ROW_CASES], ids=[c[0] for c in ROW_CASES])
def test_rows_know_their_parent(text: str, expected: list[tuple]) -> None:
    df = _rows(text)
    assert _tuples(df) == expected
    assert set(df["level"]) <= set(LEVELS) and set(df["relation"].dropna()) <= set(RELATIONS)
    assert set(df["basis"].dropna()) <= set(BASES)


@pytest.mark.parametrize("action,level", [
    ("党纪处分", "group"), ("政务处分", "group"), ("组织处理", "group"), ("诫勉谈话", "group"), ("批评教育", "group"),
    ("党纪政务处分", "total"), ("问责", "total"), ("四种形态", "total"),
    ("党内警告", "component"), ("党内严重警告", "component"), ("撤销党内职务", "component"), ("留党察看", "component"),
    ("开除党籍", "component"), ("政务警告", "component"), ("记过", "component"), ("记大过", "component"),
    ("降级", "component"), ("撤职", "component"), ("开除", "component"), ("免职", "component"),
    ("责令辞职", "component"), ("降职", "component"), ("第一种形态", "component"), ("监督预警卡(黄色)", "component"),
])
def test_levels_follow_the_data_file(action: str, level: str) -> None:
    act = grammar().by_name[action]
    assert hierarchy().level(act.action, act.group) == level


@pytest.mark.parametrize("text,count,stated", [
    ("诫勉谈话5人。", 5, True), ("对2名社区干部给予诫勉谈话。", 2, True), ("诫勉0人。", 0, True),
    ("对A社区书记给予诫勉谈话。", 1, False), ("对王某给予诫勉谈话。", 1, False),
    ("对该工作人员进行批评教育。", 1, False), ("对网格员王某进行批评教育。", 1, False),
    ("经研究，给予党内警告处分。", None, False), ("对相关责任人立案审查。", None, False),
    ("已对涉及有关社区党组织负责同志开展约谈。", None, False), ("对社区班子成员进行批评教育。", None, False),
    ("对张某等人进行批评教育。", None, False), ("对部分社区书记给予批评教育。", None, False),
    ("对相关问题线索立案调查。", None, False), ("对该问题线索立案调查。", 1, False),
])
def test_counts_are_never_invented(text: str, count: int | None, stated: bool) -> None:
    df = _rows(text)
    assert len(df) == 1
    got = None if pd.isna(df.loc[0, "count"]) else int(df.loc[0, "count"])
    assert (got, bool(df.loc[0, "count_stated"])) == (count, stated)


@pytest.mark.parametrize("text,warned", [
    ("给予党纪处分3人。给予党内警告2人、严重警告2人。", ("党纪处分3人", "add up to 4")),
    ("给予政务处分2人（警告1人，记过1人，记大过1人）。", ("政务处分2人", "add up to 3")),
    ("给予党纪处分3人。给予党内警告2人、严重警告1人。", None),
    ("给予党纪处分3人（党内警告1人）。", None),
    ("给予政务处分29人（政务警告22人…", None),
    ("对A社区主要负责人给予诫勉谈话。对A社区主要负责人给予诫勉谈话。", None),
])
def test_disagreement_gives_a_warning(text: str, warned: tuple[str, str] | None) -> None:
    t = normalize_text(text)
    cols = discipline_columns("d1", t, [])
    warnings = discipline_warnings(cols)
    assert len(warnings) == (1 if warned else 0)
    for w in warnings:
        assert w["stage"] == "extract" and w["kind"] == "discipline_total_mismatch"
        assert warned[0] in w["message"] and warned[1] in w["message"]
        assert t[w["char_start"]:w["char_end"]].startswith(warned[0][:4])
        assert sum(c is not None for c in cols["count"]) == len(cols["count"])   # both kept


def test_warning_reaches_parse_warnings() -> None:
    text = "关于巡察整改情况的通报\n整改期间，给予党纪处分3人。给予党内警告2人、严重警告2人。\n"
    raw = RawDoc(path=Path("x.txt"), source_file="x.txt", doc_id="0" * 16, sha256="0" * 64, fmt="txt",
                 encoding="utf-8", raw_text=text, n_bytes=len(text.encode()))
    out = process_document(raw, None, "fp")
    kinds = out["parse_warnings"]["kind"]
    assert "discipline_total_mismatch" in kinds
    assert list(out["parse_warnings"]["warning_no"]) == list(range(1, len(kinds) + 1))
    assert list(out["discipline_actions"]) == DISCIPLINE_COLUMNS


def test_data_files_agree() -> None:
    """Every action group has a hierarchy row whose head is an action of the group; every count unit a
    unit row; the files carry their headers."""
    acts = load_table("discipline_actions.csv")
    acts = acts[acts["kind"] == "action"]
    groups = load_table("discipline_groups.csv")
    assert set(acts["action_group"]) == set(groups["group"])
    for r in groups.itertuples():
        assert r.head in set(acts.loc[acts["action_group"] == r.group, "action"]), r.group
    measures = dict(c.name and (c.name, c.accepted) for c in TABLES["discipline_actions"].columns)["measure"]
    assert set(groups["measure"]) <= set(measures)
    units = load_table("discipline_units.csv")
    written = load_table("discipline_actions.csv")
    written = written.loc[written["kind"] == "count_unit", "pattern"].iloc[0].split("|")
    assert set(written) == set(units["unit"])
    assert set(units.loc[units["kind"] == "people", "reads_as"]) == {"人", "人次"}
    for name in ("discipline_groups.csv", "discipline_units.csv"):
        h = header(name)
        assert h.get("version") and h.get("source") and h.get("description")


# ---------------------------------------------------------------------------------------------
# a realistic invented notice, built into a warehouse

# what the notice states in its summary paragraph
STATED_GROUPS = {("党纪处分", "人"): 3, ("政务处分", "人"): 2, ("组织处理", "人"): 2, ("诫勉", "人"): 3,
                 ("批评教育类", "人"): 6, ("提醒谈话", "人次"): 4, ("监督预警卡", "张"): 3, ("立案", "件"): 6,
                 ("了结", "件"): 4, ("四种形态", "人次"): 20}
STATED_FORMS = {(1, "人次"): 13, (2, "人次"): 5, (3, "人次"): 2}


@pytest.fixture(scope="module")
def notice_db(tmp_path_factory) -> Path:
    from analysis.pipeline.orchestrate import build

    corpus = tmp_path_factory.mktemp("discipline_corpus")
    (corpus / "notice.txt").write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path_factory.mktemp("discipline_wh") / "warehouse.duckdb"
    build(corpus, db, quiet=True, workers=1)
    return db


def test_fixture_is_a_realistic_notice() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    assert 1300 <= len(text) <= 1800 and text.count("问题的整改情况") >= 4


def test_notice_district_totals_equal_the_stated_totals(notice_db: Path) -> None:
    con = duckdb.connect(str(notice_db), read_only=True)
    got = dict(((g, u), int(c)) for g, u, c in con.execute(
        "select action_group, count_unit, sum(count) from district_discipline where count is not null group by 1, 2"
    ).fetchall())
    assert got == STATED_GROUPS
    # each group's rows rest on the stated total, not on the body's mentions
    bases = {r[0] for r in con.execute("select distinct basis from district_discipline "
                                       "where action_group <> '监督预警卡'").fetchall()}
    assert bases == {"stated_total"}
    # the body's sanctions give the forms: 党纪处分 3 = 党内警告, 严重警告 (form 2) and 留党察看 (form 3)
    forms = dict(((f, int(c))) for f, c in con.execute(
        "select form, count from district_discipline where action_group = '党纪处分'").fetchall())
    assert forms == {2: 2, 3: 1}
    n_uncounted = con.execute("select sum(n_uncounted) from district_discipline").fetchone()[0]
    assert n_uncounted == 0   # 对相关工作人员进行批评教育 has no number, but the stated 6 holds it
    assert con.execute("select count(*) from discipline_actions where count is null").fetchone()[0] == 1
    con.close()


def test_notice_people_equal_the_stated_four_forms(notice_db: Path) -> None:
    con = duckdb.connect(str(notice_db), read_only=True)
    rows = con.execute("select form, count_unit, people, source, basis from discipline_people").fetchall()
    assert {(f, u): p for f, u, p, _, _ in rows} == STATED_FORMS
    assert {s for *_, s, _ in rows} == {"four_forms"} and {b for *_, b in rows} == {"stated_total"}
    # the sanctions add up to the same 20 people, each once (党纪政务处分 5 + 组织处理 2 + 诫勉 3 + 批评 6 + 提醒 4)
    people = con.execute("select sum(count) from district_discipline "
                         "where unit_kind = 'people' and measure = 'sanction'").fetchone()[0]
    assert people == sum(STATED_FORMS.values())
    by_form = dict(con.execute("select form, sum(count) from district_discipline "
                               "where unit_kind = 'people' and measure = 'sanction' group by 1").fetchall())
    assert by_form == {f: n for (f, _), n in STATED_FORMS.items()}
    assert con.execute("select count(*) from parse_warnings where kind = 'discipline_total_mismatch'"
                       ).fetchone()[0] == 0
    con.close()
