"""Document-feature matrix export: long table and Matrix Market round trip on invented tokens."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import io as spio

from analysis.cli import main as cli_main
from analysis.outputs.dfm import dfm_frames, write_dfm
from analysis.warehouse.db import WarehouseError, create_tables, create_views

DOCS = {"a000000000000000": ("甲区", 2021), "b000000000000000": ("乙区", 2022), "c000000000000000": ("甲区", 2022)}
TOKENS = {  # doc → tokens of its one measure, with kinds
    "a000000000000000": [("整改", "content"), ("整改", "content"), ("的", "function"), ("落实", "content")],
    "b000000000000000": [("落实", "content"), ("2023", "number")],
    "c000000000000000": [("整改", "content")],
}


@pytest.fixture()
def tiny(tmp_path):
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    create_tables(con)
    for d, (district, year) in DOCS.items():
        con.execute("insert into documents (doc_id, source_file, district, inspection_year, text) values (?, ?, ?, ?, '')",
                    [d, d[:1] + ".txt", district, year])
        for i, (tok, kind) in enumerate(TOKENS[d]):
            con.execute("insert into tokens (doc_id, unit_kind, unit_no, position, token, kind) "
                        "values (?, 'measure', 1001, ?, ?, ?)", [d, i, tok, kind])
    create_views(con)
    con.close()
    return db


def test_long_table_by_document(tiny):
    con = duckdb.connect(str(tiny), read_only=True)
    long, rows, cols = dfm_frames(con, "document")
    con.close()
    got = {(r.doc_id, r.token): r.count for r in long.itertuples()}
    assert got == {("a000000000000000", "整改"): 2, ("a000000000000000", "落实"): 1,
                   ("b000000000000000", "落实"): 1, ("c000000000000000", "整改"): 1}   # content words only
    assert list(cols["token"]) == ["整改", "落实"] and list(rows["doc_id"]) == sorted(DOCS)
    assert set(long["district"]) == {"甲区", "乙区"} and "inspection_year" in long


def test_by_district_and_every_kind(tiny):
    con = duckdb.connect(str(tiny), read_only=True)
    long, rows, _ = dfm_frames(con, "district", kinds=None)
    con.close()
    got = {(r.group, r.token): r.count for r in long.itertuples()}
    assert got == {("甲区", "整改"): 3, ("甲区", "的"): 1, ("甲区", "落实"): 1, ("乙区", "落实"): 1, ("乙区", "2023"): 1}
    assert dict(zip(rows["group"], rows["n_notices"], strict=True)) == {"乙区": 1, "甲区": 2}


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_matrix_market_round_trip(tiny, tmp_path, suffix):
    out = tmp_path / "out" / f"dfm{suffix}"
    files = write_dfm(tiny, out, by="document")
    assert [f.name for f in files] == [out.name, "dfm.mtx", "dfm.rows.csv", "dfm.cols.csv"]
    m = spio.mmread(str(files[1])).toarray()
    rows = pd.read_csv(files[2])
    cols = pd.read_csv(files[3])
    assert m.shape == (3, 2) and list(cols["token"]) == ["整改", "落实"]
    assert list(rows["doc_id"]) == sorted(DOCS)
    assert np.array_equal(m, np.array([[2, 1], [0, 1], [1, 0]]))
    long = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert int(long["count"].sum()) == int(m.sum()) == 5


def test_other_endings_are_refused(tiny, tmp_path):
    with pytest.raises(WarehouseError, match=r"\.parquet or \.csv"):
        write_dfm(tiny, tmp_path / "dfm.xlsx")
    assert cli_main(["dfm", "--db", str(tiny), "-o", str(tmp_path / "dfm.txt")]) == 2
    assert not (tmp_path / "dfm.txt").exists()


def test_dfm_command_on_the_sample(sample_db, tmp_path, capsys):
    assert cli_main(["dfm", "--db", str(sample_db), "--by", "district", "-o", str(tmp_path / "d.parquet")]) == 0
    assert "d.mtx" in capsys.readouterr().out
    m = spio.mmread(str(tmp_path / "d.mtx"))
    long = pd.read_parquet(tmp_path / "d.parquet")
    assert m.shape[0] == len(pd.read_csv(tmp_path / "d.rows.csv")) and m.sum() == long["count"].sum() > 0
