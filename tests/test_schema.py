"""The schema is the single source: the warehouse, the data dictionary and every insert follow it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from analysis import schema
from analysis.schema import SchemaError
from analysis.warehouse import db as wdb

DOCS = Path(__file__).resolve().parent.parent / "docs" / "schema.md"


def test_docs_schema_md_is_generated_from_the_schema():
    assert DOCS.read_text(encoding="utf-8").rstrip("\n") == schema.data_dictionary().rstrip("\n"), (
        "docs/schema.md is out of date: regenerate it with `analysis schema > docs/schema.md`")


def test_dictionary_lists_every_table_view_macro_and_the_fingerprint():
    text = schema.data_dictionary()
    for name in [*schema.TABLES, *schema.VIEWS]:
        assert f"`{name}`" in text
    assert "## macro `search_units(q)`" in text
    assert "| fingerprint | VARCHAR |" in text
    assert {"district_discipline", "document_groups", "parse_report"} <= set(schema.VIEWS)


def test_built_warehouse_has_exactly_the_declared_tables_views_and_columns(con):
    tables = {r[0]: r[1] for r in con.execute(
        "select table_name, table_type from information_schema.tables where table_schema = 'main'").fetchall()}
    assert {n for n, t in tables.items() if t == "BASE TABLE"} == set(schema.TABLES)
    assert {n for n, t in tables.items() if t == "VIEW"} == set(schema.VIEWS)
    for t in schema.TABLES.values():
        cols = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
            [t.name]).fetchall()]
        assert cols == t.column_names, t.name
    macros = {r[0] for r in con.execute("select function_name from duckdb_functions() "
                                        "where function_type = 'table_macro' and not internal").fetchall()}
    assert set(schema.MACROS) <= macros
    comment = con.execute("select comment from duckdb_columns() where table_name = 'documents' "
                          "and column_name = 'fingerprint'").fetchone()[0]
    assert comment and "incremental" in comment


@pytest.fixture()
def mem():
    c = duckdb.connect()
    wdb.create_tables(c)
    yield c
    c.close()


def _vocab_frame(**extra):
    df = pd.DataFrame({"token": ["整改"], "freq": [3], "doc_freq": [1], "unit_freq": [2], "kind": ["content"]})
    return df.assign(**extra)


def test_insert_frame_takes_any_column_order(mem):
    wdb.insert_frame(mem, "vocabulary", _vocab_frame()[["freq", "kind", "token", "unit_freq", "doc_freq"]])
    assert mem.execute("select token, freq from vocabulary").fetchall() == [("整改", 3)]


@pytest.mark.parametrize("frame, message", [
    (_vocab_frame(weight=1.0), r"unknown column\(s\) weight"),
    (_vocab_frame().drop(columns="unit_freq"), r"missing column\(s\) unit_freq"),
])
def test_insert_frame_refuses_unknown_and_missing_columns(mem, frame, message):
    with pytest.raises(SchemaError, match=message) as e:
        wdb.insert_frame(mem, "vocabulary", frame)
    assert "vocabulary" in str(e.value)
    assert mem.execute("select count(*) from vocabulary").fetchone()[0] == 0


def test_column_lists_and_arrow_batches_are_checked_too(mem):
    with pytest.raises(SchemaError, match="missing column"):
        wdb.insert_columns(mem, "build_info", {"key": ["a"]})
    with pytest.raises(SchemaError, match="unknown column"):
        wdb.insert_arrow_tables(mem, "build_info", [pa.table({"key": ["a"], "value": ["b"], "extra": [1]})])
    wdb.insert_columns(mem, "build_info", {"key": ["a"], "value": ["b"]})
    assert mem.execute("select * from build_info").fetchall() == [("a", "b")]


@pytest.mark.parametrize("ids, ok", [
    (["0123456789abcdef"], True),
    (["0123456789ABCDEF"], False),
    (["0123456789abcde"], False),
    (["x' or 1=1 --"], False),
])
def test_doc_id_list_only_takes_document_ids(ids, ok):
    if ok:
        assert wdb.doc_id_list(ids) == "'0123456789abcdef'"
    else:
        with pytest.raises(ValueError, match="not a document id"):
            wdb.doc_id_list(ids)
