"""Warehouse: corpus/ → warehouse.duckdb, atomically and incrementally.

The new warehouse is written to a temporary file next to the target and moved into place with
``os.replace`` only when complete, so an interrupted or failed build leaves the previous file
untouched, and a reader that holds it open keeps reading the old file. A lock file makes a
second concurrent build refuse with a clear message. Documents whose bytes, manifest row and
pipeline version are unchanged are copied from the previous warehouse instead of re-parsed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from tqdm import tqdm

import analysis
from analysis import schema
from analysis.build.document import (
    PER_DOC_TABLES,
    _fingerprint,
    _read_and_process,
    _set_old_fingerprints,
    pipeline_version,
)
from analysis.build.incremental import (
    _add_vocabulary,
    _apply_vocabulary_delta,
    _drop_documents,
    _id_list,
    _old_state,
    _OldState,
    _update_for_new_documents,
    add_search_documents,
)
from analysis.build.stages import STAGES
from analysis.ingest.files import list_corpus, read_manifest
from analysis.paths import DEFAULT_CORPUS, DEFAULT_DB, build_memory_limit
from analysis.warehouse.db import (
    WarehouseError,
    _create_tables,
    _create_views,
    _finish,
    _insert_columns,
    _insert_tables,
    build_lock,
)

BATCH_DOCS = 200


@dataclass
class BuildSummary:
    db: Path
    documents: int = 0
    parsed: int = 0
    reused: int = 0
    problems: int = 0
    measures: int = 0
    warnings: int = 0
    load_errors: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"warehouse: {self.db}",
            f"documents: {self.documents} ({self.parsed} parsed, {self.reused} unchanged and reused)",
            f"problems: {self.problems}   measures: {self.measures}   parse warnings: {self.warnings}",
            f"files not loaded: {self.load_errors}   duplicates skipped: {self.duplicates}",
            f"time: {self.seconds:.1f} s ("
            + ", ".join(f"{k} {v:.1f}" for k, v in self.stage_seconds.items() if v >= 0.05) + ")",
        ]


# ---------------------------------------------------------------- pipeline version


# ---------------------------------------------------------------- per-document processing (pure)


# ---------------------------------------------------------------- database helpers


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


@dataclass
class _Scan:
    """Pass 1 over the corpus: what to reuse, what to read and parse, what failed."""

    reuse: list[str] = field(default_factory=list)                    # doc ids
    process: list[tuple[Path, str]] = field(default_factory=list)     # (path, relative name)
    files: dict[str, list] = field(default_factory=dict)              # corpus_files columns
    issues: list[dict] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)                # doc_id → first file


def _scan(corpus: Path, files: list[Path], manifest: dict, old: _OldState, version: str,
          summary: BuildSummary, say: Callable[[str], None]) -> _Scan:
    """Stat every file; a file whose size and times match the last build and whose fingerprint is
    unchanged is reused without being read."""
    sc = _Scan(files={c: [] for c in schema.TABLES["corpus_files"].column_names})
    for path in files:
        rel = path.relative_to(corpus).as_posix()
        try:
            st = path.stat()
        except OSError:
            sc.issues.append({"source_file": rel, "severity": "error", "doc_id": None,
                              "reason": "file vanished before it could be read"})
            summary.load_errors += 1
            continue
        cached = old.files.get(rel)
        stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if cached and cached[:3] == stamp:
            sha, doc_id = cached[3], cached[4]
            man = manifest.get(rel) or manifest.get(path.name)
            if doc_id in sc.seen:
                sc.issues.append({"source_file": rel, "severity": "duplicate", "doc_id": doc_id,
                                  "reason": f"same content as {sc.seen[doc_id]}; loaded once"})
                summary.duplicates += 1
                _file_row(sc, rel, stamp, sha, doc_id)
                continue
            if old.fingerprints.get(doc_id) == _fingerprint(sha, man, rel, version):
                sc.seen[doc_id] = rel
                sc.reuse.append(doc_id)
                _file_row(sc, rel, stamp, sha, doc_id)
                continue
        sc.process.append((path, rel))
    return sc


def _file_row(sc: _Scan, rel: str, stamp: tuple[int, int, int] | None, sha: str | None, doc_id: str | None) -> None:
    if stamp is None:
        return
    for c, v in zip(("source_file", "size_bytes", "mtime_ns", "ctime_ns", "sha256", "doc_id"),
                    (rel, *stamp, sha, doc_id), strict=True):
        sc.files[c].append(v)


def build(corpus: Path = DEFAULT_CORPUS, db: Path = DEFAULT_DB, *, full: bool = False, use_manifest: bool = True,
          workers: int | None = None, progress: bool | None = None, quiet: bool = False,
          refresh_comparisons: bool = False,
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
    """
    corpus, db = Path(corpus), Path(db)
    t_start = time.perf_counter()
    say = (lambda s: None) if quiet else (lambda s: print(s, file=sys.stderr))
    if not corpus.is_dir():
        raise WarehouseError(f"corpus folder {corpus} does not exist")
    summary = BuildSummary(db=db)
    version = pipeline_version()
    with build_lock(db):
        manifest, man_problems = read_manifest(corpus) if use_manifest else ({}, [])
        old = _OldState() if full else _old_state(db, version)
        for p in old.problems:
            say(p)
        patch = bool(old.fingerprints)
        tmp = db.with_name(f"{db.name}.tmp-{os.getpid()}")
        for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        t0 = time.perf_counter()
        files = list_corpus(corpus)
        sc = _scan(corpus, files, manifest, old if patch else _OldState(), version, summary, say)
        if patch:
            shutil.copyfile(db, tmp)
        summary.stage_seconds["scan"] = time.perf_counter() - t0
        con = duckdb.connect(str(tmp), config={"memory_limit": build_memory_limit()})
        try:
            if not patch:
                _create_tables(con)
            con.execute("create temp table _vocab_delta (token VARCHAR, freq BIGINT, doc_freq BIGINT, "
                        "unit_freq BIGINT)")
            load_issues: list[dict] = [{"source_file": "manifest.csv", "severity": "warning", "reason": p,
                                        "doc_id": None} for p in man_problems] + sc.issues
            for w in sc.issues:
                say(f"{w['source_file']}: {w['reason']}")
            added: list[str] = []
            dropped: list[str] = []
            bar = tqdm(total=len(sc.process), desc="parsing", unit="file", disable=progress is False or quiet,
                       file=sys.stderr, leave=False)
            buffers: dict[str, list] = {t: [] for t in PER_DOC_TABLES}
            n_buffered = 0

            def flush() -> None:
                nonlocal n_buffered
                t0 = time.perf_counter()
                ids = [i for t in buffers["documents"] for i in t.column("doc_id").to_pylist()]
                if patch:
                    replaced = [i for i in ids if i in old.fingerprints]
                    _drop_documents(con, replaced)
                    dropped.extend(replaced)
                con.execute("begin transaction")   # one commit (one WAL sync) per batch, not per table
                for t in PER_DOC_TABLES:
                    _insert_tables(con, t, buffers[t])
                    buffers[t] = []
                con.execute("commit")
                added.extend(ids)
                n_buffered = 0
                summary.stage_seconds["load"] = summary.stage_seconds.get("load", 0.0) + time.perf_counter() - t0

            def take(doc_id: str, result: dict | str, source_file: str) -> None:
                nonlocal n_buffered
                if isinstance(result, str):
                    load_issues.append({"source_file": source_file, "severity": "error",
                                        "reason": f"could not be parsed: {result}", "doc_id": doc_id})
                    say(f"{source_file}: could not be parsed: {result}")
                    summary.load_errors += 1
                    return
                for stage, sec in result["_seconds"].items():
                    summary.stage_seconds[stage] = summary.stage_seconds.get(stage, 0.0) + sec
                for t in PER_DOC_TABLES:
                    buffers[t].append(result[t])
                n_buffered += 1
                summary.parsed += 1
                if n_buffered >= BATCH_DOCS:
                    flush()

            n_workers = workers if workers is not None else min(2, os.cpu_count() or 1)
            reuse_fps = old.fingerprints if patch else {}
            _set_old_fingerprints(reuse_fps)
            pool = (ProcessPoolExecutor(max_workers=n_workers, initializer=_set_old_fingerprints, initargs=(reuse_fps,))
                    if n_workers > 1 and len(sc.process) > 1 else None)
            pending: list = []
            t_docs = time.perf_counter()
            try:
                def handle(r: dict) -> None:
                    rel = r["rel"]
                    bar.update(1)
                    if r["kind"] == "error":
                        load_issues.append({"source_file": rel, "severity": "error", "reason": r["error"],
                                            "doc_id": None})
                        say(f"{rel}: {r['error']}")
                        summary.load_errors += 1
                        return
                    doc_id = r["doc_id"]
                    _file_row(sc, rel, r["stamp"], r["sha256"], doc_id)
                    if doc_id in sc.seen:
                        load_issues.append({"source_file": rel, "severity": "duplicate",
                                            "reason": f"same content as {sc.seen[doc_id]}; loaded once",
                                            "doc_id": doc_id})
                        say(f"{rel}: duplicate of {sc.seen[doc_id]}, skipped")
                        summary.duplicates += 1
                        return
                    sc.seen[doc_id] = rel
                    if r["kind"] == "reuse":
                        sc.reuse.append(doc_id)   # rewritten with the same content
                        return
                    take(doc_id, r["error"] if r["kind"] == "failed" else r["tables"], rel)

                for i, (path, rel) in enumerate(sc.process):
                    man = manifest.get(rel) or manifest.get(path.name)
                    job = (path, corpus, rel, man, version)
                    if pool is None:
                        handle(_read_and_process(job))
                    else:
                        pending.append(pool.submit(_read_and_process, job))
                        while len(pending) >= 16 * n_workers:
                            handle(pending.pop(0).result())
                    if after_document is not None:
                        after_document(i)
                for fut in pending:
                    handle(fut.result())
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
                bar.close()
            flush()
            summary.stage_seconds["documents"] = time.perf_counter() - t_docs
            summary.reused = len(sc.reuse)
            t0 = time.perf_counter()
            if patch:
                keep = set(sc.reuse) | set(added)
                removed = [i for i in old.fingerprints if i not in keep]
                _drop_documents(con, removed)
                dropped.extend(removed)
                con.execute("delete from load_issues")
                con.execute("delete from corpus_files")
            for w in load_issues:
                w.setdefault("doc_id", None)
            _insert_columns(con, "load_issues", {c: [w.get(c) for w in load_issues]
                                                 for c in schema.TABLES["load_issues"].column_names})
            _insert_columns(con, "corpus_files", sc.files)
            summary.stage_seconds["load"] = summary.stage_seconds.get("load", 0.0) + time.perf_counter() - t0
            _create_views(con)   # the corpus stages read document_groups
            n_docs = con.execute("select count(*) from documents").fetchone()[0]
            changed = len(set(added) | set(dropped))
            pending_changes = int(old.info.get("comparisons_pending_changes", 0)) + changed if patch else 0
            if not patch or refresh_comparisons or pending_changes > REFRESH_FRACTION * n_docs:
                _run_corpus_stages(con, summary, say)
                pending_changes = 0
            elif changed:
                _add_vocabulary(con, added)
                _run_stage(con, "vocabulary", lambda: _apply_vocabulary_delta(con), summary, say)
                _run_stage(con, "new documents", lambda: _update_for_new_documents(con, added), summary, say)
                _run_stage(con, "search", lambda: add_search_documents(con, added), summary, say)
                say(f"comparisons kept from the previous build: {pending_changes} document change(s) since they were "
                    f"computed (recomputed automatically above {REFRESH_FRACTION:.0%} of the corpus; "
                    "`analysis build --refresh-comparisons` recomputes them now)")
            _finish(con)
            info = {"pipeline_version": version, "built_at_corpus": str(corpus.name),
                    "analysis_version": analysis.__version__, "duckdb_version": duckdb.__version__,
                    "corpus_hash": corpus_hash(con), "comparisons_pending_changes": str(pending_changes),
                    "build_mode": "incremental" if patch else "full"}
            if pending_changes and old.info.get("comparisons_corpus_hash") == info["corpus_hash"]:
                pending_changes = 0   # back to the documents the comparisons were computed on
                info["comparisons_pending_changes"] = "0"
            if not pending_changes:
                info["comparisons_corpus_hash"] = info["corpus_hash"]
            else:
                info["comparisons_corpus_hash"] = old.info.get("comparisons_corpus_hash", "")
            con.execute("delete from build_info")
            _insert_columns(con, "build_info", {"key": list(info), "value": list(info.values())})
            scoped = patch and pending_changes > 0   # comparisons deferred: test what this build added
            failures = schema.check_constraints(con, doc_ids=_id_list(added) if scoped else None)
            for f in failures:
                say(f"data test failed: {f}")
            summary.issues = failures
            summary.documents = n_docs
            summary.problems = con.execute("select count(*) from problems").fetchone()[0]
            summary.measures = con.execute("select count(*) from measures").fetchone()[0]
            summary.warnings = con.execute("select count(*) from parse_warnings").fetchone()[0]
            con.execute("checkpoint")
        except BaseException:
            con.close()
            for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    stale.unlink()
            raise
        con.close()
        os.replace(tmp, db)
    summary.seconds = time.perf_counter() - t_start
    return summary


def corpus_hash(con: duckdb.DuckDBPyConnection) -> str:
    """Hash of the loaded documents' content hashes: identifies the corpus a result came from."""
    rows = con.execute("select sha256 from documents order by sha256").fetchall()
    return hashlib.sha256("".join(r[0] for r in rows).encode()).hexdigest()[:16]
