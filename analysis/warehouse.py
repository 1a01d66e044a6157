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
import shutil
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
BUILD_MEMORY_LIMIT = "2500MB"
"""DuckDB's memory limit during a build (``$ANALYSIS_DUCKDB_MEMORY`` overrides): DuckDB otherwise
caches up to 80% of RAM, so the build's memory grew with the corpus; beyond the limit it spills to disk."""


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
            f"time: {self.seconds:.1f} s ("
            + ", ".join(f"{k} {v:.1f}" for k, v in self.stage_seconds.items() if v >= 0.05) + ")",
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

def process_document(raw: RawDoc, manifest_row: dict | None, fingerprint: str) -> dict[str, dict[str, list]]:
    """All per-document rows for one decoded document, as table → column → values; no I/O.

    Plain column lists rather than DataFrames: building eight small frames per notice cost more
    than parsing it, and lists pickle cheaply from the worker processes.
    """
    from analysis import extract, metadata
    from analysis.parse import parse_notice

    clock = [time.perf_counter()]
    timing: dict[str, float] = {}

    def lap(stage: str) -> None:
        now = time.perf_counter()
        timing[stage] = timing.get(stage, 0.0) + now - clock[0]
        clock[0] = now

    norm = normalize(raw.raw_text)
    lap("normalize")
    text = norm.text
    doc_id = raw.doc_id
    warnings: list[dict] = []
    for w in raw.warnings:
        warnings.append({"stage": "ingest", "kind": "ingest", "message": w})
    if norm.dropped:
        kinds = sorted({k for k, _ in norm.dropped})
        warnings.append({"stage": "normalize", "kind": "debris_removed",
                         "message": f"removed {norm.n_dropped_chars} character(s) of conversion debris "
                                    f"({', '.join(kinds)})"})
    man = {k: v for k, v in (manifest_row or {}).items() if v}
    lap("normalize")
    meta = metadata.extract_metadata(text, man or None)
    lap("metadata")
    for w in meta.get("warnings", []):
        warnings.append({"stage": "metadata", "kind": "metadata", "message": w})
    parsed = parse_notice(text)
    lap("parse")
    for w in parsed.warnings:
        warnings.append({"stage": "parse", **w})
    spans = [(int(r["char_start"]), int(r["char_end"]), r["problem_no"]) for r in parsed.problems
             if r.get("char_start") is not None and r.get("char_end") is not None]
    sentences = extract._sentences(text)
    disc = extract.discipline_columns(doc_id, text, spans, sentences)
    stated = extract.stated_columns(doc_id, text, spans, sentences)
    lap("extract")
    stated_problems = None
    for key, value in zip(stated["figure"], stated["value"], strict=True):
        if key == "problems_reported":
            stated_problems = int(value) if value is not None else None
            break
    doc = {k: meta.get(k) for k in schema.TABLES["documents"].column_names if k in meta}
    doc.update({
        "doc_id": doc_id, "source_file": raw.source_file, "sha256": raw.sha256, "format": raw.fmt,
        "encoding": raw.encoding, "problems_stated": stated_problems, "problems_found": len(parsed.problems),
        "measures_found": len(parsed.measures), "source_url": man.get("source_url"),
        "retrieved_on": man.get("retrieved_on"), "notes": man.get("notes"), "n_chars": len(text),
        "n_dropped_chars": norm.n_dropped_chars, "text": text, "raw_text": raw.raw_text,
        "fingerprint": fingerprint,
    })
    for i, w in enumerate(warnings, 1):
        w["warning_no"] = i
    tokens = tokenize_document(doc_id, parsed.problems, parsed.measures, parsed.sections)
    lap("tokenize")
    return {
        "documents": _columns("documents", [doc], doc_id),
        "sections": _columns("sections", parsed.sections, doc_id),
        "problems": _columns("problems", parsed.problems, doc_id),
        "measures": _columns("measures", parsed.measures, doc_id),
        "parse_warnings": _columns("parse_warnings", warnings, doc_id),
        "parse_coverage": _columns("parse_coverage", [{"rect_chars": parsed.rect_chars,
                                                       "lead_chars": parsed.lead_chars,
                                                       "coverage": parsed.coverage}], doc_id),
        "discipline_actions": disc,
        "stated_figures": stated,
        "tokens": tokens,
        "_seconds": timing,
    }


def _table_columns(table: str) -> list[str]:
    return schema.TABLES[table].column_names + (["fingerprint"] if table == "documents" else [])


def _columns(table: str, rows: list[dict], doc_id: str) -> dict[str, list]:
    """Rows (dicts) of one document as the table's column lists, doc_id filled in."""
    out: dict[str, list] = {}
    for c in _table_columns(table):
        out[c] = [doc_id] * len(rows) if c == "doc_id" else [r.get(c) for r in rows]
    return out


def unit_texts(problems: list[dict], measures: list[dict], sections: list[dict]) -> list[tuple[str, int, str]]:
    """The units that are segmented: problems (heading + finding), measures and section headings."""
    units = []
    for r in problems:
        units.append(("problem", int(r["problem_no"]),
                      (r.get("heading") or "") + ("。" + r["finding"] if r.get("finding") else "")))
    for r in measures:
        units.append(("measure", int(r["problem_no"]) * 1000 + int(r["measure_no"]), r.get("text") or ""))
    for r in sections:
        if r.get("heading"):
            units.append(("section", int(r["section_id"]), r["heading"]))
    return units


def tokenize_document(doc_id: str, problems: list[dict], measures: list[dict],
                      sections: list[dict]) -> dict[str, list]:
    """Token rows of one document's units as column lists (the tokens table)."""
    from analysis.segment import tokenize_texts

    units = unit_texts(problems, measures, sections)
    counts, toks, tags = tokenize_texts([u[2] for u in units])
    kinds: list[str] = []
    nos: list[int] = []
    positions: list[int] = []
    for (kind, no, _), n in zip(units, counts, strict=True):
        kinds.extend([kind] * n)
        nos.extend([no] * n)
        positions.extend(range(n))
    return {"doc_id": [doc_id] * len(toks), "unit_kind": kinds, "unit_no": nos, "position": positions,
            "token": toks, "pos": tags}


_OLD_FINGERPRINTS: dict[str, str] = {}


def _set_old_fingerprints(fps: dict[str, str]) -> None:
    """Pool initializer: the previous build's fingerprints, so a worker can tell an unchanged rewrite."""
    global _OLD_FINGERPRINTS
    _OLD_FINGERPRINTS = fps


def _read_and_process(job: tuple) -> dict:
    """Run in a worker: read one file and, unless it is unchanged since the last build, process it.

    Reading happens here rather than in the main process so that the main process only collects
    results and inserts them.
    """
    path, corpus, rel, man, version = job
    t0 = time.perf_counter()
    out: dict = {"rel": rel, "stamp": _stamp(path), "kind": "error", "error": None}
    try:
        raw = read_document(path, corpus)
    except IngestError as e:
        out["error"] = str(e)
        return out
    out.update(doc_id=raw.doc_id, sha256=raw.sha256)
    fp = _fingerprint(raw.sha256, man, rel, version)
    if _OLD_FINGERPRINTS.get(raw.doc_id) == fp:
        out["kind"] = "reuse"
        return out
    read_s = time.perf_counter() - t0
    did, res = _process_job((raw, man, fp))
    if isinstance(res, str):
        out.update(kind="failed", error=res)
        return out
    res["_seconds"]["ingest"] = read_s
    out.update(kind="doc", tables=res)
    return out


def _process_job(args: tuple) -> tuple[str, dict | str]:
    """Run in a worker: the document's rows as Arrow tables (cheap to send back and to insert)."""
    raw, man, fp = args
    try:
        res = process_document(raw, man, fp)
        out: dict = {t: _arrow_table(t, res[t]) for t in PER_DOC_TABLES}
        out["_seconds"] = res["_seconds"]
        return raw.doc_id, out
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


def _create_views(con: duckdb.DuckDBPyConnection) -> None:
    for name, (desc, sql) in schema.VIEWS.items():
        con.execute(f'create or replace view "{name}" as {sql}')
        con.execute(f"comment on view \"{name}\" is {schema._q(desc)}")


def _finish(con: duckdb.DuckDBPyConnection) -> None:
    from analysis import extract

    _create_views(con)
    con.execute(f"create or replace view district_discipline as {extract.DISTRICT_DISCIPLINE_SQL}")
    con.execute("comment on view district_discipline is 'Per document and action the count to report: the "
                "summary total where the notice states one, else the sum of mentions (column basis).'")
    for t in schema.TABLES.values():
        for stmt in schema.comments_sql(t):
            con.execute(stmt)


_ARROW_TYPES = {"VARCHAR": "string", "INTEGER": "int32", "BIGINT": "int64", "DOUBLE": "float64", "BOOLEAN": "bool_",
                "DATE": "date32"}


def _arrow_column(values: list, sql_type: str | None = None):
    """An Arrow array of the column's declared type when the values allow, else inferred, else text."""
    import pyarrow as pa

    name = _ARROW_TYPES.get(sql_type or "")
    if name is not None:
        try:
            return pa.array(values, type=getattr(pa, name)())
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            pass
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        # mixed Python types in one column: pass text and let DuckDB cast to the column's type
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _arrow_table(table: str, columns: dict[str, list]):
    """One table's column lists as an Arrow table with exactly the table's columns."""
    import pyarrow as pa

    types = {c.name: c.type for c in schema.TABLES[table].columns}
    cols = _table_columns(table)
    n = len(columns.get(cols[0], []))
    def empty(c: str):
        name = _ARROW_TYPES.get(types.get(c, ""))
        return pa.nulls(n, type=getattr(pa, name)() if name else pa.string())

    return pa.table({c: _arrow_column(columns[c], types.get(c)) if c in columns else empty(c) for c in cols})


def _insert_arrow(con: duckdb.DuckDBPyConnection, table: str, batch) -> None:
    if batch is None or batch.num_rows == 0:
        return
    con.register("_batch", batch)
    collist = ", ".join(f'"{c}"' for c in _table_columns(table))
    con.execute(f'insert into "{table}" ({collist}) select {collist} from _batch')
    con.unregister("_batch")


def _insert_tables(con: duckdb.DuckDBPyConnection, table: str, tables: list) -> None:
    """Insert per-document Arrow tables in one batch (one insert per document if their types differ)."""
    import pyarrow as pa

    tables = [t for t in tables if t.num_rows]
    if not tables:
        return
    try:   # the usual case: every document's table has the declared types, so this is zero-copy
        batch = pa.concat_tables(tables)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        try:
            batch = pa.concat_tables(tables, promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            for t in tables:
                _insert_arrow(con, table, t)
            return
    _insert_arrow(con, table, batch)


def _insert_columns(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list]) -> None:
    """Insert column lists through Arrow (no pandas); DuckDB casts to the declared column types."""
    _insert_arrow(con, table, _arrow_table(table, columns))


def _insert(con: duckdb.DuckDBPyConnection, table: str, frames: list[pd.DataFrame]) -> None:
    frames = [f for f in frames if f is not None and not f.empty]
    if not frames:
        return
    with warnings.catch_warnings():
        # all-NULL columns in some batches (e.g. no finding anywhere) are expected; DuckDB casts on insert
        warnings.simplefilter("ignore", FutureWarning)
        df = pd.concat(frames, ignore_index=True)
    cols = _table_columns(table)
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


@dataclass
class _OldState:
    """What an incremental build needs from the previous warehouse."""

    fingerprints: dict[str, str] = field(default_factory=dict)        # doc_id → fingerprint
    files: dict[str, tuple] = field(default_factory=dict)  # file → size, mtime, ctime, sha, doc_id
    info: dict[str, str] = field(default_factory=dict)                 # build_info
    problems: list[str] = field(default_factory=list)


def _old_state(db: Path, version: str) -> _OldState:
    """The previous warehouse's documents, files and build info (empty when absent, unreadable or stale)."""
    old = _OldState()
    if not db.exists():
        return old
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as e:
        old.problems.append(f"previous {db.name} is unreadable ({str(e).splitlines()[0]}); doing a full rebuild")
        return old
    try:
        have = {r[0] for r in con.execute("select table_name from information_schema.tables "
                                          "where table_schema = 'main'").fetchall()}
        if not set(schema.TABLES) <= have:
            return old
        info = dict(con.execute("select key, value from build_info").fetchall())
        if info.get("pipeline_version") != version:
            return old
        old.info = info
        old.fingerprints = dict(con.execute("select doc_id, fingerprint from documents").fetchall())
        old.files = {r[0]: r[1:] for r in con.execute(
            "select source_file, size_bytes, mtime_ns, ctime_ns, sha256, doc_id from corpus_files "
            "where sha256 is not null and doc_id is not null").fetchall()}
    except duckdb.Error as e:
        old = _OldState(problems=[f"previous {db.name} could not be read ({str(e).splitlines()[0]}); "
                                  "doing a full rebuild"])
    finally:
        con.close()
    return old


# ---------------------------------------------------------------- corpus-wide stages

def _corpus_stages() -> list[tuple[str, str]]:
    from analysis.corpus_stages import STAGES

    return STAGES


def _run_stage(con: duckdb.DuckDBPyConnection, name: str, fn: Callable[[], None], summary: BuildSummary,
               say: Callable[[str], None]) -> None:
    t0 = time.perf_counter()
    fn()
    summary.stage_seconds[name] = summary.stage_seconds.get(name, 0.0) + time.perf_counter() - t0
    say(f"  {name}: {time.perf_counter() - t0:.1f} s")


def _run_corpus_stages(con: duckdb.DuckDBPyConnection, summary: BuildSummary, say: Callable[[str], None]) -> None:
    import importlib

    for name, target in _corpus_stages():
        mod, fn = target.split(":")
        _run_stage(con, name, lambda m=mod, f=fn: getattr(importlib.import_module(m), f)(con), summary, say)


# ---------------------------------------------------------------- incremental maintenance

def _doc_tables() -> list[str]:
    """Every table with a doc_id column: rows of a removed or changed document are deleted from all."""
    return [t.name for t in schema.TABLES.values() if "doc_id" in t.column_names and t.name != "load_issues"]


def _id_list(ids: list[str]) -> str:
    # doc ids are 16 hex digits (checked), so a literal list is safe; DuckDB filters it far faster
    # than a join against a registered frame
    assert all(len(i) == 16 and all(c in "0123456789abcdef" for c in i) for i in ids)
    return ", ".join(f"'{i}'" for i in ids)


_VOCAB_DELTA = """insert into _vocab_delta
select token, {sign} count(*), {sign} count(distinct doc_id), {sign} count(distinct (doc_id, unit_kind, unit_no))
from tokens where doc_id in ({ids}) group by token"""


def _drop_documents(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Remove documents' rows everywhere, first subtracting their tokens from the vocabulary delta."""
    for k in range(0, len(ids), 1000):
        chunk = _id_list(ids[k:k + 1000])
        con.execute(_VOCAB_DELTA.format(sign="-", ids=chunk))
        for t in _doc_tables():
            con.execute(f'delete from "{t}" where doc_id in ({chunk})')


def _add_vocabulary(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    for k in range(0, len(ids), 1000):
        con.execute(_VOCAB_DELTA.format(sign="", ids=_id_list(ids[k:k + 1000])))


def _apply_vocabulary_delta(con: duckdb.DuckDBPyConnection) -> None:
    """vocabulary ± the changed documents' counts: freq, doc_freq and unit_freq add over documents."""
    con.execute("""create or replace temp table _vocab_new as
        select token, sum(freq)::bigint as freq, sum(doc_freq)::bigint as doc_freq, sum(unit_freq)::bigint as unit_freq
        from (select token, freq, doc_freq, unit_freq from vocabulary union all select * from _vocab_delta)
        group by token having sum(freq) > 0""")
    con.execute("delete from vocabulary")
    con.execute("insert into vocabulary (token, freq, doc_freq, unit_freq) "
                "select token, freq, doc_freq, unit_freq from _vocab_new")
    con.execute("drop table _vocab_new")
    con.execute("delete from _vocab_delta")


def add_search_documents(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    from analysis.search import add_documents

    add_documents(con, ids)


def _update_for_new_documents(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Per-problem and per-measure results for added documents, without recomputing the corpus.

    Specificity is a property of each measure alone, so it is exact. Categories use rules 1–2 of
    :mod:`analysis.compare.categories` exactly; rule 3 (nearest centroid) here sees only the new
    documents' labelled problems until the comparisons are next recomputed.
    """
    from analysis.compare.categories import classify_problems
    from analysis.compare.specificity import measure_specificity

    for k in range(0, len(ids), 1000):
        chunk = _id_list(ids[k:k + 1000])
        measures = con.execute(f"select doc_id, problem_no, measure_no, text from measures where doc_id in ({chunk}) "
                               "order by doc_id, problem_no, measure_no").df()
        if len(measures):
            schema.insert_frame(con, "measure_specificity", measure_specificity(measures))
        problems = con.execute(f"select doc_id, problem_no, area, sub_area, heading, finding from problems "
                               f"where doc_id in ({chunk}) order by doc_id, problem_no").df()
        if len(problems):
            toks = con.execute(f"select doc_id, unit_kind, unit_no, position, token, pos from tokens where doc_id in "
                               f"({chunk}) and unit_kind = 'problem' order by doc_id, unit_no, position").df()
            schema.insert_frame(con, "problem_categories", classify_problems(problems, toks))


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


def _fingerprint(sha: str, man: dict | None, rel: str, version: str) -> str:
    return hashlib.sha256((sha + json.dumps(man, sort_keys=True, ensure_ascii=False) + rel + version)
                          .encode()).hexdigest()[:16]


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


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns


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
        con = duckdb.connect(str(tmp), config={"memory_limit": os.environ.get("ANALYSIS_DUCKDB_MEMORY",
                                                                         BUILD_MEMORY_LIMIT)})
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
            from tqdm import tqdm

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
                    "analysis_version": __import__("analysis").__version__, "duckdb_version": duckdb.__version__,
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
