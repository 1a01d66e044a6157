"""Hostile use of the build, the SQL command and export: nothing lost, nothing leaked, nothing locked."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from analysis.cli import main as cli_main
from analysis.pipeline import orchestrate
from analysis.pipeline.orchestrate import build
from analysis.warehouse.db import WarehouseError

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture()
def built(sample_corpus, tmp_path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    shutil.copytree(sample_corpus, corpus)
    db = tmp_path / "w.duckdb"
    build(corpus, db, quiet=True, workers=1)
    return corpus, db


def _count(db: Path, sql: str) -> int:
    c = duckdb.connect(str(db), read_only=True)
    try:
        return c.execute(sql).fetchone()[0]
    finally:
        c.close()


# ---------------------------------------------------------------- the swap

WRITER = """
import duckdb, os, sys
c = duckdb.connect(sys.argv[1])
c.execute("pragma disable_checkpoint_on_shutdown")
c.execute("set checkpoint_threshold = '10GB'")
c.execute("create table foreign_rows as select 1 as x")
c.execute("delete from problems where problem_no > 1")
os._exit(0)   # dies without checkpointing: the WAL stays beside the file
"""


@pytest.mark.parametrize("full", [False, True])
def test_a_stale_wal_is_never_replayed_onto_the_new_warehouse(built, full):
    corpus, db = built
    subprocess.run([sys.executable, "-c", WRITER, str(db)], check=True, env=ENV)
    wal = db.with_name(db.name + ".wal")
    assert wal.exists()
    s = build(corpus, db, quiet=True, workers=1, full=full, refresh_comparisons=True)
    assert s.problems == 98
    assert not wal.exists()
    assert _count(db, "select count(*) from problems") == 98
    assert _count(db, "select count(*) from information_schema.tables where table_name = 'foreign_rows'") == 0
    assert not [p for p in db.parent.iterdir() if ".tmp-" in p.name]


KILL_SCRIPT = """
import sys, time
from pathlib import Path
from analysis.pipeline.orchestrate import build
build(Path(sys.argv[1]), Path(sys.argv[2]), full=True, quiet=True, workers=2,
      after_document=lambda i: (print("doc", i, flush=True), time.sleep(0.5)))
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_build_with_workers_does_not_lock_out_the_next_one(built, sig):
    corpus, db = built
    old = db.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(corpus), str(db)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=ENV)
    assert proc.stdout.readline().startswith("doc")
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert db.read_bytes() == old
    if sig == signal.SIGTERM:   # a terminated build cleans up after itself
        assert not [p for p in db.parent.iterdir() if ".tmp-" in p.name]
    s = build(corpus, db, quiet=True, workers=1)   # at once: no "another build is running"
    assert s.documents == 5
    assert not [p for p in db.parent.iterdir() if ".tmp-" in p.name]


def test_a_full_disk_is_a_message_and_the_old_warehouse_stays(built, monkeypatch):
    corpus, db = built
    old = db.read_bytes()

    def full_disk(path):
        raise duckdb.IOException("Could not write file: No space left on device")

    monkeypatch.setattr(orchestrate, "connect_for_build", full_disk)
    with pytest.raises(WarehouseError, match="free some disk space"):
        build(corpus, db, quiet=True, workers=1, full=True)

    def no_copy(src, dst):
        Path(dst).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(orchestrate.shutil, "copyfile", no_copy)
    (corpus / "new.txt").write_text("一、存在的问题\n（一）问题一\n整改情况：已整改。", encoding="utf-8")
    with pytest.raises(WarehouseError, match="previous warehouse is unchanged"):
        build(corpus, db, quiet=True, workers=1)
    assert db.read_bytes() == old
    assert not [p for p in db.parent.iterdir() if ".tmp-" in p.name]


def test_an_unwritable_place_is_a_message(sample_corpus, tmp_path, capsys):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    assert cli_main(["build", "--corpus", str(sample_corpus), "--db", str(blocker / "w.duckdb"), "--quiet"]) == 2
    assert "writable" in capsys.readouterr().err


def test_an_empty_corpus_does_not_replace_a_warehouse_of_notices(built, tmp_path, capsys):
    _, db = built
    old = db.read_bytes()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli_main(["build", "--corpus", str(empty), "--db", str(db), "--quiet"]) == 2
    assert "--allow-empty" in capsys.readouterr().err
    assert db.read_bytes() == old
    assert cli_main(["build", "--corpus", str(empty), "--db", str(db), "--quiet", "--allow-empty", "--full"]) == 0
    assert _count(db, "select count(*) from documents") == 0


# ---------------------------------------------------------------- read-only means read-only

@pytest.mark.parametrize("query", [
    "copy (select 'x') to '{db}' (format csv)",
    "copy (select 'x') to '{dir}/leak.csv' (format csv)",
    "export database '{dir}/dump'",
    "select * from read_text('/etc/passwd')",
    "select * from glob('/etc/*')",
    "select * from read_csv('/etc/hostname')",
    "attach '{dir}/other.duckdb' as other",
    "install httpfs",
    "load httpfs",
    "select * from read_parquet('https://example.com/x.parquet')",
    "set enable_external_access = true",
    "set memory_limit = '100GB'",
    "create table t as select 1",
    "pragma enable_profiling = 'json'; pragma profiling_output = '{dir}/p.json'",
])
def test_sql_cannot_write_read_or_download(built, query, capsys):
    _, db = built
    before = db.read_bytes()
    listing = sorted(p.name for p in db.parent.iterdir())
    rc = cli_main(["sql", query.format(db=db, dir=db.parent), "--db", str(db)])
    assert rc == 2, capsys.readouterr().out
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == listing


def test_sql_has_a_memory_cap_and_a_time_limit(built, capsys, monkeypatch):
    _, db = built
    monkeypatch.setenv("ANALYSIS_QUERY_MEMORY", "300MB")
    assert cli_main(["sql", "select current_setting('memory_limit') as m", "--db", str(db), "--csv"]) == 0
    assert "MiB" in capsys.readouterr().out
    t0 = time.perf_counter()
    rc = cli_main(["sql", "select count(*) from range(1000000000000)", "--db", str(db), "--timeout", "0.5"])
    assert rc == 2 and time.perf_counter() - t0 < 20
    assert "time limit" in capsys.readouterr().err


def test_sql_timeout_rejects_nonsense(built, capsys):
    _, db = built
    with pytest.raises(SystemExit):
        cli_main(["sql", "select 1", "--db", str(db), "--timeout", "soon"])
    assert "positive number of seconds" in capsys.readouterr().err


# ---------------------------------------------------------------- export never deletes what it did not write

def test_export_refuses_a_folder_with_other_files_and_keeps_them(built, tmp_path, capsys):
    _, db = built
    out = tmp_path / "exports"
    (out / "documents").mkdir(parents=True)
    mine = out / "documents" / "my_notes.txt"
    mine.write_text("研究笔记", encoding="utf-8")
    assert cli_main(["export", str(out), "--db", str(db)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert cli_main(["export", str(out), "--db", str(db), "--overwrite"]) == 2
    assert mine.read_text(encoding="utf-8") == "研究笔记"


def test_export_overwrite_replaces_only_its_own_files(built, tmp_path):
    _, db = built
    out = tmp_path / "exports"
    assert cli_main(["export", str(out), "--db", str(db)]) == 0
    assert (out / "export-manifest.json").exists() and (out / "vocabulary.parquet").exists()
    keep = out / "README.txt"
    keep.write_text("keep me", encoding="utf-8")
    assert cli_main(["export", str(out), "--db", str(db)]) == 2          # not empty
    assert cli_main(["export", str(out), "--db", str(db), "--overwrite"]) == 0
    assert keep.read_text(encoding="utf-8") == "keep me"
    c = duckdb.connect()
    n = c.execute(f"select count(*) from read_parquet('{out}/problems/**/*.parquet')").fetchone()[0]
    assert n == 98


# ---------------------------------------------------------------- the same notice twice

def _copies(corpus: Path, names: tuple[str, str]) -> None:
    text = (corpus / "001_2de122b7e26fbdc6.txt").read_text(encoding="utf-8")
    (corpus / names[0]).write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    html = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.splitlines()) + "</body></html>"
    (corpus / names[1]).write_text(html, encoding="utf-8")


def _state(db: Path) -> tuple:
    c = duckdb.connect(str(db), read_only=True)
    try:
        return (sorted(r[0] for r in c.execute("select source_file from documents").fetchall()),
                c.execute("select count(*) from problems").fetchone()[0],
                sorted(c.execute("select source_file, severity, reason from load_issues").fetchall()))
    finally:
        c.close()


def test_the_same_notice_in_another_encoding_or_format_loads_once(built):
    corpus, db = built
    _copies(corpus, ("zz_copy_gbk_crlf.txt", "zz_copy.html"))
    s = build(corpus, db, quiet=True, workers=1, full=True)
    docs, problems, issues = _state(db)
    assert s.documents == 5 and problems == 98
    assert "zz_copy_gbk_crlf.txt" not in docs and "zz_copy.html" not in docs
    dup = {f: r for f, sev, r in issues if sev == "duplicate"}
    assert set(dup) == {"zz_copy_gbk_crlf.txt", "zz_copy.html"}
    assert all("same text as 001_2de122b7e26fbdc6.txt" in r for r in dup.values())


def test_incremental_and_full_builds_keep_the_same_copy(built, tmp_path):
    corpus, db = built
    _copies(corpus, ("000_copy_gbk_crlf.txt", "000_copy.html"))   # sort before the loaded original
    build(corpus, db, quiet=True, workers=1, refresh_comparisons=True)
    full = tmp_path / "full.duckdb"
    build(corpus, full, quiet=True, workers=1, full=True)
    assert _state(db) == _state(full)
    docs, problems, _ = _state(db)
    assert problems == 98 and "000_copy.html" in docs and "001_2de122b7e26fbdc6.txt" not in docs


# ---------------------------------------------------------------- spreadsheet formula injection

@pytest.mark.parametrize("cell, safe", [
    ("=1+1", "'=1+1"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("整改=完成", "整改=完成"), ("", ""), (None, None), (-5, -5),
])
def test_formula_cells_are_neutralised(cell, safe):
    import pandas as pd

    from analysis.outputs.spreadsheet import csv_safe

    out = csv_safe(pd.DataFrame({"a": [cell]}))
    assert out["a"].tolist() == [safe]


def test_manifest_formulas_never_reach_a_csv(built, tmp_path, capsys):
    corpus, db = built
    manifest = corpus / "manifest.csv"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    notes = head.index("notes")
    rows = [line.split(",") for line in lines[1:]]
    rows[0][notes] = "=HYPERLINK(\"http://example.com\")".replace(",", ";").replace('"', "")
    rows[1][notes] = "+cmd|' /C calc'!A0"
    manifest.write_text("\n".join([lines[0]] + [",".join(r) for r in rows]) + "\n", encoding="utf-8")
    build(corpus, db, quiet=True, workers=1)
    assert cli_main(["sql", "select notes from documents where notes like '%HYPERLINK%' or notes like '%cmd%' order by 1", "--db", str(db),
                     "--csv"]) == 0
    out = capsys.readouterr().out.splitlines()[1:]
    assert len(out) == 2 and all(line.startswith("'") for line in out), out
    target = tmp_path / "notes.csv"
    assert cli_main(["sql", "select notes from documents where notes like '%calc%'", "--db", str(db),
                     "-o", str(target)]) == 0
    body = target.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert body and all(line.startswith(("'", "\"'")) for line in body), body


# ---------------------------------------------------------------- messages, never tracebacks

@pytest.mark.parametrize("argv, message", [
    (["sql", "", "--db", "{db}"], "query is empty"),
    (["sql", "selec 1", "--db", "{db}"], "SQL error"),
    (["sql", "select 1", "--db", "{tmp}"], "is not a file"),
    (["sql", "select 1", "--db", "{tmp}/none.duckdb"], "does not exist"),
    (["sql", "select 1", "--db", "{db}", "-o", "{tmp}/out.foo"], "must end in"),
    (["sql", "select 1", "--db", "{db}", "-o", "{tmp}/a_file/out.csv"], "a_file"),
    (["export", "{tmp}/a_file", "--db", "{db}"], "not a folder"),
    (["export", "{tmp}/a_file/sub", "--db", "{db}"], "a_file"),
    (["build", "--corpus", "{tmp}/a_file", "--db", "{tmp}/w2.duckdb"], "does not exist"),
    (["build", "--workers", "0"], "positive whole number"),
    (["search", "x", "--limit", "-1", "--db", "{db}"], "positive whole number"),
    (["sql", "select 1", "--db", "{db}", "--timeout", "soon"], "positive number of seconds"),
])
def test_ordinary_mistakes_give_a_message(built, tmp_path, argv, message, capsys):
    _, db = built
    (tmp_path / "a_file").write_text("x")
    args = [a.format(db=db, tmp=tmp_path) for a in argv]
    try:
        rc = cli_main(args)
    except SystemExit as e:   # argparse's own usage errors
        rc = e.code
    assert rc == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("query", ["((", "[整改", "a|b)", "\\", "*", "诫勉谈话 (", "' or 1=1 --"])
def test_search_takes_any_text(built, query, capsys):
    _, db = built
    assert cli_main(["search", query, "--db", str(db)]) == 0
