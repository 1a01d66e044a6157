"""The per-document pipeline: one corpus file → every per-document table's rows (run in workers).

:func:`process_document` is pure (decoded text in, column lists out); :func:`read_and_process` is
what a worker runs: read one file and, unless unchanged since the last build, process it.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from analysis import schema
from analysis.genre.sentences import sentence_spans
from analysis.ingest.files import IngestError, RawDoc, read_document
from analysis.ingest.normalize import normalize
from analysis.notice import metadata
from analysis.notice.discipline import discipline_columns, discipline_warnings
from analysis.notice.parse import parse_notice
from analysis.notice.stated_figures import stated_columns
from analysis.paths import PACKAGE_DIR
from analysis.tokens.units import tokenize_named
from analysis.warehouse.db import arrow_table

PER_DOC_TABLES = ["documents", "sections", "problems", "measures", "parse_warnings", "parse_coverage",
                  "discipline_actions", "stated_figures", "tokens"]


def pipeline_version() -> str:
    """Hash of the package's code and data: a change forces documents to be re-parsed."""
    h = hashlib.sha256()
    pkg = PACKAGE_DIR
    for p in sorted(list(pkg.rglob("*.py")) + list((pkg / "data").glob("*"))):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(pkg).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def process_document(raw: RawDoc, manifest_row: dict | None, fingerprint: str) -> dict[str, dict[str, list]]:
    """All per-document rows for one decoded document, as table → column → values; no I/O.

    Plain column lists rather than DataFrames: building eight small frames per notice cost more
    than parsing it, and lists pickle cheaply from the worker processes.
    """

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
    sentences = sentence_spans(text)
    disc = discipline_columns(doc_id, text, spans, sentences)
    warnings.extend(discipline_warnings(disc))
    stated = stated_columns(doc_id, text, spans, sentences)
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
        "fingerprint": fingerprint, "content_key": content_key(text),
    })
    for i, w in enumerate(warnings, 1):
        w["warning_no"] = i
    tokens = tokenize_document(doc_id, parsed.problems, parsed.measures, parsed.sections,
                               [doc.get(k) for k in ("unit", "district", "city")])
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


def content_key(text: str) -> str:
    """Hash of a notice's normalised text without whitespace (see ``documents.content_key``)."""
    return hashlib.sha256("".join(text.split()).encode()).hexdigest()[:16]


def _columns(table: str, rows: list[dict], doc_id: str) -> dict[str, list]:
    """Rows (dicts) of one document as the table's column lists, doc_id filled in.

    A key the table does not declare, or a missing key of a NOT NULL column, is an error (a typo
    would otherwise drop a value silently); an absent nullable key is NULL.
    """
    t = schema.TABLES[table]
    declared = set(t.column_names)
    required = {c.name for c in t.columns if c.not_null} - {"doc_id"}
    for r in rows:
        if not declared.issuperset(r) or not required.issubset(r):
            unknown = sorted(set(r) - declared)
            missing = sorted(required - set(r))
            raise schema.SchemaError(f"row for table {table}: unknown key(s) {unknown}, missing key(s) {missing}")
    out: dict[str, list] = {}
    for c in t.column_names:
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
                      sections: list[dict], meta_names: list[str | None] | None = None) -> dict[str, list]:
    """Token rows of one document's units as column lists (the tokens table), names kept whole by the
    document's name lexicon (gazetteer + the names it states + ``meta_names``; :mod:`analysis.tokens.names`)."""

    units = unit_texts(problems, measures, sections)
    counts, toks, tags, token_kinds, named, _ = tokenize_named([u[2] for u in units],
                                                               [n for n in meta_names or () if n])
    kinds: list[str] = []
    nos: list[int] = []
    positions: list[int] = []
    for (kind, no, _), n in zip(units, counts, strict=True):
        kinds.extend([kind] * n)
        nos.extend([no] * n)
        positions.extend(range(n))
    return {"doc_id": [doc_id] * len(toks), "unit_kind": kinds, "unit_no": nos, "position": positions,
            "token": toks, "pos": tags, "kind": token_kinds, "named": named}


_OLD_FINGERPRINTS: dict[str, str] = {}


def _set_old_fingerprints(fps: dict[str, str]) -> None:
    """Pool initializer: the previous build's fingerprints, so a worker can tell an unchanged rewrite."""
    global _OLD_FINGERPRINTS
    _OLD_FINGERPRINTS = fps


def read_and_process(job: tuple) -> dict:
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
    out.update(kind="doc", tables=res, content_key=res["documents"].column("content_key")[0].as_py())
    return out


def _process_job(args: tuple) -> tuple[str, dict | str]:
    """Run in a worker: the document's rows as Arrow tables (cheap to send back and to insert)."""
    raw, man, fp = args
    try:
        res = process_document(raw, man, fp)
        out: dict = {t: arrow_table(t, res[t]) for t in PER_DOC_TABLES}
        out["_seconds"] = res["_seconds"]
        return raw.doc_id, out
    except Exception as e:  # one bad notice must not stop the corpus
        return raw.doc_id, f"{type(e).__name__}: {e}"


def _fingerprint(sha: str, man: dict | None, rel: str, version: str) -> str:
    return hashlib.sha256((sha + json.dumps(man, sort_keys=True, ensure_ascii=False) + rel + version)
                          .encode()).hexdigest()[:16]


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns

