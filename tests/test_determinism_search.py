"""Two builds give identical tables; full-text search works offline from the packaged extension."""

from __future__ import annotations

import hashlib
import shutil

import duckdb
import duckdb_extensions

from analysis.cli import main as cli_main
from analysis.outputs.search import search
from analysis.pipeline.orchestrate import build

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


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load DuckDB's full-text-search extension from the PyPI package (offline): the reference the
    BM25 macro must agree with."""
    try:
        con.execute("load fts")
    except duckdb.Error:
        duckdb_extensions.import_extension("fts", con=con)
        con.execute("load fts")


def test_bm25_macro_scores_equal_the_fts_extension(sample_db, tmp_path):
    """search_units reproduces DuckDB fts match_bm25 exactly (index built here by the extension)."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, db)
    con = duckdb.connect(str(db))
    load_fts(con)
    con.execute("pragma create_fts_index('search_index', 'unit_id', 'tokens', stemmer = 'none', "
                "stopwords = 'none', strip_accents = 0, lower = 1)")
    for q in ["诫勉谈话", "批评教育 社区", "整改 2023年", "党建 责任 落实", "X"]:
        ours = con.execute("select s.unit_id, round(u.score, 9) from search_units(?) u join search_index s "
                           "using (doc_id, unit_kind, problem_no, char_start, char_end) "
                           "where s.measure_no is not distinct from u.measure_no order by 2 desc, 1", [q]).fetchall()
        ref = con.execute("select unit_id, round(fts_main_search_index.match_bm25(unit_id, ?), 9) as s "
                          "from search_index where s is not null order by 2 desc, 1", [q]).fetchall()
        assert ours == ref and len(ref) > 0, q
    con.close()
