"""Ingest: encodings, formats, normalisation and bad input, on real bytes."""

from __future__ import annotations

import io
import random
import time
from pathlib import Path

import pytest

from analysis.ingest.files import (
    IngestError,
    collapse_repeats,
    decode_bytes,
    hanzi_profile,
    html_to_text,
    limits,
    read_document,
)
from analysis.ingest.normalize import normalize

SAMPLE = "关于巡察整改情况的通报\n一、总体情况\n区委第二巡察组于2022年3月1日反馈意见，共反馈问题12个。\n"


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"),
    ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"),
])
def test_decode_detects_encoding(encoding, expected):
    text, enc, warnings = decode_bytes(SAMPLE.encode(encoding))
    assert text == SAMPLE and enc == expected and warnings == []


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"), (b"   \n\n", "empty"),
    (bytes(range(256)) * 4, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50, "binary"),
])
def test_decode_rejects_bad_bytes(data, reason):
    with pytest.raises(IngestError, match=reason):
        decode_bytes(data)


def test_undecodable_bytes_are_detected_and_flagged_not_guessed_silently():
    # valid UTF-8 with a stray invalid sequence that GB18030 cannot decode either
    data = SAMPLE.encode("utf-8") + b"\xff\xfe\xfd" + SAMPLE.encode("utf-8")
    try:
        text, enc, warnings = decode_bytes(data)
    except IngestError as e:
        assert "undecodable" in str(e)
    else:
        assert warnings and enc in warnings[0]


def test_normalize_widths_debris_and_linebreaks():
    raw = "[bookmark: _Hlk94365574]（１）针对“问题”,共计１２个;时间10:30\r\n第二行\u200b\r结束"
    n = normalize(raw)
    assert n.text == "（1）针对“问题”，共计12个；时间10:30\n第二行\n结束"
    assert n.n_dropped_chars == len("[bookmark: _Hlk94365574]") + 1
    assert {k for k, _ in n.dropped} == {"bookmark", "zero_width"}



def test_normalize_removes_invisible_formatting_characters():
    raw = "\u202e整改\u200e情况\u2066良好\u2069\u200d，\ufeff共\u00ad12个\x85\x1b。"
    n = normalize(raw)
    assert n.text == "整改情况良好，共12个。"
    assert {k for k, _ in n.dropped} == {"zero_width", "control"} and n.n_dropped_chars == 9


def test_normalize_is_linear_on_long_space_runs_and_idempotent():
    # a run of spaces not followed by a newline used to be rescanned from each of its positions
    raw = "一、整改" + " " * 200_000 + "情况" + " " * 200_000 + "\n二、下一步"
    t0 = time.perf_counter()
    text = normalize(raw).text
    assert time.perf_counter() - t0 < 5
    assert text == "一、整改" + " " * 200_000 + "情况\n二、下一步"
    nested = "[book[bookmark: _Hlk1]mark: _Hlk2]正文[bookmark:\u200b _Hlk3]"
    assert normalize(nested).text == "正文" == normalize(normalize(nested).text).text

def test_html_main_text_drops_furniture_and_scripts():
    html = """<html><head><script>var x = '巡察';</script><style>p{}</style></head><body>
    <div class="nav">首页 | 政务公开 | 通知公告</div>
    <div id="main"><div class="info">发布日期：2023-03-14 浏览次数：120 字体：[大 中 小]</div>
    <div class="content"><p>关于巡察整改进展情况的通报</p><p>一、整改情况</p>
    <p>区委巡察组反馈问题16个，已全部完成整改。整改工作取得阶段性成效，群众满意度明显提升。</p>
    <p>针对反馈问题逐项制定整改措施，明确责任人和完成时限，确保整改到位。</p></div>
    <div>打印本页 关闭窗口</div></div><div class="footer">版权所有 某区人民政府</div></body></html>"""
    text, warnings = html_to_text(html)
    assert text.splitlines()[0] == "发布日期：2023-03-14"
    assert "关于巡察整改进展情况的通报" in text and "反馈问题16个" in text
    for junk in ("var x", "首页", "浏览次数", "打印本页", "版权所有"):
        assert junk not in text


def test_docx_is_read(tmp_path: Path):
    import docx

    d = docx.Document()
    d.add_paragraph("关于巡察整改情况的通报")
    d.add_paragraph("一、反馈问题整改情况")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "问题"
    t.cell(0, 1).text = "整改措施"
    buf = io.BytesIO()
    d.save(buf)
    p = tmp_path / "a.docx"
    p.write_bytes(buf.getvalue())
    raw = read_document(p, tmp_path)
    assert raw.raw_text.splitlines() == ["关于巡察整改情况的通报", "一、反馈问题整改情况", "问题\t整改措施"]
    assert raw.encoding == "docx" and raw.fmt == "docx"


@pytest.mark.parametrize("name,data,reason", [
    ("notice.pdf", b"%PDF-1.4 something", "unsupported file type"),
    ("noext", "通报".encode(), "unsupported file type"),
    ("empty.txt", b"", "empty"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable .docx"),
])
def test_read_document_errors_name_the_reason(tmp_path: Path, name, data, reason):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(IngestError, match=reason):
        read_document(p, tmp_path)


def test_vanished_file(tmp_path: Path):
    with pytest.raises(IngestError, match="vanished"):
        read_document(tmp_path / "gone.txt", tmp_path)


def test_doc_id_is_content_hash(tmp_path: Path):
    (tmp_path / "a.txt").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SAMPLE, encoding="utf-8")
    a = read_document(tmp_path / "a.txt", tmp_path)
    b = read_document(tmp_path / "b.txt", tmp_path)
    assert a.doc_id == b.doc_id and len(a.doc_id) == 16 and a.source_file == "a.txt"


# ---------------------------------------------------------------- hostile input (issue: bad input, in bulk)

NOTICE = ("关于某社区巡察整改情况的通报\n一、整改工作总体情况\n社区党委高度重视，成立领导小组，逐条制定整改措施。\n"
          "二、反馈问题整改情况\n（一）针对“台账登记不完整”问题，一是补齐台账；二是明确专人负责。\n")


def test_lines_mixing_utf8_and_gb18030_are_decoded_line_by_line():
    lines = NOTICE.splitlines()
    data = b"\n".join(line.encode("gbk" if i % 2 else "utf-8") for i, line in enumerate(lines))
    text, enc, warnings = decode_bytes(data)
    assert text.splitlines() == lines and enc == "utf-8+gb18030"
    assert warnings == ["mixed encodings: 3 line(s) UTF-8 and 2 line(s) GB18030; decoded line by line"]
    # a plain GB18030 file is not taken for a mixture
    assert decode_bytes(NOTICE.encode("gbk"))[1] == "gb18030"


def test_nul_byte_anywhere_outside_utf16_is_binary():
    head = NOTICE.encode() * 40  # past the 8 KB the control-byte test samples
    with pytest.raises(IngestError, match=rf"binary file \(NUL byte at offset {len(head)}\)"):
        decode_bytes(head + b"\x00" + NOTICE.encode())
    # UTF-8 Chinese misread as UTF-16 gives rare characters: not accepted as UTF-16
    with pytest.raises(IngestError, match="binary"):
        decode_bytes(NOTICE.encode() + b"\x00")
    assert decode_bytes(NOTICE.encode("utf-16-le"))[1] == "utf-16-le"


def _random_bytes(lo: int, hi: int, n: int) -> bytes:
    rng = random.Random(0)
    return bytes(rng.randrange(lo, hi) for _ in range(n))


@pytest.mark.parametrize("data,reason", [
    (_random_bytes(0xA1, 0xFF, 3000), r"not Chinese prose: only \d+% of [\d,]+ Chinese characters are common ones"),
    (_random_bytes(0x20, 0x7F, 780), "no Chinese characters in 780 decoded characters"),
    ("\u200b\u2060\ufeff \u202e\n".encode() * 30, "no visible text"),
])
def test_text_that_is_not_a_notice_is_refused(tmp_path: Path, data, reason):
    p = tmp_path / "x.txt"
    p.write_bytes(data)
    with pytest.raises(IngestError, match=reason):
        read_document(p, tmp_path)


def test_traditional_chinese_is_prose_too():
    trad = "關於巡察整改情況的通報。區委第二巡察組對本單位開展了巡察，反饋問題十二個，已全部整改完畢。針對黨建工作薄弱問題，加強組織建設。"
    n, share = hanzi_profile(trad)
    assert n >= 50 and share >= limits()["common_hanzi_min_share"]


@pytest.mark.parametrize("text,copy,k", [
    (NOTICE * 3, NOTICE, 3),
    ((NOTICE + "\n\n") * 2, NOTICE + "\n\n", 2),
    (NOTICE + "  " + NOTICE.replace("\n", "\n  "), NOTICE, 2),  # indentation differs
    (NOTICE * 2 + "一、整改工作总体情况\n", None, 1),  # a partial third copy: not a pure repetition
    (NOTICE, None, 1),
])
def test_collapse_repeats(text, copy, k):
    out, n = collapse_repeats(text)
    assert n == k and out == (copy if copy is not None else text)


def test_a_notice_saved_many_times_in_one_file_loads_once(tmp_path: Path):
    (tmp_path / "x.txt").write_bytes(NOTICE.encode() * 500)
    raw = read_document(tmp_path / "x.txt", tmp_path)
    assert raw.raw_text == NOTICE
    assert raw.warnings == ["text is one passage repeated 500 times (a concatenation error); one copy loaded"]


def test_limits_come_from_the_data_file_and_are_named(tmp_path: Path, monkeypatch):
    assert set(limits()) >= {"max_file_bytes", "max_docx_unpacked_bytes", "max_text_chars"}
    (tmp_path / "a.txt").write_bytes(NOTICE.encode() + "补充。".encode() * 100)
    monkeypatch.setitem(limits(), "max_file_bytes", 500)
    with pytest.raises(IngestError, match=r"file too large: 0\.0 MB > 0 MB \(max_file_bytes in ingest_limits\.csv\)"):
        read_document(tmp_path / "a.txt", tmp_path)
    monkeypatch.setitem(limits(), "max_file_bytes", 1e9)
    monkeypatch.setitem(limits(), "max_text_chars", 200)
    with pytest.raises(IngestError, match=rf"text too long: {len(NOTICE) + 300} characters > 200 \(max_text_chars"):
        read_document(tmp_path / "a.txt", tmp_path)


def test_docx_archive_bomb_is_not_opened(tmp_path: Path, monkeypatch):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b" " * 2_000_000)
    (tmp_path / "b.docx").write_bytes(buf.getvalue())
    monkeypatch.setitem(limits(), "max_docx_unpacked_bytes", 1_000_000)
    with pytest.raises(IngestError, match=r"\.docx expands to 2\.0 MB > 1 MB \(max_docx_unpacked_bytes"):
        read_document(tmp_path / "b.docx", tmp_path)


def test_html_code_never_reaches_the_text():
    html = """<html><head><script>var d = "发布日期：1999-01-01";</script></head>
    <body onload="f()"><noscript>请启用脚本</noscript><template><p>模板内容</p></template>
    <div><!-- 注释内容 --><p onclick="alert('点击')">一、整改情况良好。</p><svg><text>图形文字</text></svg>
    <object>对象文字</object><p>发布日期：2023-05-06</p></div></body></html>"""
    text, _ = html_to_text(html)
    assert text.splitlines() == ["发布日期：2023-05-06", "一、整改情况良好。", "发布日期：2023-05-06"]


def test_deeply_nested_html_is_read_in_linear_time():
    # the main block used to be chosen by a get_text per candidate element: quadratic in depth
    n = 3000
    html = "<html><body>" + "".join(f"<div><p>第{i}段：整改情况良好。</p>" for i in range(n)) + "</div>" * n
    t0 = time.perf_counter()
    text, _ = html_to_text(html + "</body></html>")
    assert time.perf_counter() - t0 < 10
    lines = text.splitlines()
    assert lines[-1] == f"第{n - 1}段：整改情况良好。" and len(lines) >= 0.8 * n  # the deepest block with 80 %


def test_unexpected_reader_failures_become_ingest_errors(tmp_path: Path, monkeypatch):
    from analysis.ingest import files as ingest

    def boom(html):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(ingest, "html_to_text", boom)
    (tmp_path / "a.html").write_text("<p>一、整改</p>", encoding="utf-8")
    with pytest.raises(IngestError, match=r"not readable HTML \(RecursionError"):
        read_document(tmp_path / "a.html", tmp_path)
