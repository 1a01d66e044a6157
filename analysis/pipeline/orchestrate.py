"""Warehouse: corpus/ → warehouse.duckdb, atomically and incrementally.

The new warehouse is written to a temporary file next to the target and moved into place with
``os.replace`` only when complete, so an interrupted or failed build leaves the previous file
untouched, and a reader that holds it open keeps reading the old file. A lock file makes a
second concurrent build refuse with a clear message. Documents whose bytes, manifest row and
pipeline version are unchanged are copied from the previous warehouse instead of re-parsed.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

import analysis
from analysis import schema
from analysis.ingest.files import read_manifest, walk_corpus
from analysis.paths import DEFAULT_CORPUS, DEFAULT_DB
from analysis.pipeline.document import pipeline_version
from analysis.pipeline.incremental import (
    _add_vocabulary,
    _apply_vocabulary_delta,
    _drop_documents,
    _old_state,
    _OldState,
    _update_for_new_documents,
    add_search_documents,
)
from analysis.pipeline.loader import DocumentLoader
from analysis.pipeline.scan import Scan, scan_corpus
from analysis.pipeline.stages import STAGES
from analysis.pipeline.summary import BuildSummary, place_coverage
from analysis.warehouse.db import (
    WarehouseError,
    build_lock,
    connect_for_build,
    create_tables,
    create_views,
    doc_id_list,
    finish,
    insert_columns,
)

# ---------------------------------------------------------------- corpus-wide stages

def _run_stage(con: duckdb.DuckDBPyConnection, name: str, fn: Callable[[], None], summary: BuildSummary,
               say: Callable[[str], None]) -> None:
    t0 = time.perf_counter()
    fn()
    summary.stage_seconds[name] = summary.stage_seconds.get(name, 0.0) + time.perf_counter() - t0
    say(f"  {name}: {time.perf_counter() - t0:.1f} s")


def _run_corpus_stages(con: duckdb.DuckDBPyConnection, summary: BuildSummary, say: Callable[[str], None]) -> None:
    for name, stage in STAGES:
        _run_stage(con, name, lambda f=stage: f(con), summary, say)


# ---------------------------------------------------------------- the build

REFRESH_FRACTION = 0.02
"""An incremental build recomputes the corpus-wide comparisons once the documents added or removed
since they were last computed exceed this share of the corpus (always for a small corpus)."""








def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _swap(tmp: Path, db: Path) -> None:
    """Move the finished file into place; a stale WAL of the old file goes first, so nothing replays it."""
    _unlink(_wal(tmp))   # the build checkpointed and closed its file: any WAL left is empty
    stale = _wal(db)
    if stale.exists():
        aside = db.with_name(f"{db.name}.tmp-{os.getpid()}-stale.wal")
        os.replace(stale, aside)
        os.replace(tmp, db)
        _unlink(aside)
    else:
        os.replace(tmp, db)


def _io_error(db: Path, e: BaseException) -> WarehouseError:
    """A disk or permission failure as a message that says what to do."""
    reason = getattr(e, "strerror", None) or str(e).splitlines()[0]
    hint = ("free some disk space" if "space" in reason.lower() or getattr(e, "errno", None) == errno.ENOSPC
            else f"check that {db.parent} exists and is writable")
    return WarehouseError(f"could not write the warehouse next to {db} ({reason}); {hint} and build again. "
                          "The previous warehouse is unchanged.")


def _refuse_empty(db: Path, summary: BuildSummary, old: _OldState, allow_empty: bool) -> None:
    """An empty result must not silently replace a warehouse of notices."""
    if summary.documents or allow_empty or not db.exists():
        return
    had = len(old.fingerprints) or _count_documents(db)
    if had:
        raise WarehouseError(f"no notice could be loaded from the corpus, and {db.name} holds {had} notice(s): "
                             "the warehouse was kept. Check the corpus folder, or pass --allow-empty to "
                             "replace it with an empty warehouse.")


def _count_documents(db: Path) -> int:
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return 0
    try:
        return con.execute("select count(*) from documents").fetchone()[0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While building, SIGTERM (what timeout, CI and process managers send) raises KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    before = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _unlink(*paths: Path) -> None:
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def remove_stale_temporaries(db: Path) -> list[Path]:
    """Delete the temporary copies (``<db>.tmp-<pid>`` and their WAL) that killed builds left behind.

    Called with the build lock held, so no other build can be writing one of them.
    """
    stale = sorted(db.parent.glob(f"{glob.escape(db.name)}.tmp-*"))
    _unlink(*stale)
    return [p for p in stale if not p.name.endswith(".wal")]


def build(corpus: Path = DEFAULT_CORPUS, db: Path = DEFAULT_DB, *, full: bool = False, use_manifest: bool = True,
          workers: int | None = None, progress: bool | None = None, quiet: bool = False,
          refresh_comparisons: bool = False, allow_empty: bool = False,
          after_document: Callable[[int], None] | None = None) -> BuildSummary:
    """Build ``db`` from ``corpus``; returns a summary. Raises WarehouseError for actionable failures.

    A full build (``full=True``, or no usable previous warehouse) writes a new file. Otherwise the
    previous warehouse is copied and patched: unchanged files are not even read (size and times
    match ``corpus_files``), changed and removed documents are deleted, new ones parsed and
    inserted, the vocabulary updated by difference, and per-problem/measure results computed for
    the new documents. The corpus-wide comparisons (clusters, similarity, keyness, boilerplate,
    categories' centroids, search index) are recomputed when ``refresh_comparisons`` is set or
    the changes since they were last computed exceed :data:`REFRESH_FRACTION` of the corpus;
    ``build_info`` records how many document changes they do not yet include. Either way the new
    file replaces the old one only when complete.

    The build never leaves behind a file a later open could apply: it first removes the temporary
    copies and WAL files killed builds left, and moves a stale ``<db>.wal`` (from a process that
    opened the old file read-write and died) out of the way before the swap, so DuckDB never replays
    it onto the new file. SIGTERM stops it like Ctrl-C (the temporary copy is removed); worker
    processes die with it and do not hold the lock. A corpus with no loadable notice does not
    replace a warehouse that has notices unless ``allow_empty``. A full disk or an unwritable
    folder is a :class:`WarehouseError`, and the previous warehouse stays.
    """
    corpus, db = Path(corpus), Path(db)
    t_start = time.perf_counter()
    say = (lambda s: None) if quiet else (lambda s: print(s, file=sys.stderr))
    if not corpus.is_dir():
        raise WarehouseError(f"corpus folder {corpus} does not exist")
    summary = BuildSummary(db=db)
    version = pipeline_version()
    with build_lock(db) as lock_fd, _sigterm_as_interrupt():
        manifest, man_problems = read_manifest(corpus) if use_manifest else ({}, [])
        old = _OldState() if full else _old_state(db, version)
        for p in old.problems:
            say(p)
        patch = bool(old.fingerprints)
        tmp = db.with_name(f"{db.name}.tmp-{os.getpid()}")
        for stale in remove_stale_temporaries(db):
            say(f"removed {stale.name}, left by an interrupted build")
        t0 = time.perf_counter()
        listing = walk_corpus(corpus)   # files to read, and the entries not read (links, pipes...)
        sc = scan_corpus(corpus, listing.files, manifest, old if patch else _OldState(), version, summary)
        sc.issues[:0] = listing.issues
        summary.load_errors += sum(i["severity"] == "error" for i in listing.issues)
        summary.duplicates += sum(i["severity"] == "duplicate" for i in listing.issues)
        if patch:
            try:
                shutil.copyfile(db, tmp)
            except OSError as e:
                _unlink(tmp)
                raise _io_error(db, e) from e
        summary.stage_seconds["scan"] = time.perf_counter() - t0
        try:
            con = connect_for_build(tmp)
        except duckdb.Error as e:
            _unlink(tmp, _wal(tmp))
            raise _io_error(db, e) from e
        try:
            _fill(con, corpus, manifest, man_problems, old, patch, sc, version, summary, say,
                  workers=workers, progress=not (progress is False or quiet), refresh=refresh_comparisons,
                  after_document=after_document, lock_fd=lock_fd)
            _refuse_empty(db, summary, old, allow_empty)
            con.close()
            _swap(tmp, db)
        except BaseException as e:
            with contextlib.suppress(duckdb.Error):
                con.close()
            _unlink(tmp, _wal(tmp))
            if isinstance(e, (OSError, duckdb.IOException)):
                raise _io_error(db, e) from e
            raise
    summary.seconds = time.perf_counter() - t_start
    return summary


def _fill(con: duckdb.DuckDBPyConnection, corpus: Path, manifest: dict, man_problems: list[str], old: _OldState,
          patch: bool, sc: Scan, version: str, summary: BuildSummary, say: Callable[[str], None], *,
          workers: int | None, progress: bool, refresh: bool, after_document: Callable[[int], None] | None,
          lock_fd: int | None = None) -> None:
    """Everything a build writes into its temporary file, in order."""
    if not patch:
        create_tables(con)
    con.execute("create temp table _vocab_delta (token VARCHAR, freq BIGINT, doc_freq BIGINT, unit_freq BIGINT)")
    load_issues: list[dict] = [{"source_file": "manifest.csv", "severity": "warning", "reason": p,
                                "doc_id": None} for p in man_problems] + sc.issues
    for w in sc.issues:
        say(f"{w['source_file']}: {w['reason']}")
    loader = DocumentLoader(con, sc, summary, load_issues, old.fingerprints if patch else {}, say, lock_fd,
                            old.content_keys if patch else {})
    loader.run(corpus, manifest, version, workers=workers, progress=progress, after_document=after_document)
    summary.reused = len(sc.reuse)
    _write_corpus_tables(con, loader, old, patch, sc, load_issues, summary)
    create_views(con)   # the corpus stages read document_groups
    n_docs = con.execute("select count(*) from documents").fetchone()[0]
    pending = _comparisons(con, loader, old, patch, n_docs, refresh, summary, say)
    finish(con)
    pending = _write_build_info(con, corpus, old, patch, version, pending)
    scoped = patch and pending > 0   # comparisons deferred: test what this build added
    failures = schema.check_constraints(con, doc_ids=doc_id_list(loader.added) if scoped else None)
    for f in failures:
        say(f"data test failed: {f}")
    summary.issues = failures
    summary.documents = n_docs
    summary.problems = con.execute("select count(*) from problems").fetchone()[0]
    summary.measures = con.execute("select count(*) from measures").fetchone()[0]
    summary.warnings = con.execute("select count(*) from parse_warnings").fetchone()[0]
    summary.coverage = place_coverage(con)
    con.execute("checkpoint")


def _write_corpus_tables(con: duckdb.DuckDBPyConnection, loader: DocumentLoader, old: _OldState, patch: bool,
                         sc: Scan, load_issues: list[dict], summary: BuildSummary) -> None:
    """Remove documents whose files are gone; write load_issues and corpus_files anew."""
    t0 = time.perf_counter()
    if patch:
        keep = set(sc.reuse) | set(loader.added)
        removed = [i for i in old.fingerprints if i not in keep]
        _drop_documents(con, removed)
        loader.dropped.extend(removed)
        con.execute("delete from load_issues")
        con.execute("delete from corpus_files")
    for w in load_issues:
        w.setdefault("doc_id", None)
    insert_columns(con, "load_issues", {c: [w.get(c) for w in load_issues]
                                        for c in schema.TABLES["load_issues"].column_names})
    insert_columns(con, "corpus_files", sc.files)
    summary.stage_seconds["load"] = summary.stage_seconds.get("load", 0.0) + time.perf_counter() - t0


def _comparisons(con: duckdb.DuckDBPyConnection, loader: DocumentLoader, old: _OldState, patch: bool, n_docs: int,
                 refresh: bool, summary: BuildSummary, say: Callable[[str], None]) -> int:
    """Run the corpus-wide stages, or (a small incremental change) update only what the new documents
    change; returns the document changes the comparisons do not include yet."""
    changed = len(set(loader.added) | set(loader.dropped))
    pending = int(old.info.get("comparisons_pending_changes", 0)) + changed if patch else 0
    if not patch or refresh or pending > REFRESH_FRACTION * n_docs:
        _run_corpus_stages(con, summary, say)
        return 0
    if changed:
        added = loader.added
        _add_vocabulary(con, added)
        _run_stage(con, "vocabulary", lambda: _apply_vocabulary_delta(con), summary, say)
        _run_stage(con, "new documents", lambda: _update_for_new_documents(con, added), summary, say)
        _run_stage(con, "search", lambda: add_search_documents(con, added), summary, say)
        say(f"comparisons kept from the previous build: {pending} document change(s) since they were "
            f"computed (recomputed automatically above {REFRESH_FRACTION:.0%} of the corpus; "
            "`analysis build --refresh-comparisons` recomputes them now)")
    return pending


def _write_build_info(con: duckdb.DuckDBPyConnection, corpus: Path, old: _OldState, patch: bool, version: str,
                      pending: int) -> int:
    """The build_info rows; returns the pending changes (0 when back on the comparisons' corpus)."""
    info = {"pipeline_version": version, "built_at_corpus": str(corpus.name),
            "analysis_version": analysis.__version__, "duckdb_version": duckdb.__version__,
            "corpus_hash": corpus_hash(con), "comparisons_pending_changes": str(pending),
            "build_mode": "incremental" if patch else "full"}
    if pending and old.info.get("comparisons_corpus_hash") == info["corpus_hash"]:
        pending = 0   # back to the documents the comparisons were computed on
        info["comparisons_pending_changes"] = "0"
    if not pending:
        info["comparisons_corpus_hash"] = info["corpus_hash"]
    else:
        info["comparisons_corpus_hash"] = old.info.get("comparisons_corpus_hash", "")
    con.execute("delete from build_info")
    insert_columns(con, "build_info", {"key": list(info), "value": list(info.values())})
    return pending


def corpus_hash(con: duckdb.DuckDBPyConnection) -> str:
    """Hash of the loaded documents' content hashes: identifies the corpus a result came from."""
    rows = con.execute("select sha256 from documents order by sha256").fetchall()
    return hashlib.sha256("".join(r[0] for r in rows).encode()).hexdigest()[:16]
