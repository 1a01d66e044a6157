"""Pass 2 of a build: read and parse the files that changed, in worker processes, and insert their rows.

Workers run :func:`analysis.pipeline.document.read_and_process` (read one file, parse it, return
Arrow tables); the main process only collects results, records load issues and inserts the tables
in batches of :data:`BATCH_DOCS` documents, one transaction per batch.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import duckdb
from tqdm import tqdm

from analysis.pipeline.document import PER_DOC_TABLES, _set_old_fingerprints, read_and_process
from analysis.pipeline.incremental import _drop_documents
from analysis.pipeline.scan import Scan, file_row
from analysis.pipeline.summary import BuildSummary
from analysis.warehouse.db import insert_arrow_tables

BATCH_DOCS = 200
QUEUE_PER_WORKER = 16
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the build process dies (``prctl(PR_SET_PDEATHSIG)``)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):   # not Linux: the pool's own shutdown is all there is
        pass


def init_worker(old_fingerprints: dict[str, str], lock_fd: int | None) -> None:
    """Pool initializer: die with the build, drop the inherited lock descriptor, know the old documents.

    A worker forked by the build inherits the lock file's descriptor; closing it here means only the
    build process holds the lock, so a build killed by SIGKILL or SIGTERM never locks out the next.
    """
    _die_with_parent()
    if lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(lock_fd)
    _set_old_fingerprints(old_fingerprints)


class DocumentLoader:
    """Parses the scan's files and inserts their rows; ``added``/``dropped`` list the documents changed.

    ``old_fingerprints`` are the previous warehouse's documents when patching it (a document parsed
    again replaces its old rows), empty for a full build.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, scan: Scan, summary: BuildSummary,
                 load_issues: list[dict], old_fingerprints: dict[str, str], say: Callable[[str], None],
                 lock_fd: int | None = None, old_content_keys: dict[str, str] | None = None) -> None:
        self.con, self.scan, self.summary, self.load_issues = con, scan, summary, load_issues
        self.old_fingerprints, self.say, self.lock_fd = old_fingerprints, say, lock_fd
        self.old_content_keys = old_content_keys or {}
        self.added: list[str] = []
        self.dropped: list[str] = []
        self._buffers: dict[str, list] = {t: [] for t in PER_DOC_TABLES}
        self._n_buffered = 0

    # ------------------------------------------------------------ inserting
    def flush(self) -> None:
        """Insert the buffered documents' tables in one transaction."""
        t0 = time.perf_counter()
        ids = [i for t in self._buffers["documents"] for i in t.column("doc_id").to_pylist()]
        if self.old_fingerprints:
            replaced = [i for i in ids if i in self.old_fingerprints]
            _drop_documents(self.con, replaced)
            self.dropped.extend(replaced)
        self.con.execute("begin transaction")   # one commit (one WAL sync) per batch, not per table
        for t in PER_DOC_TABLES:
            insert_arrow_tables(self.con, t, self._buffers[t])
            self._buffers[t] = []
        self.con.execute("commit")
        self.added.extend(ids)
        self._n_buffered = 0
        self._add_seconds("load", time.perf_counter() - t0)

    def _add_seconds(self, stage: str, seconds: float) -> None:
        self.summary.stage_seconds[stage] = self.summary.stage_seconds.get(stage, 0.0) + seconds

    def _issue(self, source_file: str, severity: str, reason: str, doc_id: str | None, message: str) -> None:
        self.load_issues.append({"source_file": source_file, "severity": severity, "reason": reason,
                                 "doc_id": doc_id})
        self.say(message)

    # ------------------------------------------------------------ one worker result
    def take(self, doc_id: str, result: dict | str, source_file: str) -> None:
        """Buffer a parsed document's tables (or record why it could not be parsed)."""
        if isinstance(result, str):
            self._issue(source_file, "error", f"could not be parsed: {result}", doc_id,
                        f"{source_file}: could not be parsed: {result}")
            self.summary.load_errors += 1
            return
        for stage, sec in result["_seconds"].items():
            self._add_seconds(stage, sec)
        for t in PER_DOC_TABLES:
            self._buffers[t].append(result[t])
        self._n_buffered += 1
        self.summary.parsed += 1
        if self._n_buffered >= BATCH_DOCS:
            self.flush()

    def handle(self, r: dict) -> None:
        """One worker result: an unreadable file, a duplicate, an unchanged rewrite or a parsed document."""
        rel, sc = r["rel"], self.scan
        if r["kind"] == "error":
            self._issue(rel, "error", r["error"], None, f"{rel}: {r['error']}")
            self.summary.load_errors += 1
            return
        doc_id = r["doc_id"]
        file_row(sc, rel, r["stamp"], r["sha256"], doc_id)
        if doc_id in sc.seen:
            self._issue(rel, "duplicate", f"same content as {sc.seen[doc_id]}; loaded once", doc_id,
                        f"{rel}: duplicate of {sc.seen[doc_id]}, skipped")
            self.summary.duplicates += 1
            return
        sc.seen[doc_id] = rel
        if r["kind"] == "reuse":
            sc.reuse.append(doc_id)   # rewritten with the same content
            if doc_id in self.old_content_keys:
                sc.content.setdefault(self.old_content_keys[doc_id], (rel, doc_id))
            return
        if r["kind"] == "doc" and self._same_text_loaded(r["content_key"], rel, doc_id):
            return
        self.take(doc_id, r["error"] if r["kind"] == "failed" else r["tables"], rel)

    def _same_text_loaded(self, key: str, rel: str, doc_id: str) -> bool:
        """True when a file with the same text (other bytes: encoding, line endings, format) is loaded.

        The first file in path order wins, as in a full build: parsed files arrive in path order,
        and a reused document with a later path gives way to this one.
        """
        sc = self.scan
        first = sc.content.get(key)
        if first is not None and first[0] < rel:
            self._issue(rel, "duplicate", f"same text as {first[0]} (another encoding, line ending or format); "
                        "loaded once", doc_id, f"{rel}: same text as {first[0]}, skipped")
            self.summary.duplicates += 1
            return True
        if first is not None:   # a reused document with a later path: this one replaces it
            later_rel, later_id = first
            sc.reuse.remove(later_id)
            self._issue(later_rel, "duplicate", f"same text as {rel} (another encoding, line ending or format); "
                        "loaded once", later_id, f"{later_rel}: same text as {rel}, skipped")
            self.summary.duplicates += 1
        sc.content[key] = (rel, doc_id)
        return False

    # ------------------------------------------------------------ the loop
    def run(self, corpus: Path, manifest: dict, version: str, *, workers: int | None, progress: bool,
            after_document: Callable[[int], None] | None = None) -> None:
        """Read and parse every file of the scan's ``process`` list (in a pool of ``workers``)."""
        jobs = self.scan.process
        bar = tqdm(total=len(jobs), desc="parsing", unit="file", disable=not progress, file=sys.stderr, leave=False)
        n_workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        _set_old_fingerprints(self.old_fingerprints)
        pool = (ProcessPoolExecutor(max_workers=n_workers, initializer=init_worker,
                                    initargs=(self.old_fingerprints, self.lock_fd))
                if n_workers > 1 and len(jobs) > 1 else None)
        pending: list[Future] = []
        t0 = time.perf_counter()

        def handle(r: dict) -> None:
            bar.update(1)
            self.handle(r)

        finished = False
        try:
            for i, (path, rel) in enumerate(jobs):
                job = (path, corpus, rel, manifest.get(rel) or manifest.get(path.name), version)
                if pool is None:
                    handle(read_and_process(job))
                else:
                    pending.append(pool.submit(read_and_process, job))
                    while len(pending) >= QUEUE_PER_WORKER * n_workers:
                        handle(pending.pop(0).result())
                if after_document is not None:
                    after_document(i)
            for fut in pending:
                handle(fut.result())
            finished = True
        finally:
            if pool is not None:   # interrupted: do not wait for running workers (they die with the build)
                pool.shutdown(wait=finished, cancel_futures=True)
            bar.close()
        self.flush()
        self.summary.stage_seconds["documents"] = time.perf_counter() - t0
