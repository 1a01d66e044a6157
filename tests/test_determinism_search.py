"""Two builds give identical tables; full-text search works offline from the packaged extension."""

from __future__ import annotations

import hashlib

import duckdb

from analysis.cli import main as cli_main
from analysis.search import search
from analysis.warehouse import build

SKIP = {"build_info", "documents"}  # build_info records versions; documents compared without fingerprint


def _digest(db) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = "
                                        "current_database() and schema_name = 'main'").fetchall()]
    for t in sorted(tables):
        if t in SKIP:
            continue
        rows = con.execute(f'select * from "{t}" order by all').fetchall()
        out[t] = hashlib.sha256(repr(rows).encode()).hexdigest()
    rows = con.execute("select * exclude (fingerprint) from documents order by doc_id").fetchall()
    out["documents"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    con.close()
    return out


def test_two_builds_give_identical_tables(sample_corpus, tmp_path):
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    build(sample_corpus, a, quiet=True, workers=1)
    build(sample_corpus, b, quiet=True, workers=2, full=True)
    da, db_ = _digest(a), _digest(b)
    assert set(da) >= {"tokens", "keyness", "clusters", "problem_categories", "boilerplate", "measure_specificity"}
    assert da == db_


def test_search_ranks_units_with_sentence_and_offsets(sample_db):
    df = search(sample_db, "诫勉谈话", limit=10)
    assert len(df) >= 3 and df["score"].is_monotonic_decreasing
    assert all("诫勉谈话" in s for s in df["sentence"])
    con = duckdb.connect(str(sample_db), read_only=True)
    for r in df.itertuples():
        text = con.execute("select text from documents where doc_id = ?", [r.doc_id]).fetchone()[0]
        assert r.sentence in text[r.char_start:r.char_end]
    con.close()


def test_search_command(sample_db, capsys):
    assert cli_main(["search", "批评教育", "--db", str(sample_db), "--csv", "--limit", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("doc_id,") and len(out) == 4
