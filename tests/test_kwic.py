"""KWIC (the kwic(term, width) macro and `analysis kwic`) and the search index of every sentence, on
invented notices with hand-computed contexts and offsets."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analysis.cli import main as cli_main
from analysis.outputs.kwic import group_counts, kwic_frame
from analysis.pipeline.search_index import build_search_index, sentence_units
from analysis.schema import MACROS
from analysis.warehouse.db import WarehouseError, create_tables, create_views

# doc a: an overview with a summary (outside every problem), then one problem with one measure
TEXT_A = "一、总体情况\n共诫勉谈话5人。\n二、整改情况\n1.关于“作风不实”问题\n一是对张某诫勉谈话。"
TEXT_B = "谈话谈话谈话。"


def _offsets(text: str, term: str) -> list[int]:
    out, k = [], text.find(term)
    while k >= 0:
        out.append(k)
        k = text.find(term, k + len(term))
    return out


@pytest.fixture()
def tiny():
    con = duckdb.connect()
    create_tables(con)
    p_start = TEXT_A.index("1.关于")
    m_start = TEXT_A.index("一是")
    con.execute("insert into documents (doc_id, source_file, district, inspection_year, text) values "
                "('a000000000000000', 'a.txt', '甲区', 2021, ?), ('b000000000000000', 'b.txt', '乙区', 2022, ?)",
                [TEXT_A, TEXT_B])
    con.execute("insert into problems (doc_id, problem_no, heading, char_start, char_end) values "
                "('a000000000000000', 1, '作风不实', ?, ?)", [p_start, len(TEXT_A)])
    con.execute("insert into measures (doc_id, problem_no, measure_no, text, char_start, char_end) values "
                "('a000000000000000', 1, 1, '一是对张某诫勉谈话。', ?, ?)", [m_start, len(TEXT_A)])
    con.execute("insert into sections (doc_id, section_id, level, kind, char_start, char_end) values "
                "('a000000000000000', 1, 1, 'overview', 0, ?), ('a000000000000000', 2, 1, 'rectification', ?, ?)",
                [TEXT_A.index("二、"), TEXT_A.index("二、"), len(TEXT_A)])
    create_views(con)
    for m in MACROS.values():
        con.execute(m.sql)
    yield con
    con.close()


def test_kwic_hits_contexts_and_offsets(tiny):
    df = kwic_frame(tiny, "诫勉谈话", width=3)
    starts = _offsets(TEXT_A, "诫勉谈话")
    assert list(df["char_start"]) == starts == [8, 41]
    assert list(df["char_end"]) == [12, 45]
    first, second = df.iloc[0], df.iloc[1]
    assert (first["left"], first["keyword"], first["right"]) == ("况\n共", "诫勉谈话", "5人。")
    assert (second["left"], second["right"]) == ("对张某", "。")          # right context clipped at the end
    assert pd.isna(first["problem_no"]) and pd.isna(first["measure_no"])   # the summary is in no problem
    assert first["section_kind"] == "overview" and second["section_kind"] == "rectification"
    assert int(second["problem_no"]) == 1 and int(second["measure_no"]) == 1
    assert list(df["group"]) == ["甲区", "甲区"]


def test_kwic_left_context_clipped_at_the_start_and_hits_do_not_overlap(tiny):
    df = kwic_frame(tiny, "谈话谈话", width=5)
    assert list(df["char_start"]) == _offsets(TEXT_B, "谈话谈话") == [0]
    assert df.iloc[0]["left"] == "" and df.iloc[0]["right"] == "谈话。"
    df = kwic_frame(tiny, "谈话", width=2)
    b = df[df["doc_id"] == "b000000000000000"]
    assert list(b["char_start"]) == [0, 2, 4] and list(b["hit_no"]) == [1, 2, 3]


def test_kwic_sorts_by_left_or_right_context_and_by_group(tiny):
    by_right = kwic_frame(tiny, "谈话", width=2, sort="right")
    assert list(by_right["right"]) == sorted(by_right["right"])
    by_left = kwic_frame(tiny, "谈话", width=2, sort="left")
    keys = [s[::-1] for s in by_left["left"]]
    assert keys == sorted(keys)
    grouped = kwic_frame(tiny, "谈话", width=2, by="district")
    assert list(grouped["group"]) == sorted(grouped["group"])
    counts = group_counts(grouped)
    assert dict(zip(counts["group"], counts["hits"], strict=True)) == {"甲区": 2, "乙区": 3}


def test_kwic_normalises_the_term_and_refuses_bad_input(tiny):
    assert len(kwic_frame(tiny, "诫勉谈话５人", width=1)) == 1          # full-width digit, as the text was normalised
    assert kwic_frame(tiny, "不存在的词").empty
    for bad in ({"term": "  "}, {"term": "谈话", "sort": "middle"}, {"term": "谈话", "by": "moon"}):
        with pytest.raises(WarehouseError):
            kwic_frame(tiny, **{"width": 2, **bad})


@pytest.mark.parametrize(("text", "measures", "problems", "expected"), [
    # overview sentence kept (problem 0); the measure's sentence skipped
    ("共诫勉谈话5人。一是整改。", [(8, 13)], [], [(1, 0, 8, 0)]),
    # a sentence inside a problem that repeats its heading is skipped, its lead sentence kept
    ("关于作风问题。加强学习。一是整改。", [(12, 17)], [(0, 17, 1, "关于作风问题")], [(2, 7, 12, 1)]),
    # no measures, no problems: every sentence
    ("甲。乙！", [], [], [(1, 0, 2, 0), (2, 2, 4, 0)]),
])
def test_sentence_units(text, measures, problems, expected):
    assert sentence_units(text, measures, problems) == expected


def test_search_index_covers_summary_sentences(tiny):
    build_search_index(tiny)
    kinds = dict(tiny.execute("select unit_kind, count(*) from search_index group by 1").fetchall())
    assert kinds["sentence"] >= 1
    hits = tiny.execute("select unit_kind, problem_no, sentence, char_start, char_end from search_units('诫勉谈话')"
                        ).fetchall()
    summary = [h for h in hits if h[0] == "sentence" and "5人" in h[2]]
    assert summary and TEXT_A[summary[0][3]:summary[0][4]] == "共诫勉谈话5人。" and summary[0][1] == 0


def test_search_finds_a_summary_sentence_of_the_sample(sample_db):
    from analysis.outputs.search import search
    df = search(sample_db, "诫勉谈话5人", limit=20)
    assert any("诫勉谈话5人" in s for s in df["sentence"])


def test_kwic_command(sample_db, capsys):
    assert cli_main(["kwic", "诫勉谈话", "--db", str(sample_db), "--width", "5", "--csv", "--by", "district"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("doc_id,source_file,group") and len(lines) > 3
    con = duckdb.connect(str(sample_db), read_only=True)
    df = kwic_frame(con, "诫勉谈话", width=5)
    for r in df.itertuples():
        text = con.execute("select text from documents where doc_id = ?", [r.doc_id]).fetchone()[0]
        assert text[r.char_start:r.char_end] == "诫勉谈话" and text[max(0, r.char_start - 5):r.char_start] == r.left
    con.close()
