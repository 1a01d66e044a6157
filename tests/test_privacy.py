"""Person-name detection and stable pseudonyms."""

from __future__ import annotations

import duckdb
import pytest

from analysis.cli import main as cli_main
from analysis.outputs.nb import query
from analysis.outputs.privacy import find_person_names, pseudonym, pseudonymize_text


@pytest.mark.parametrize("text,names", [
    ("对财务联络员李小明进行诫勉谈话", ["李小明"]),
    ("由党工委书记王强同志担任组长", ["王强"]),
    ("随后赵刚同志总结会议情况", ["赵刚"]),
    ("对副主任陈静的处置已进入审理阶段", ["陈静"]),
    ("欧阳明书记主持会议", ["欧阳明"]),
    ("加强党员同志教育管理", []),
    ("担任副组长，水平总体提升", []),
    ("由党工委书记X同志担任组长，XX同志担任副组长", []),
    ("增强兼职委员的参与感", []),
])
def test_find_person_names(text, names):
    assert [n for _, _, n in find_person_names(text)] == names


def test_pseudonyms_are_stable_and_replace_every_occurrence():
    t = pseudonymize_text("王强同志主持会议，会后王强同志作总结。")
    assert "王强" not in t and t.count(pseudonym("王强")) == 2
    assert pseudonym("王强") == pseudonym("王强") != pseudonym("李明")


def test_export_pseudonymizes_but_warehouse_keeps_originals(sample_db, tmp_path):
    assert cli_main(["export", str(tmp_path / "pq"), "--db", str(sample_db), "--pseudonymize"]) == 0
    texts = duckdb.sql(f"select text from read_parquet('{tmp_path}/pq/documents/*/*.parquet')").fetchall()
    assert texts and not any("王秀敏" in t for (t,) in texts)
    assert any(pseudonym("王秀敏") in t for (t,) in texts)
    con = duckdb.connect(str(sample_db), read_only=True)
    assert con.execute("select count(*) from documents where text like '%王秀敏%'").fetchone()[0] == 1
    con.close()


def test_notebook_queries_pseudonymize_when_asked(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    sql = "select text from documents order by doc_id"
    texts = query(con, sql)["text"].tolist()
    names = sorted({n for t in texts for _, _, n in find_person_names(t)})
    assert names, "the sample notices name people"
    hidden = " ".join(query(con, sql, pseudonymize=True)["text"])
    con.close()
    for n in names:
        assert n not in hidden and pseudonym(n) in hidden
