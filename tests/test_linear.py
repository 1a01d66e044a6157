"""Every stage is linear in the notice's length, up to the longest notice ingest accepts.

Each crafted notice (invented text) is a worst case for one kind of rule: one huge line, runs of
digits or numerals, a sentence of a million characters full of count phrases, thousands of
headings, unmatched 《 and “, nested debris… It is processed at a quarter of the limit and at the
limit (``max_text_chars`` in ``data/ingest_limits.csv``). Linear work takes about 4 times as long
at 4 times the length; a quadratic path takes 16 times as long, so the bound below (8) fails it,
and a path that was quadratic before this test took 15 s at 62,500 characters and 274 s at
250,000. The absolute bound catches a path slow from the first character.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from analysis.ingest.errors import limit
from analysis.ingest.files import RawDoc
from analysis.pipeline.document import process_document
from analysis.pipeline.orchestrate import build

MAX_CHARS = int(limit("max_text_chars"))
QUARTER = MAX_CHARS // 4
MAX_RATIO = 8.0  # linear: about 4; quadratic: 16
MAX_SECONDS_AT_LIMIT = 120.0

HEAD = ("关于某某区巡察整改进展情况的通报\n根据区委统一部署，2023年3月至5月，区委第一巡察组对某某街道党工委"
        "开展了常规巡察。\n一、整改工作的组织领导\n")


def _fill(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _halves(a: str, b: str):
    return lambda n: _fill(a, n // 2) + _fill(b, n - n // 2)


def _repeat(unit: str):
    return lambda n: _fill(unit, n)


def _headings(n: int) -> str:
    out, i, size = [], 1, 0
    while size < n:
        out.append(f"{i}.问题{i}\n整改措施：落实。\n")
        size += len(out[-1])
        i += 1
    return "".join(out)[:n]


# kind -> body of n characters (after HEAD); each is a worst case for some rule
CRAFTED = {
    "one_huge_line": _repeat("落实整改责任加强组织领导推进工作"),
    "many_enumeration_commas": _halves("整改、", "落实，"),
    "many_markers": _repeat("（一）问题：学习不够。整改措施：加强学习。\n1.建立制度。\n"),
    "unmatched_titles_quotes": _halves("《关于", "“开展"),
    "one_sentence_of_counts": lambda n: _fill("给予党纪处分3人、政务处分2人、诫勉谈话4人、批评教育5人、立案6件、"
                                              "挽回损失7万元，", n - 1) + "。",
    "digit_run": _repeat("1234567890"),
    "chinese_numeral_run": _repeat("一二三四五六七八九十"),
    "many_measures": lambda n: "（一）学习贯彻不到位\n" + _fill("整改措施：一是加强学习；二是完善制度；三是建立台账。\n", n - 11),
    "many_deadlines": _repeat("2023年5月前完成；"),
    "many_names": _repeat("对张三、李四、王五进行批评教育，"),
    "many_comrades": _repeat("张三同志、"),
    "placeholders": _repeat("XX"),
    "latin_and_dots": _repeat("abc.def-"),
    "spaces_and_tabs": _repeat("整改 \t "),
    "unmatched_brackets": _halves("（一", "(二"),
    "nested_bookmarks": _halves("[bookmar", "k: x]"),
    "many_headings": _headings,
    "cut_breakdowns": _repeat("政务处分29人(政务警告22"),
    "one_char_lines": _repeat("一\n"),
    "year_runs": _repeat("2023年"),
    "ranges_and_feedback": _repeat("2023年3月至5月巡察反馈"),
}


def crafted(kind: str, n_chars: int) -> str:
    """A notice of exactly ``n_chars`` characters: a plain opening, then the crafted body."""
    text = HEAD + CRAFTED[kind](n_chars - len(HEAD))
    assert len(text) == n_chars
    return text


def _raw(text: str) -> RawDoc:
    return RawDoc(path=Path("x.txt"), source_file="x.txt", doc_id="0" * 16, sha256="0" * 64, fmt="txt",
                  encoding="utf-8", raw_text=text, n_bytes=len(text.encode()))


def _seconds(text: str, repeat: int = 1) -> tuple[float, dict]:
    best, out = float("inf"), {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = process_document(_raw(text), None, "fp")
        best = min(best, time.perf_counter() - t0)
    return best, out


@pytest.fixture(scope="module", autouse=True)
def _warm():
    process_document(_raw(crafted("many_markers", 5000)), None, "fp")  # segmenter and rules loaded once


@pytest.mark.parametrize("kind", sorted(CRAFTED))
def test_per_document_stages_are_linear(kind):
    small, _ = _seconds(crafted(kind, QUARTER), repeat=2)
    big, out = _seconds(crafted(kind, MAX_CHARS))
    assert out["documents"]["n_chars"][0] <= MAX_CHARS
    stages = {k: round(v, 2) for k, v in out["_seconds"].items()}
    assert big < MAX_SECONDS_AT_LIMIT, f"{kind}: {big:.1f} s at {MAX_CHARS:,} characters ({stages})"
    assert big / max(small, 0.05) < MAX_RATIO, (
        f"{kind}: {small:.2f} s at {QUARTER:,} characters, {big:.2f} s at {MAX_CHARS:,} ({stages})")


def _docx_bytes(paragraphs: list[str]) -> bytes:
    """A .docx of these paragraphs, its body written at once (python-docx adds paragraphs one by
    one in quadratic time, too slow for 70,000 of them)."""
    import docx

    d = docx.Document()
    d.add_paragraph("BODY")
    buf = io.BytesIO()
    d.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    xml = members["word/document.xml"].decode()
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    members["word/document.xml"] = re.sub(r"<w:p>(?:(?!<w:p>).)*?BODY.*?</w:p>", lambda _: body, xml,
                                          count=1, flags=re.S).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _write_corpus(folder: Path, n_chars: int) -> Path:
    """One crafted notice as .txt, .html and .docx (different words, so none is a duplicate)."""
    folder.mkdir()
    text = crafted("many_markers", n_chars)
    (folder / "a.txt").write_text(text, encoding="utf-8")
    paras = text.replace("学习", "教育").split("\n")
    (folder / "b.html").write_text("<html><body>" + "".join(f"<p>{p}</p>" for p in paras) + "</body></html>",
                                   encoding="utf-8")
    (folder / "c.docx").write_bytes(_docx_bytes(text.replace("学习", "调研").split("\n")))
    return folder


def test_whole_build_is_linear(tmp_path):
    # reading every format, the corpus-wide stages and the load, on notices at the limit
    seconds = {}
    for n in (QUARTER, MAX_CHARS):
        corpus = _write_corpus(tmp_path / f"c{n}", n)
        t0 = time.perf_counter()
        summary = build(corpus, tmp_path / f"w{n}.duckdb", full=True, workers=1, quiet=True)
        seconds[n] = time.perf_counter() - t0
        assert summary.documents == 3 and summary.load_errors == 0 and summary.duplicates == 0, summary
    assert seconds[MAX_CHARS] / seconds[QUARTER] < MAX_RATIO, seconds
