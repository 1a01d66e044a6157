"""Term trends (analysis.compare.trends, analysis.outputs.trends, ``analysis trends``) on invented tokens
with hand-computed relative frequencies, and the command on the sample warehouse."""

from __future__ import annotations

import json
import math

import duckdb
import pandas as pd
import pytest

from analysis.cli import main as cli_main
from analysis.compare.trends import term_trends
from analysis.outputs.trends import absent_terms, normalize_terms, trends_frame
from analysis.warehouse.db import WarehouseError

# doc, year, round, [(unit_kind, token, kind)]
DOCS = [
    ("a", 2021, "R1", [("problem", "整改", "content"), ("problem", "落实", "content"), ("problem", "整改", "content"),
                       ("problem", "泰达街道", "place"), ("measure", "督查", "content"), ("measure", "整改", "content"),
                       ("section", "整改", "content")]),
    ("b", 2021, "R2", [("problem", "督查", "content"), ("problem", "制度", "content"), ("problem", "的", "function")]),
    ("c", 2022, "R1", [("measure", "整改", "content"), ("measure", "建设", "content"), ("measure", "机制", "content"),
                       ("measure", "完善", "content")]),
    ("d", None, " ", [("problem", "整改", "content"), ("problem", "问题", "content")]),
    ("e", 2023, "R2", []),
]


@pytest.fixture()
def tiny():
    con = duckdb.connect()
    con.execute("create table documents (doc_id varchar, inspection_year integer, inspection_round varchar)")
    con.execute("create table tokens (doc_id varchar, unit_kind varchar, unit_no integer, position integer, "
                "token varchar, kind varchar)")
    for doc, year, rnd, toks in DOCS:
        con.execute("insert into documents values (?, ?, ?)", [doc, year, rnd])
        for pos, (unit, tok, kind) in enumerate(toks):
            con.execute("insert into tokens values (?, ?, 1, ?, ?, ?)", [doc, unit, pos, tok, kind])
    yield con
    con.close()


def _rows(t: pd.DataFrame) -> dict:
    return {(None if pd.isna(p) else p, w): (c, n, None if pd.isna(r) else r, k, m, u)
            for p, w, c, n, r, k, m, u in zip(t["period"], t["term"], t["count"], t["n_tokens"], t["per10k"],
                                              t["notices_with_term"], t["n_notices"], t["period_unknown"], strict=True)}


def test_by_year_hand_computed(tiny):
    got = _rows(trends_frame(tiny, ["整改", "督查", "泰达街道"], by="year"))
    # 2021: a (5 content tokens of problems and measures, 整改 3, 督查 1) + b (2 content, 督查 1): N = 7
    assert got[(2021, "整改")][:2] == (3, 7) and got[(2021, "整改")][2] == pytest.approx(30000 / 7)
    assert got[(2021, "整改")][3:] == (1, 2, False)
    assert got[(2021, "督查")][:2] == (2, 7) and got[(2021, "督查")][2] == pytest.approx(20000 / 7)
    assert got[(2021, "督查")][3] == 2
    # a place name is counted as a term (any kind) over the content tokens
    assert got[(2021, "泰达街道")][0] == 1 and got[(2021, "泰达街道")][2] == pytest.approx(10000 / 7)
    assert got[(2022, "整改")] == (1, 4, 2500.0, 1, 1, False)
    assert got[(2022, "督查")] == (0, 4, 0.0, 0, 1, False)
    assert got[(2023, "整改")] == (0, 0, None, 0, 1, False)         # notices without tokens: 0 / 0 is no frequency
    assert got[(None, "整改")] == (1, 2, 5000.0, 1, 1, True)        # unknown year: its own flagged row
    assert {p for p, _ in got} == {2021, 2022, 2023, None}          # no row for a year without notices


def test_by_round_blank_round_is_unknown(tiny):
    t = trends_frame(tiny, ["整改", "督查"], by="round")
    got = _rows(t)
    assert got[("R1", "整改")][:2] == (4, 9) and got[("R1", "整改")][2] == pytest.approx(40000 / 9)
    assert got[("R2", "督查")] == (1, 2, 5000.0, 1, 2, False)
    assert got[(None, "整改")] == (1, 2, 5000.0, 1, 1, True)
    assert list(t["period"].iloc[-2:].isna()) == [True, True]        # NULL last
    assert (t["period_kind"] == "inspection_round").all()


def test_terms_normalised_deduplicated_and_absent_ones_named(tiny):
    assert normalize_terms([" 整改 ", "整改", "", "ＡＢ"]) == ["整改", "AB"]
    t = trends_frame(tiny, ["整改", "不存在的词"], by="year")
    assert absent_terms(t) == ["不存在的词"]
    with pytest.raises(WarehouseError):
        trends_frame(tiny, ["  "])
    with pytest.raises(WarehouseError):
        trends_frame(tiny, ["整改"], by="month")


def test_library_on_frames_ignores_counts_of_unknown_documents():
    counts = pd.DataFrame({"doc_id": ["x", "y", "zz"], "token": ["督查", "督查", "督查"], "count": [1, 3, 9]})
    sizes = pd.DataFrame({"doc_id": ["x", "y"], "n_tokens": [40, 60]})
    docs = pd.DataFrame({"doc_id": ["x", "y"], "inspection_year": [2020, 2020]})
    t = term_trends(counts, sizes, docs, ["督查"])
    assert len(t) == 1 and t.loc[0, "count"] == 4 and t.loc[0, "n_tokens"] == 100
    assert t.loc[0, "per10k"] == 400.0 and t.loc[0, "n_notices"] == 2 and not t.loc[0, "period_unknown"]


def test_cli_trends_on_the_sample_warehouse(sample_db, tmp_path, capsys):
    out = tmp_path / "t.json"
    assert cli_main(["trends", "整改", "督查", "--db", str(sample_db), "--by", "year", "-o", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        want = con.execute("""
            with d as (select doc_id, inspection_year as period from documents),
                 n as (select d.period, count(t.token) filter (where t.kind = 'content') as n_tokens,
                              count(t.token) filter (where t.token = '整改') as c
                       from d left join tokens t on t.doc_id = d.doc_id and t.unit_kind in ('problem', 'measure')
                       group by 1)
            select period, n_tokens, c from n""").fetchall()
        n_docs = con.execute("select count(*) from documents").fetchone()[0]
    finally:
        con.close()
    got = {r["period"]: r for r in rows if r["term"] == "整改"}
    assert len(got) == len(want) and sum(r["n_notices"] for r in got.values()) == n_docs
    for period, n_tokens, c in want:
        r = got[period]
        assert (r["n_tokens"], r["count"]) == (n_tokens, c)
        assert math.isclose(r["per10k"], 1e4 * c / n_tokens) and r["period_unknown"] == (period is None)
    assert any(r["count"] > 0 for r in got.values())
    assert cli_main(["trends", "整改", "--db", str(sample_db), "--by", "round", "--csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("period_kind,period,period_unknown,term,count")
    assert ",True,整改," in captured.out and "period NULL" in captured.err   # the sample has notices without a round
