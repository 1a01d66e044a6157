"""Ingest: corpus files → decoded raw text (the I/O edge of the pipeline).

- ``.txt``: UTF-8 (with or without BOM), UTF-16 (BOM, or detected from its NUL pattern) and
  GB18030/GBK are decoded strictly; only when none decodes cleanly is charset-normalizer asked,
  and the document then carries a warning with the detected encoding and its confidence.
  The chosen encoding is stored per document.
- ``.html``/``.htm``: the main text only (scripts, styles, navigation, headers/footers and page
  furniture such as 浏览次数/打印本页/关闭窗口 dropped; a 发布日期 line is kept as metadata evidence).
- ``.docx``: paragraphs and table cells in document order.

``doc_id`` is the first 16 hex digits of the SHA-256 of the file's bytes: stable across rebuilds
and renames, and identical content under two names collapses to one document (the second file
is reported as a duplicate).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = {".txt", ".text", ".html", ".htm", ".docx"}
MAX_BYTES = 200 * 1024 * 1024

FURNITURE_RX = re.compile(r"(浏览次数|点击数|阅读次数|字体[：:]?\s*\[?\s*[大中小\s]*\]?|打印本页|关闭窗口|【打印】|【关闭】|"
                          r"分享到|返回顶部|上一篇|下一篇|扫一扫|当前位置|您现在的位置)")
PUBDATE_RX = re.compile(r"(发布日期|发布时间|时间)\s*[：:]\s*(\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?)")


class IngestError(Exception):
    """A file that cannot become a document; the message names the reason."""


@dataclass
class RawDoc:
    path: Path
    source_file: str  # path relative to the corpus root, POSIX separators
    doc_id: str
    sha256: str
    fmt: str
    encoding: str | None
    raw_text: str
    n_bytes: int
    warnings: list[str] = field(default_factory=list)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def doc_id_for(sha: str) -> str:
    return sha[:16]


# ---------------------------------------------------------------- decoding

def _looks_utf16(data: bytes) -> str | None:
    if len(data) < 4:
        return None
    even = data[0::2]
    odd = data[1::2]
    n = min(len(even), len(odd))
    zeros_even = even[:n].count(0) / n
    zeros_odd = odd[:n].count(0) / n
    # CJK UTF-16 has few NULs, but ASCII-heavy UTF-16 has many on one side; accept either pattern
    # only when the strict decode yields mostly CJK/printable text.
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            s = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if not s:
            continue
        good = sum(1 for c in s if c.isprintable() or c in "\n\r\t")
        cjk = sum(1 for c in s if "\u4e00" <= c <= "\u9fff")
        if good / len(s) > 0.97 and (cjk / len(s) > 0.2 or max(zeros_even, zeros_odd) > 0.3):
            return enc
    return None


def _is_binary(data: bytes) -> bool:
    head = data[:8192]
    if not head:
        return False
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32 and b != 27)
    return head.count(0) > 0 or ctrl / len(head) > 0.05


def decode_bytes(data: bytes) -> tuple[str, str, list[str]]:
    """Decode ``data``; returns (text, encoding name, warnings). Raises IngestError when hopeless."""
    if not data.strip():
        raise IngestError("empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as e:
            raise IngestError(f"UTF-8 BOM but undecodable bytes at offset {e.start + 3}") from e
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as e:
            raise IngestError(f"UTF-16 BOM but undecodable bytes at offset {e.start}") from e
    enc16 = _looks_utf16(data) if b"\x00" in data[:4096] else None
    if enc16:
        return data.decode(enc16), enc16, []
    if _is_binary(data):
        raise IngestError("binary file (NUL or control bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as utf8_err:
        try:
            return data.decode("gb18030"), "gb18030", []
        except UnicodeDecodeError:
            pass
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None or best.encoding is None:
            raise IngestError(f"undecodable bytes (not UTF-8 at offset {utf8_err.start}, not GB18030, "
                              "no encoding detected)") from utf8_err
        text = str(best)
        bad = text.count("\ufffd")
        return text, best.encoding, [f"encoding detected as {best.encoding} (chaos {best.chaos:.2f}); "
                                     f"{bad} replacement characters"]


# ---------------------------------------------------------------- formats

_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
               "table", "td", "th", "blockquote", "pre"}


def html_to_text(html: str) -> tuple[str, list[str]]:
    """Main text of an HTML page, one block per line; warnings name what was dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    pub = PUBDATE_RX.search(soup.get_text(" "))
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
                     "button", "select", "svg"]):
        tag.decompose()
    for tag in soup.find_all(attrs={"class": re.compile(r"nav|menu|footer|header|breadcrumb|share|sidebar",
                                                        re.I)}):
        tag.decompose()
    # the main block: the deepest element that still holds 80 % of the page's Chinese text
    def cjk(el) -> int:
        return sum(1 for c in el.get_text("", strip=True) if "\u4e00" <= c <= "\u9fff")

    root = soup.body or soup
    total = cjk(root)
    best = root
    if total:
        cands = [el for el in root.find_all(["article", "div", "td", "section", "main"]) if cjk(el) >= 0.8 * total]
        if cands:
            best = max(cands, key=lambda el: len(list(el.parents)))
    for br in best.find_all("br"):
        br.replace_with("\n")
    for el in best.find_all(_BLOCK_TAGS):
        el.insert_after("\n")
    lines = []
    dropped = 0
    for line in best.get_text("").split("\n"):
        s = line.strip()
        if not s:
            continue
        if FURNITURE_RX.search(s) and len(s) < 60:
            dropped += 1
            continue
        lines.append(s)
    warnings = [f"html: {dropped} furniture line(s) dropped"] if dropped else []
    if pub:
        lines.insert(0, f"发布日期：{pub.group(2)}")
    return "\n".join(lines), warnings


def docx_to_text(data: bytes) -> str:
    """Paragraphs and table cells of a .docx in document order."""
    import docx

    d = docx.Document(io.BytesIO(data))
    out: list[str] = []
    body = d.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iter():
                        if cell.tag.endswith("}tc"):
                            cells.append("".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t")))
                    out.append("\t".join(cells))
    return "\n".join(out)


def read_document(path: Path, corpus_root: Path) -> RawDoc:
    """Read one corpus file. Raises IngestError (with the reason) for files that cannot load."""
    rel = path.relative_to(corpus_root).as_posix()
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise IngestError(f"unsupported file type {ext or '(no extension)'!r}; expected one of "
                          f"{', '.join(sorted(SUPPORTED))}")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise IngestError(f"file too large ({size / 1e6:.0f} MB > {MAX_BYTES / 1e6:.0f} MB)")
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise IngestError("file vanished before it could be read") from e
    except OSError as e:
        raise IngestError(f"cannot read file: {e.strerror or e}") from e
    sha = sha256_bytes(data)
    warnings: list[str] = []
    if ext == ".docx":
        try:
            text = docx_to_text(data)
        except Exception as e:  # python-docx raises several types for broken archives
            raise IngestError(f"not a readable .docx ({type(e).__name__}: {e})") from e
        enc = "docx"
    else:
        text, enc, warnings = decode_bytes(data)
        if ext in (".html", ".htm"):
            text, w = html_to_text(text)
            warnings += w
    if not text.strip():
        raise IngestError("no text after decoding")
    return RawDoc(path=path, source_file=rel, doc_id=doc_id_for(sha), sha256=sha, fmt=ext.lstrip("."),
                  encoding=enc, raw_text=text, n_bytes=len(data), warnings=warnings)


def list_corpus(corpus_root: Path) -> list[Path]:
    """Every file under the corpus root except the manifest and hidden files, sorted."""
    out = []
    for p in sorted(corpus_root.rglob("*")):
        if not p.is_file() or any(part.startswith(".") for part in p.relative_to(corpus_root).parts):
            continue
        if p.name == "manifest.csv" and p.parent == corpus_root:
            continue
        out.append(p)
    return out


MANIFEST_FIELDS = ["file", "province", "city", "district", "unit", "unit_type", "source_url", "retrieved_on",
                   "notes"]


def read_manifest(corpus_root: Path) -> tuple[dict[str, dict], list[str]]:
    """``corpus/manifest.csv`` keyed by file (relative path); optional. Returns (rows, problems)."""
    path = corpus_root / "manifest.csv"
    if not path.exists():
        return {}, []
    problems = []
    text = path.read_bytes().decode("utf-8-sig")
    rows = {}
    reader = csv.DictReader(io.StringIO(text))
    unknown = set(reader.fieldnames or []) - set(MANIFEST_FIELDS)
    if unknown:
        problems.append(f"manifest.csv: unknown column(s) {', '.join(sorted(unknown))} ignored")
    if "file" not in (reader.fieldnames or []):
        return {}, ["manifest.csv: no 'file' column; manifest ignored"]
    for i, row in enumerate(reader, start=2):
        f = (row.get("file") or "").strip()
        if not f:
            problems.append(f"manifest.csv line {i}: empty 'file'")
            continue
        rows[f] = {k: (row.get(k) or "").strip() for k in MANIFEST_FIELDS}
    return rows, problems


def iter_documents(corpus_root: Path) -> Iterator[tuple[Path, RawDoc | IngestError]]:
    """Stream (path, RawDoc or the IngestError for it) over the corpus."""
    for p in list_corpus(corpus_root):
        try:
            yield p, read_document(p, corpus_root)
        except IngestError as e:
            yield p, e
