"""Ingest: encodings, formats, normalisation and bad input, on real bytes."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from analysis.ingest import IngestError, decode_bytes, html_to_text, read_document
from analysis.normalize import normalize

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
