"""Ingest: corpus files → decoded raw text (the I/O edge of the pipeline).

One file becomes a :class:`RawDoc` through :func:`read_document`:

1. opened safely (:mod:`analysis.ingest.filesystem`: regular files inside the corpus only, under
   ``max_file_bytes``, never a file that changed while read);
2. decoded (:mod:`analysis.ingest.decoding`: UTF-8, UTF-16, GB18030, mixed lines, detection as
   a last resort) or read as a format (:mod:`analysis.ingest.formats`: HTML main text, ``.docx``);
3. checked: a text that is one passage repeated several times (a concatenation error) keeps one
   copy, with a warning; texts beyond ``max_text_chars``, with no visible characters, or not
   Chinese prose (no Chinese character at all, or too few common ones: random bytes or a wrong
   encoding) are refused. Invisible characters are removed later by :mod:`analysis.ingest.normalize`.

Whatever goes wrong, :func:`read_document` raises only :class:`IngestError`, whose message names
the problem (it goes to the ``load_issues`` table). Which files there are is
:func:`analysis.ingest.filesystem.walk_corpus`'s answer; ``corpus/manifest.csv`` is read by
:func:`analysis.ingest.manifest.read_manifest`.

``doc_id`` is the first 16 hex digits of the SHA-256 of the file's bytes: stable across rebuilds
and renames, and identical content under two names collapses to one document (the second file
is reported as a duplicate).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from analysis.ingest.decoding import decode_bytes, hanzi_profile
from analysis.ingest.errors import LIMITS_FILE, IngestError, limit, limits
from analysis.ingest.filesystem import (
    CorpusListing,
    name_warning,
    read_regular_file,
    source_name,
    walk_corpus,
)
from analysis.ingest.formats import check_docx_archive, docx_to_text, html_to_text
from analysis.ingest.manifest import MANIFEST_FIELDS, read_manifest
from analysis.ingest.normalize import normalize_text

__all__ = ["MANIFEST_FIELDS", "SUPPORTED", "CorpusListing", "IngestError", "RawDoc", "collapse_repeats",
           "decode_bytes", "doc_id_for", "hanzi_profile", "html_to_text", "limits",
           "read_document", "read_manifest", "sha256_bytes", "source_name", "walk_corpus"]

SUPPORTED = {".txt", ".text", ".html", ".htm", ".docx"}


@dataclass
class RawDoc:
    """One corpus file read and decoded: the input of the per-document pipeline."""

    path: Path
    source_file: str  # path relative to the corpus root, POSIX separators, bytes that are not UTF-8 escaped
    doc_id: str
    sha256: str
    fmt: str
    encoding: str | None
    raw_text: str
    n_bytes: int
    warnings: list[str] = field(default_factory=list)


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def doc_id_for(sha: str) -> str:
    """A document's id: the first 16 hex digits of its bytes' SHA-256."""
    return sha[:16]


def collapse_repeats(text: str) -> tuple[str, int]:
    """(one copy, k) when the text's non-blank lines are one block repeated k >= 2 times, else (text, 1).

    A notice saved or pasted several times into one file is a concatenation error, not a longer
    notice. Lines are compared stripped, so blank lines or indentation between copies do not
    matter; the copy returned is the text up to where the second copy starts.
    """
    keys: list[str] = []
    starts: list[int] = []
    pos = 0
    for raw in text.split("\n"):
        k = raw.strip()
        if k:
            keys.append(k)
            starts.append(pos)
        pos += len(raw) + 1
    n = len(keys)
    for p in range(1, n // 2 + 1):
        if n % p or keys[p] != keys[0]:
            continue
        if keys[p:] == keys[:-p]:
            return text[:starts[p]], n // p
    return text, 1



def _check_text(text: str, enc: str | None) -> None:
    """Refuse text that is too long, invisible, or not Chinese prose."""
    most = limit("max_text_chars")
    if len(text) > most:
        raise IngestError(f"text too long: {len(text):,} characters > {most:,.0f} "
                          f"(max_text_chars in {LIMITS_FILE}); not a single notice")
    if not normalize_text(text).strip():
        raise IngestError("no visible text (only whitespace, control or invisible characters)")
    n, share = hanzi_profile(text)
    if n == 0:
        raise IngestError(f"no Chinese characters in {len(text):,} decoded characters ({enc}); not a notice")
    if n >= limit("common_hanzi_min_count") and share < limit("common_hanzi_min_share"):
        raise IngestError(f"not Chinese prose: only {share:.0%} of {n:,} Chinese characters are common ones "
                          f"(< {limit('common_hanzi_min_share'):.0%}, common_hanzi_min_share in {LIMITS_FILE}); "
                          f"random bytes or a wrong encoding ({enc})")


def _to_text(data: bytes, ext: str) -> tuple[str, str, list[str]]:
    if ext == ".docx":
        check_docx_archive(data)
        try:
            return docx_to_text(data), "docx", []
        except Exception as e:  # python-docx raises several types for broken archives
            raise IngestError(f"not a readable .docx ({type(e).__name__}: {e})") from e
    text, enc, warnings = decode_bytes(data)
    if ext in (".html", ".htm"):
        try:
            text, w = html_to_text(text)
        except Exception as e:  # the parser should cope with anything, but one page must not stop a build
            raise IngestError(f"not readable HTML ({type(e).__name__}: {e})") from e
        warnings = warnings + w
    return text, enc, warnings


def read_document(path: Path, corpus_root: Path) -> RawDoc:
    """Read one corpus file. Raises IngestError (with the reason), and nothing else, for files that cannot load."""
    try:
        rel = source_name(path, corpus_root)
    except ValueError as e:
        raise IngestError("not inside the corpus folder") from e
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise IngestError(f"unsupported file type {ext or '(no extension)'!r}; expected one of "
                          f"{', '.join(sorted(SUPPORTED))}")
    data = read_regular_file(path, corpus_root, "max_file_bytes", hint="; notices are far smaller")
    if not data:
        raise IngestError("empty file")
    sha = sha256_bytes(data)
    try:
        text, enc, warnings = _to_text(data, ext)
        if not text.strip():
            raise IngestError("no text after decoding")
        text, copies = collapse_repeats(text)
        if copies > 1:
            warnings = warnings + [f"text is one passage repeated {copies} times (a concatenation error); "
                                   "one copy loaded"]
        _check_text(text, enc)
    except IngestError:
        raise
    except Exception as e:  # a file must never stop the build: anything unexpected is this file's issue
        raise IngestError(f"could not be read ({type(e).__name__}: {e})") from e
    bad_name = name_warning(path, corpus_root)
    return RawDoc(path=path, source_file=rel, doc_id=doc_id_for(sha), sha256=sha, fmt=ext.lstrip("."),
                  encoding=enc, raw_text=text, n_bytes=len(data), warnings=warnings + ([bad_name] if bad_name else []))
