"""Pass 1 of a build: stat every corpus file and decide what to reuse and what to read and parse.

A file whose size and times match the previous build's ``corpus_files`` row and whose fingerprint
(bytes, manifest row, pipeline version) is unchanged is reused without being opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis import schema
from analysis.ingest.files import source_name
from analysis.pipeline.document import _fingerprint
from analysis.pipeline.incremental import _OldState
from analysis.pipeline.summary import BuildSummary


@dataclass
class Scan:
    """Pass 1 over the corpus: what to reuse, what to read and parse, what failed."""

    reuse: list[str] = field(default_factory=list)                    # doc ids
    process: list[tuple[Path, str]] = field(default_factory=list)     # (path, relative name)
    files: dict[str, list] = field(default_factory=dict)              # corpus_files columns
    issues: list[dict] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)                # doc_id → first file
    content: dict[str, tuple[str, str]] = field(default_factory=dict)  # content_key → (file, doc_id) loaded


def scan_corpus(corpus: Path, files: list[Path], manifest: dict, old: _OldState, version: str,
          summary: BuildSummary) -> Scan:
    """Stat every file; a file whose size and times match the last build and whose fingerprint is
    unchanged is reused without being read."""
    sc = Scan(files={c: [] for c in schema.TABLES["corpus_files"].column_names})
    for path in files:
        rel = source_name(path, corpus)   # bytes of the name that are not UTF-8 escaped
        try:
            st = path.stat()
        except OSError as e:
            reason = ("file vanished before it could be read" if isinstance(e, FileNotFoundError)
                      else f"cannot read file: {e.strerror or e}")
            sc.issues.append({"source_file": rel, "severity": "error", "doc_id": None, "reason": reason})
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
                file_row(sc, rel, stamp, sha, doc_id)
                continue
            if old.fingerprints.get(doc_id) == _fingerprint(sha, man, rel, version):
                sc.seen[doc_id] = rel
                sc.reuse.append(doc_id)
                if doc_id in old.content_keys:
                    sc.content.setdefault(old.content_keys[doc_id], (rel, doc_id))
                file_row(sc, rel, stamp, sha, doc_id)
                continue
        sc.process.append((path, rel))
    return sc


def file_row(sc: Scan, rel: str, stamp: tuple[int, int, int] | None, sha: str | None, doc_id: str | None) -> None:
    if stamp is None:
        return
    for c, v in zip(("source_file", "size_bytes", "mtime_ns", "ctime_ns", "sha256", "doc_id"),
                    (rel, *stamp, sha, doc_id), strict=True):
        sc.files[c].append(v)

