"""Warehouse: corpus/ → warehouse.duckdb, atomically and incrementally.

The new warehouse is written to a temporary file next to the target and moved into place with
``os.replace`` only when complete, so an interrupted or failed build leaves the previous file
untouched, and a reader that holds it open keeps reading the old file. A lock file makes a
second concurrent build refuse with a clear message. Documents whose bytes, manifest row and
pipeline version are unchanged are copied from the previous warehouse instead of re-parsed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analysis import schema
from analysis.ingest import IngestError, RawDoc, list_corpus, read_document, read_manifest
from analysis.normalize import normalize

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT / "corpus"
DEFAULT_DB = REPO_ROOT / "warehouse.duckdb"
PER_DOC_TABLES = ["documents", "sections", "problems", "measures", "parse_warnings", "parse_coverage",
                  "discipline_actions", "stated_figures", "tokens"]
BATCH_DOCS = 200


class WarehouseError(Exception):
    """A warehouse problem a user can act on; the message says what to do."""


class BuildLocked(WarehouseError):
    pass


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
            f"time: {self.seconds:.1f} s",
        ]


# ---------------------------------------------------------------- pipeline version

def pipeline_version() -> str:
    """Hash of the package's code and data: a change forces documents to be re-parsed."""
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parent
    for p in sorted(list(pkg.rglob("*.py")) + list((pkg / "data").glob("*"))):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(pkg).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- per-document processing (pure)

def process_document(raw: RawDoc, manifest_row: dict | None, fingerprint: str) -> dict[str, pd.DataFrame]:
    """All per-document rows for one decoded document; no I/O."""
    from analysis import extract, metadata
    from analysis.parse import parse_notice

    norm = normalize(raw.raw_text)
    text = norm.text
    doc_id = raw.doc_id
    warnings: list[dict] = []
    for w in raw.warnings:
        warnings.append({"stage": "ingest", "kind": "ingest", "message": w, "char_start": None, "char_end": None})
    if norm.dropped:
        kinds = sorted({k for k, _ in norm.dropped})
        warnings.append({"stage": "normalize", "kind": "debris_removed",
                         "message": f"removed {norm.n_dropped_chars} character(s) of conversion debris "
                                    f"({', '.join(kinds)})", "char_start": None, "char_end": None})
    man = {k: v for k, v in (manifest_row or {}).items() if v}
    meta = metadata.extract_metadata(text, man or None)
    for w in meta.get("warnings", []):
        warnings.append({"stage": "metadata", "kind": "metadata", "message": w, "char_start": None,
                         "char_end": None})
    parsed = parse_notice(text)
    for w in parsed.warnings:
        warnings.append({"stage": "parse", **w})
    problems = pd.DataFrame(parsed.problems)
    if problems.empty:
        problems = pd.DataFrame(columns=schema.TABLES["problems"].column_names[1:])
    problems.insert(0, "doc_id", doc_id)
    measures = pd.DataFrame(parsed.measures)
    if measures.empty:
        measures = pd.DataFrame(columns=schema.TABLES["measures"].column_names[1:])
    measures.insert(0, "doc_id", doc_id)
    sections = pd.DataFrame(parsed.sections, columns=schema.TABLES["sections"].column_names[1:])
    sections.insert(0, "doc_id", doc_id)
    tokens = tokenize_document(doc_id, problems, measures, sections)
    disc = extract.extract_discipline(doc_id, text, problems)
    stated = extract.extract_stated_figures(doc_id, text, problems)
    stated_problems = None
    if not stated.empty:
        pr = stated[stated["figure"] == "problems_reported"]
        if not pr.empty and pd.notna(pr["value"].iloc[0]):
            stated_problems = int(pr["value"].iloc[0])
    doc = {k: meta.get(k) for k in schema.TABLES["documents"].column_names if k in meta}
    doc.update({
        "doc_id": doc_id, "source_file": raw.source_file, "sha256": raw.sha256, "format": raw.fmt,
        "encoding": raw.encoding, "problems_stated": stated_problems, "problems_found": len(problems),
        "measures_found": len(measures), "source_url": man.get("source_url"),
        "retrieved_on": man.get("retrieved_on"), "notes": man.get("notes"), "n_chars": len(text),
        "n_dropped_chars": norm.n_dropped_chars, "text": text, "raw_text": raw.raw_text,
        "fingerprint": fingerprint,
    })
    wdf = pd.DataFrame(warnings, columns=["stage", "kind", "message", "char_start", "char_end"])
    wdf.insert(0, "warning_no", range(1, len(wdf) + 1))
    wdf.insert(0, "doc_id", doc_id)
    cov = pd.DataFrame([{"doc_id": doc_id, "rect_chars": parsed.rect_chars, "lead_chars": parsed.lead_chars,
                         "coverage": parsed.coverage}])
    return {
        "documents": pd.DataFrame([doc]),
        "sections": sections,
        "problems": problems,
        "measures": measures,
        "parse_warnings": wdf,
        "parse_coverage": cov,
        "discipline_actions": disc,
        "stated_figures": stated,
        "tokens": tokens,
    }


def unit_texts(doc_id: str, problems: pd.DataFrame, measures: pd.DataFrame, sections: pd.DataFrame) -> pd.DataFrame:
    """The units that are segmented: problems (heading + finding), measures and section headings."""
    rows = []
    for r in problems.itertuples(index=False):
        rows.append((doc_id, "problem", int(r.problem_no), (r.heading or "") + ("。" + r.finding if r.finding else "")))
    for r in measures.itertuples(index=False):
        rows.append((doc_id, "measure", int(r.problem_no) * 1000 + int(r.measure_no), r.text))
    for r in sections.itertuples(index=False):
        if r.heading:
            rows.append((doc_id, "section", int(r.section_id), r.heading))
    return pd.DataFrame(rows, columns=["doc_id", "unit_kind", "unit_no", "text"])


def tokenize_document(doc_id: str, problems: pd.DataFrame, measures: pd.DataFrame,
                      sections: pd.DataFrame) -> pd.DataFrame:
    from analysis.segment import tokenize_units

    units = unit_texts(doc_id, problems, measures, sections)
    return tokenize_units(units, workers=1) if len(units) else None


def _process_job(args: tuple) -> tuple[str, dict[str, pd.DataFrame] | str]:
    raw, man, fp = args
    try:
        return raw.doc_id, process_document(raw, man, fp)
    except Exception as e:  # one bad notice must not stop the corpus
        return raw.doc_id, f"{type(e).__name__}: {e}"


# ---------------------------------------------------------------- database helpers

def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for t in schema.TABLES.values():
        con.execute(schema.ddl(t))
        if t.name == "documents":
            con.execute('alter table documents add column "fingerprint" VARCHAR')
            con.execute("comment on column documents.fingerprint is 'Hash of file bytes, manifest row and "
                        "pipeline version; unchanged documents are reused by incremental builds.'")


def _finish(con: duckdb.DuckDBPyConnection) -> None:
    from analysis import extract

    for name, (desc, sql) in schema.VIEWS.items():
        con.execute(f'create or replace view "{name}" as {sql}')
        con.execute(f"comment on view \"{name}\" is {schema._q(desc)}")
    con.execute(f"create or replace view district_discipline as {extract.DISTRICT_DISCIPLINE_SQL}")
    con.execute("comment on view district_discipline is 'Per document and action the count to report: the "
                "summary total where the notice states one, else the sum of mentions (column basis).'")
    for t in schema.TABLES.values():
        for stmt in schema.comments_sql(t):
            con.execute(stmt)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frames: list[pd.DataFrame]) -> None:
    frames = [f for f in frames if f is not None and not f.empty]
    if not frames:
        return
    with warnings.catch_warnings():
        # all-NULL columns in some batches (e.g. no finding anywhere) are expected; DuckDB casts on insert
        warnings.simplefilter("ignore", FutureWarning)
        df = pd.concat(frames, ignore_index=True)
    cols = schema.TABLES[table].column_names + (["fingerprint"] if table == "documents" else [])
    df = schema.frame_for(table, df) if table != "documents" else df.reindex(columns=cols)
    con.register("_batch", df)
    collist = ", ".join(f'"{c}"' for c in cols)
    con.execute(f'insert into "{table}" ({collist}) select {collist} from _batch')
    con.unregister("_batch")


@contextlib.contextmanager
def build_lock(db: Path) -> Iterator[None]:
    lock_path = db.with_name(db.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise BuildLocked(f"another build of {db.name} is running (lock {lock_path.name} is held); "
                              "wait for it to finish and run the build again") from e
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def connect_readonly(db: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only with a clear message when it is missing or damaged."""
    db = Path(db)
    if not db.exists():
        raise WarehouseError(f"{db} does not exist yet; build it with `analysis build` (or `make build`)")
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error as e:
        raise WarehouseError(f"{db} is not a readable DuckDB warehouse ({str(e).splitlines()[0]}); rebuild it "
                             "with `analysis build --full` (or `make build FULL=1`)") from e


def _old_state(db: Path, version: str) -> tuple[dict[str, str], list[str]]:
    """doc_id → fingerprint in the previous warehouse (empty when absent, unreadable or stale)."""
    if not db.exists():
        return {}, []
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as e:
        return {}, [f"previous {db.name} is unreadable ({str(e).splitlines()[0]}); doing a full rebuild"]
    try:
        have = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        if not set(PER_DOC_TABLES) <= have or "build_info" not in have:
            return {}, []
        row = con.execute("select value from build_info where key = 'pipeline_version'").fetchone()
        if not row or row[0] != version:
            return {}, []
        return dict(con.execute("select doc_id, fingerprint from documents").fetchall()), []
    except duckdb.Error as e:
        return {}, [f"previous {db.name} could not be read ({str(e).splitlines()[0]}); doing a full rebuild"]
    finally:
        con.close()


# ---------------------------------------------------------------- corpus-wide stages

def _corpus_stages() -> list[tuple[str, str]]:
    from analysis.corpus_stages import STAGES

    return STAGES


def _run_corpus_stages(con: duckdb.DuckDBPyConnection, summary: BuildSummary, say: Callable[[str], None]) -> None:
    import importlib

    for name, target in _corpus_stages():
        mod, fn = target.split(":")
        t0 = time.perf_counter()
        getattr(importlib.import_module(mod), fn)(con)
        summary.stage_seconds[name] = summary.stage_seconds.get(name, 0.0) + time.perf_counter() - t0
        say(f"  {name}: {time.perf_counter() - t0:.1f} s")


# ---------------------------------------------------------------- the build

def build(corpus: Path = DEFAULT_CORPUS, db: Path = DEFAULT_DB, *, full: bool = False, use_manifest: bool = True,
          workers: int | None = None, progress: bool | None = None, quiet: bool = False,
          after_document: Callable[[int], None] | None = None) -> BuildSummary:
    """Build ``db`` from ``corpus``; returns a summary. Raises WarehouseError for actionable failures."""
    corpus, db = Path(corpus), Path(db)
    t_start = time.perf_counter()
    say = (lambda s: None) if quiet else (lambda s: print(s, file=sys.stderr))
    if not corpus.is_dir():
        raise WarehouseError(f"corpus folder {corpus} does not exist")
    summary = BuildSummary(db=db)
    version = pipeline_version()
    with build_lock(db):
        manifest, man_problems = read_manifest(corpus) if use_manifest else ({}, [])
        old, old_problems = ({}, []) if full else _old_state(db, version)
        for p in old_problems:
            say(p)
        tmp = db.with_name(f"{db.name}.tmp-{os.getpid()}")
        for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        con = duckdb.connect(str(tmp))
        try:
            _create_tables(con)
            load_issues: list[dict] = [{"source_file": "manifest.csv", "severity": "warning", "reason": p,
                                        "doc_id": None} for p in man_problems]
            reuse_ids: list[str] = []
            seen: dict[str, str] = {}
            files = list_corpus(corpus)
            from tqdm import tqdm

            bar = tqdm(total=len(files), desc="reading", unit="file", disable=progress is False or quiet,
                       file=sys.stderr, leave=False)
            buffers: dict[str, list[pd.DataFrame]] = {t: [] for t in PER_DOC_TABLES}
            n_buffered = 0

            def flush() -> None:
                nonlocal n_buffered
                t0 = time.perf_counter()
                for t in PER_DOC_TABLES:
                    _insert(con, t, buffers[t])
                    buffers[t] = []
                n_buffered = 0
                summary.stage_seconds["load"] = summary.stage_seconds.get("load", 0.0) + time.perf_counter() - t0

            def take(doc_id: str, result: dict[str, pd.DataFrame] | str, source_file: str) -> None:
                nonlocal n_buffered
                if isinstance(result, str):
                    load_issues.append({"source_file": source_file, "severity": "error",
                                        "reason": f"could not be parsed: {result}", "doc_id": doc_id})
                    say(f"{source_file}: could not be parsed: {result}")
                    summary.load_errors += 1
                    return
                for t in PER_DOC_TABLES:
                    buffers[t].append(result[t])
                n_buffered += 1
                summary.parsed += 1
                if n_buffered >= BATCH_DOCS:
                    flush()

            n_workers = workers if workers is not None else min(2, os.cpu_count() or 1)
            pool = ProcessPoolExecutor(max_workers=n_workers) if n_workers > 1 else None
            pending: list = []
            sources: dict[str, str] = {}
            t_read = 0.0
            try:
                for i, path in enumerate(files):
                    t0 = time.perf_counter()
                    rel = path.relative_to(corpus).as_posix()
                    try:
                        raw = read_document(path, corpus)
                    except IngestError as e:
                        load_issues.append({"source_file": rel, "severity": "error", "reason": str(e), "doc_id": None})
                        say(f"{rel}: {e}")
                        summary.load_errors += 1
                        bar.update(1)
                        continue
                    finally:
                        t_read += time.perf_counter() - t0
                    if raw.doc_id in seen:
                        load_issues.append({"source_file": rel, "severity": "duplicate",
                                            "reason": f"same content as {seen[raw.doc_id]}; loaded once",
                                            "doc_id": raw.doc_id})
                        say(f"{rel}: duplicate of {seen[raw.doc_id]}, skipped")
                        summary.duplicates += 1
                        bar.update(1)
                        continue
                    seen[raw.doc_id] = rel
                    man = manifest.get(rel) or manifest.get(path.name)
                    fp = hashlib.sha256((raw.sha256 + json.dumps(man, sort_keys=True, ensure_ascii=False) + rel
                                         + version).encode()).hexdigest()[:16]
                    if old.get(raw.doc_id) == fp:
                        reuse_ids.append(raw.doc_id)
                        bar.update(1)
                        continue
                    sources[raw.doc_id] = rel
                    if pool is None:
                        did, res = _process_job((raw, man, fp))
                        take(did, res, rel)
                    else:
                        pending.append(pool.submit(_process_job, (raw, man, fp)))
                        if len(pending) >= 4 * n_workers:
                            fut = pending.pop(0)
                            did, res = fut.result()
                            take(did, res, sources[did])
                    bar.update(1)
                    if after_document is not None:
                        after_document(i)
                for fut in pending:
                    did, res = fut.result()
                    take(did, res, sources[did])
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
                bar.close()
            flush()
            summary.stage_seconds["ingest"] = t_read
            if reuse_ids:
                t0 = time.perf_counter()
                con.execute(f"attach '{db}' as old (read_only)")
                con.register("_reuse", pd.DataFrame({"doc_id": reuse_ids}))
                for t in PER_DOC_TABLES:
                    con.execute(f'insert into "{t}" select * from old."{t}" where doc_id in (select doc_id from _reuse)')
                con.unregister("_reuse")
                con.execute("detach old")
                summary.reused = len(reuse_ids)
                summary.stage_seconds["reuse"] = time.perf_counter() - t0
            for w in (r for r in load_issues):
                w.setdefault("doc_id", None)
            _insert(con, "load_issues", [pd.DataFrame(load_issues)] if load_issues else [])
            _run_corpus_stages(con, summary, say)
            _finish(con)
            info = {"pipeline_version": version, "built_at_corpus": str(corpus.name),
                    "analysis_version": __import__("analysis").__version__, "duckdb_version": duckdb.__version__,
                    "corpus_hash": corpus_hash(con)}
            con.register("_info", pd.DataFrame({"key": list(info), "value": list(info.values())}))
            con.execute("insert into build_info select * from _info")
            con.unregister("_info")
            failures = schema.check_constraints(con)
            for f in failures:
                say(f"data test failed: {f}")
            summary.issues = failures
            summary.documents = con.execute("select count(*) from documents").fetchone()[0]
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
