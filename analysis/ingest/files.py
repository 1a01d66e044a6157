"""Ingest: corpus files → decoded raw text (the I/O edge of the pipeline).

- ``.txt``: UTF-8 (with or without BOM), UTF-16 (BOM, or detected from its NUL pattern) and
  GB18030/GBK are decoded strictly. A file whose lines are partly UTF-8 and partly GB18030
  (paragraphs pasted from two sources) is decoded line by line, with a warning giving the counts.
  Only when none of these decodes cleanly is charset-normalizer asked, and the document then
  carries a warning with the detected encoding and its confidence. The chosen encoding is stored
  per document.
- ``.html``/``.htm``: the main text only (scripts, styles, templates, embedded objects, navigation,
  headers/footers and page furniture such as 浏览次数/打印本页/关闭窗口 dropped; a 发布日期 line is
  kept as metadata evidence). Event-handler attributes and comments never reach the text.
- ``.docx``: paragraphs and table cells in document order.

What is not a notice is refused with an :class:`IngestError` whose message names the problem
(it goes to the ``load_issues`` table): empty files, binary files (a NUL byte anywhere outside
UTF-16, or control bytes), undecodable bytes, broken ``.docx`` archives, files or texts beyond
the limits in ``data/ingest_limits.csv`` (size, archive expansion, text length), texts with no
visible characters, and texts that are not Chinese prose (no Chinese character at all, or too
few common ones: random bytes or a wrong encoding). Two repairs are made instead, each with a
warning: line-by-line decoding of mixed UTF-8/GB18030 files, and a text that is one passage
repeated several times (a concatenation error) keeps one copy. Invisible characters are
removed later by :mod:`analysis.ingest.normalize`.

``doc_id`` is the first 16 hex digits of the SHA-256 of the file's bytes: stable across rebuilds
and renames, and identical content under two names collapses to one document (the second file
is reported as a duplicate).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import docx
from bs4 import BeautifulSoup, CData, NavigableString, Tag
from charset_normalizer import from_bytes

from analysis.ingest.normalize import normalize_text
from analysis.vocab import load_table

SUPPORTED = {".txt", ".text", ".html", ".htm", ".docx"}
LIMITS_FILE = "ingest_limits.csv"

FURNITURE_RX = re.compile(r"(浏览次数|点击数|阅读次数|字体[：:]?\s*\[?\s*[大中小\s]*\]?|打印本页|关闭窗口|【打印】|【关闭】|"
                          r"分享到|返回顶部|上一篇|下一篇|扫一扫|当前位置|您现在的位置)")
PUBDATE_RX = re.compile(r"(发布日期|发布时间|时间)\s*[：:]\s*(\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?)")
HANZI_RX = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def limits() -> dict[str, float]:
    """The limits of ``data/ingest_limits.csv`` by name."""
    return {r["name"]: float(r["value"]) for _, r in load_table(LIMITS_FILE).iterrows()}


def _limit(name: str) -> float:
    return limits()[name]


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

UTF16_SAMPLE_BYTES = 65536  # the NUL-pattern heuristics look at this much; the whole file is then decoded


@lru_cache(maxsize=1)
def common_hanzi() -> frozenset[str]:
    """Characters of GB 2312 level 1 (常用字, simplified) and the Big5 frequently-used set (traditional)."""
    out: set[str] = set()
    for enc, leads, trails in (("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)),
                               ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])):
        for hi in leads:
            for lo in trails:
                try:
                    c = bytes((hi, lo)).decode(enc)
                except UnicodeDecodeError:
                    continue
                if HANZI_RX.fullmatch(c):
                    out.add(c)
    return frozenset(out)


def hanzi_profile(text: str) -> tuple[int, float | None]:
    """(number of Chinese characters, share of them that are common characters)."""
    hanzi = HANZI_RX.findall(text)
    if not hanzi:
        return 0, None
    common = common_hanzi()
    return len(hanzi), sum(1 for c in hanzi if c in common) / len(hanzi)


def _plausible_chinese(text: str) -> bool:
    n, share = hanzi_profile(text)
    return n < _limit("common_hanzi_min_count") or share >= _limit("common_hanzi_min_share")


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM, judged on a sample: printable text that is either ASCII-heavy (NULs
    on one side) or common Chinese (a UTF-8 text misread as UTF-16 gives rare characters)."""
    sample = data[:UTF16_SAMPLE_BYTES]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    n = min(len(even), len(odd))
    zeros = max(even[:n].count(0), odd[:n].count(0)) / n
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            s = codecs.getincrementaldecoder(enc)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        if not s:
            continue
        good = sum(1 for c in s if c.isprintable() or c in "\n\r\t")
        cjk = len(HANZI_RX.findall(s))
        if good / len(s) > 0.97 and (zeros > 0.3 or cjk / len(s) > 0.2 and _plausible_chinese(s)):
            return enc
    return None


def _control_share(data: bytes) -> float:
    head = data[:8192]
    if not head:
        return 0.0
    return sum(1 for b in head if b < 9 or 13 < b < 32 and b != 27) / len(head)


def _decode_mixed_lines(data: bytes) -> tuple[str, list[str]] | None:
    """Lines that are each UTF-8 or GB18030, both present: decode line by line.

    A GB18030 line with Chinese characters is practically never valid UTF-8, so a line that
    decodes as UTF-8 and holds non-ASCII characters is taken as UTF-8. Returns None when the
    file is not such a mixture (no UTF-8 line with non-ASCII text, or a line neither decodes).
    """
    out: list[str] = []
    n_utf8 = n_gb = 0
    for line in data.split(b"\n"):
        try:
            s = line.decode("utf-8")
            if not s.isascii():
                n_utf8 += 1
        except UnicodeDecodeError:
            try:
                s = line.decode("gb18030")
            except UnicodeDecodeError:
                return None
            n_gb += 1
        out.append(s)
    if not (n_utf8 and n_gb):
        return None
    return "\n".join(out), [f"mixed encodings: {n_utf8} line(s) UTF-8 and {n_gb} line(s) GB18030; "
                            "decoded line by line"]


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
    nul = data.find(b"\x00")
    if nul >= 0:
        enc16 = _looks_utf16(data)
        if enc16:
            try:
                return data.decode(enc16), enc16, []
            except UnicodeDecodeError as e:
                raise IngestError(f"looks like {enc16.upper()} but undecodable bytes at offset {e.start}") from e
        raise IngestError(f"binary file (NUL byte at offset {nul}), not text")
    if _control_share(data) > 0.05:
        raise IngestError("binary file (control bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as utf8_err:
        mixed = _decode_mixed_lines(data)
        if mixed is not None:
            return mixed[0], "utf-8+gb18030", mixed[1]
        try:
            return data.decode("gb18030"), "gb18030", []
        except UnicodeDecodeError:
            pass

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
# code and embedded content: never text, and removed before the publication date is looked for
_CODE_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "embed", "applet", "svg", "math",
              "canvas"}
_FURNITURE_TAGS = {"nav", "header", "footer", "aside", "form", "button", "select", "textarea"}
_FURNITURE_CLASS_RX = re.compile(r"nav|menu|footer|header|breadcrumb|share|sidebar", re.I)
_MAIN_CANDIDATES = {"article", "div", "td", "section", "main"}


def _main_block(root):
    """The deepest candidate element that still holds 80 % of the page's Chinese characters.

    Character counts and depths of all elements come from one pass over the tree (a count per
    element by ``get_text`` would be quadratic in the nesting depth).
    """

    nodes = [root, *root.descendants]
    depth = {id(root): 0}
    for el in nodes[1:]:
        if isinstance(el, Tag):
            depth[id(el)] = depth[id(el.parent)] + 1
    count: dict[int, int] = {}
    for el in reversed(nodes):  # descendants before their ancestors
        if isinstance(el, Tag):
            count[id(el)] = sum(count.get(id(c), 0) for c in el.contents)
        elif type(el) in (NavigableString, CData):
            count[id(el)] = len(HANZI_RX.findall(el))
    total = count[id(root)]
    best = root
    if total:
        for el in nodes[1:]:  # document order: the first of equally deep candidates wins
            if (isinstance(el, Tag) and el.name in _MAIN_CANDIDATES and count[id(el)] >= 0.8 * total
                    and depth[id(el)] > depth[id(best)]):
                best = el
    return best


def _block_text(el) -> str:
    """Text of ``el`` with a line break for <br> and after each block element (iterative walk)."""

    out: list[str] = []
    stack: list[tuple[object, bool]] = [(c, False) for c in reversed(el.contents)]
    while stack:
        node, closing = stack.pop()
        if closing:
            out.append("\n")
        elif isinstance(node, Tag):
            if node.name == "br":
                out.append("\n")
                continue
            if node.name in _BLOCK_TAGS:
                stack.append((node, True))
            stack.extend((c, False) for c in reversed(node.contents))
        elif type(node) in (NavigableString, CData):
            out.append(str(node))
    return "".join(out)


def html_to_text(html: str) -> tuple[str, list[str]]:
    """Main text of an HTML page, one block per line; warnings name what was dropped."""

    soup = BeautifulSoup(html, "lxml")
    code, furniture = [], []
    for el in soup.descendants:  # one pass instead of a find_all per kind
        if not isinstance(el, Tag):
            continue
        if el.name in _CODE_TAGS:
            code.append(el)
        elif el.name in _FURNITURE_TAGS or _FURNITURE_CLASS_RX.search(" ".join(el.get_attribute_list("class"))):
            furniture.append(el)
    for tag in code:
        if not tag.decomposed:
            tag.decompose()
    pub = PUBDATE_RX.search(soup.get_text(" "))
    for tag in furniture:
        if not tag.decomposed:
            tag.decompose()
    best = _main_block(soup.body or soup)
    lines = []
    dropped = 0
    for line in _block_text(best).split("\n"):
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


def _check_docx_archive(data: bytes) -> None:
    """Refuse a .docx that is not a zip archive or that expands beyond the limit (archive bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise IngestError(f"not a readable .docx ({type(e).__name__}: {e})") from e
    limit = _limit("max_docx_unpacked_bytes")
    if unpacked > limit:
        raise IngestError(f".docx expands to {unpacked / 1e6:.1f} MB > {limit / 1e6:.0f} MB "
                          f"(max_docx_unpacked_bytes in {LIMITS_FILE}); not opened")


def docx_to_text(data: bytes) -> str:
    """Paragraphs and table cells of a .docx in document order."""
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
    limit = _limit("max_text_chars")
    if len(text) > limit:
        raise IngestError(f"text too long: {len(text):,} characters > {limit:,.0f} "
                          f"(max_text_chars in {LIMITS_FILE}); not a single notice")
    if not normalize_text(text).strip():
        raise IngestError("no visible text (only whitespace, control or invisible characters)")
    n, share = hanzi_profile(text)
    if n == 0:
        raise IngestError(f"no Chinese characters in {len(text):,} decoded characters ({enc}); not a notice")
    if n >= _limit("common_hanzi_min_count") and share < _limit("common_hanzi_min_share"):
        raise IngestError(f"not Chinese prose: only {share:.0%} of {n:,} Chinese characters are common ones "
                          f"(< {_limit('common_hanzi_min_share'):.0%}, common_hanzi_min_share in {LIMITS_FILE}); "
                          f"random bytes or a wrong encoding ({enc})")


def _to_text(data: bytes, ext: str) -> tuple[str, str, list[str]]:
    if ext == ".docx":
        _check_docx_archive(data)
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
    """Read one corpus file. Raises IngestError (with the reason) for files that cannot load."""
    rel = path.relative_to(corpus_root).as_posix()
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise IngestError(f"unsupported file type {ext or '(no extension)'!r}; expected one of "
                          f"{', '.join(sorted(SUPPORTED))}")
    limit = _limit("max_file_bytes")
    try:
        size = path.stat().st_size
        if size > limit:
            raise IngestError(f"file too large: {size / 1e6:.1f} MB > {limit / 1e6:.0f} MB "
                              f"(max_file_bytes in {LIMITS_FILE}); notices are far smaller")
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise IngestError("file vanished before it could be read") from e
    except OSError as e:
        raise IngestError(f"cannot read file: {e.strerror or e}") from e
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
