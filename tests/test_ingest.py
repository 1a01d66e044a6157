"""Ingest: encodings, formats, normalisation and bad input, on real bytes."""

from __future__ import annotations

import csv
import errno
import io
import os
import random
import re
import socket
import stat
import time
from pathlib import Path

import duckdb
import pytest
from fuzz_corpus import EMPTY_ROW, HOSTILE_MANIFESTS, deep_folder

from analysis.ingest import filesystem
from analysis.ingest.files import (
    IngestError,
    collapse_repeats,
    decode_bytes,
    hanzi_profile,
    html_to_text,
    limits,
    read_document,
    read_manifest,
    walk_corpus,
)
from analysis.ingest.filesystem import readable_name, source_name
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



# ---------------------------------------------------------------- the manifest, as spreadsheets write it

MANIFEST_TABLE = [["file", "province", "city", "notes"],
                  ["a.txt", "天津市", "天津市", "备注，含逗号, comma; semicolon"],
                  ["子目录/b.txt", "河北省", "石家庄市", ""]]
MANIFEST_ROWS = {"a.txt": {**EMPTY_ROW, "file": "a.txt", "province": "天津市", "city": "天津市",
                           "notes": "备注，含逗号, comma; semicolon"},
                 "子目录/b.txt": {**EMPTY_ROW, "file": "子目录/b.txt", "province": "河北省", "city": "石家庄市"}}
ENCODERS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8 BOM (Excel: CSV UTF-8)": lambda t: t.encode("utf-8-sig"),
    "GBK (Excel: CSV, Chinese Windows)": lambda t: t.encode("gbk"),
    "GB18030": lambda t: t.encode("gb18030"),
    "UTF-16 LE BOM (Excel: Unicode text)": lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
    "UTF-16 BE BOM": lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
}


def _manifest_text(table: list[list[str]], delimiter: str, newline: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(table)
    return buf.getvalue()


@pytest.mark.parametrize("encoding", list(ENCODERS))
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("delimiter", [",", "\t", ";"], ids=["comma", "tab", "semicolon"])
def test_manifest_in_any_encoding_a_spreadsheet_writes(tmp_path: Path, encoding, newline, delimiter):
    (tmp_path / "manifest.csv").write_bytes(ENCODERS[encoding](_manifest_text(MANIFEST_TABLE, delimiter, newline)))
    assert read_manifest(tmp_path) == (MANIFEST_ROWS, [])


def test_manifest_column_names_and_paths_as_people_type_them(tmp_path: Path):
    text = " File ,PROVINCE,City,Notes\r\n.\\a.txt,天津市,天津市,\"备注，含逗号, comma; semicolon\"\r\n" \
           "子目录\\b.txt,河北省,石家庄市,\r\n,,,\r\n,,,\r\n"  # trailing empty rows of a spreadsheet: skipped
    (tmp_path / "manifest.csv").write_bytes(text.encode("gbk"))
    assert read_manifest(tmp_path) == (MANIFEST_ROWS, [])




@pytest.mark.parametrize("case", list(HOSTILE_MANIFESTS))
def test_a_bad_manifest_is_a_list_of_problems_never_an_exception(tmp_path: Path, case):
    make, rows, patterns = HOSTILE_MANIFESTS[case]
    root = tmp_path / "corpus"
    root.mkdir()
    make(root)
    got_rows, problems = read_manifest(root)
    if rows is not None:
        assert got_rows == rows
    assert len(problems) == len(patterns), problems
    for p, rx in zip(problems, patterns, strict=True):
        assert re.search(rx, p), (rx, p)


def test_manifest_too_large_or_unreadable(tmp_path: Path, monkeypatch):
    (tmp_path / "manifest.csv").write_bytes(b"file\na.txt\n")
    monkeypatch.setitem(limits(), "max_manifest_bytes", 5)
    assert read_manifest(tmp_path) == ({}, ["manifest.csv: file too large: 0.0 MB > 0 MB (max_manifest_bytes in "
                                            "ingest_limits.csv); manifest ignored"])
    monkeypatch.setitem(limits(), "max_manifest_bytes", 1e8)
    _make_unreadable(tmp_path / "manifest.csv", monkeypatch)
    assert read_manifest(tmp_path) == ({}, ["manifest.csv: cannot read file: Permission denied; manifest ignored"])


# ---------------------------------------------------------------- the corpus folder: every oddity listed

def _make_unreadable(path: Path, monkeypatch) -> None:
    """chmod 000; where that does not stop this process (root), opening the file fails as it would."""
    os.chmod(path, 0)
    try:
        path.read_bytes()
    except PermissionError:
        return
    real_open = filesystem._open_nonblocking

    def refuse(real: str) -> int:
        if real == os.path.realpath(path):
            raise PermissionError(errno.EACCES, "Permission denied", real)
        return real_open(real)

    monkeypatch.setattr(filesystem, "_open_nonblocking", refuse)


def _socket(path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as s:
        try:
            s.bind(str(path))
        except OSError as e:
            pytest.skip(f"no unix socket here: {e}")


def _device(path: Path) -> None:
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError as e:
        pytest.skip(f"no mknod here: {e}")


def _outside_file(root: Path) -> Path:
    (root.parent / "outside.txt").write_text(NOTICE, encoding="utf-8")
    return root.parent / "outside.txt"


ODDITIES = {
    # name: (make it, source_file listed, severity, reason pattern)
    "broken link": (lambda r: os.symlink("nothing.txt", r / "x.txt"), "x.txt", "error", r"^broken symbolic link"),
    "link loop": (lambda r: (os.symlink("b.txt", r / "a.txt"), os.symlink("a.txt", r / "b.txt")), "a.txt", "error",
                  r"^symbolic link loop \(it leads back to itself\); not followed$"),
    "link to itself": (lambda r: os.symlink("self.txt", r / "self.txt"), "self.txt", "error", r"^symbolic link loop"),
    "link to a file outside": (lambda r: os.symlink(_outside_file(r), r / "x.txt"), "x.txt", "error",
                               r"^symbolic link to a file outside the corpus folder; not followed$"),
    "relative link climbing out": (lambda r: (_outside_file(r), os.symlink("../outside.txt", r / "x.txt")), "x.txt",
                                   "error", r"^symbolic link to a file outside the corpus folder"),
    "link to a folder outside": (lambda r: os.symlink(r.parent, r / "up"), "up", "error",
                                 r"^symbolic link to a folder outside the corpus folder; not followed$"),
    "link to the corpus itself": (lambda r: os.symlink(".", r / "again"), "again", "duplicate",
                                  r"^symbolic link to the folder \./ of the corpus; not followed"),
    "link to a folder inside": (lambda r: ((r / "sub").mkdir(), os.symlink("sub", r / "alias")), "alias", "duplicate",
                                r"^symbolic link to the folder sub/ of the corpus; not followed"),
    "named pipe": (lambda r: os.mkfifo(r / "p.txt"), "p.txt", "error",
                   r"^named pipe \(FIFO\), not a regular file; not opened$"),
    "link to a named pipe": (lambda r: (os.mkfifo(r / "p.txt"), os.symlink("p.txt", r / "q.txt")), "q.txt", "error",
                             r"^symbolic link to a named pipe \(FIFO\), not a regular file; not opened$"),
    "socket": (lambda r: _socket(r / "s.txt"), "s.txt", "error", r"^socket, not a regular file; not opened$"),
    "device": (lambda r: _device(r / "d.txt"), "d.txt", "error", r"^character device, not a regular file; not opened$"),
    "path too long to open": (lambda r: ((r / "deep").mkdir(), deep_folder(r, "deep", NOTICE.encode())), None,
                              "error", r"^path too long to open \([\d,]+ bytes; the file system allows [\d,]+\)$"),
}


@pytest.mark.parametrize("case", list(ODDITIES))
def test_every_file_system_oddity_is_listed_and_the_rest_loads(tmp_path: Path, case):
    make, name, severity, reason = ODDITIES[case]
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "good.txt").write_text(NOTICE, encoding="utf-8")
    made = make(root)
    name = name or (made[-1] if isinstance(made, tuple) else made)
    listing = walk_corpus(root)
    assert listing.files == [root / "good.txt"]
    issues = {i["source_file"]: i for i in listing.issues}
    assert issues[name]["severity"] == severity and re.search(reason, issues[name]["reason"]), issues
    assert set(issues) <= {name, "b.txt", "p.txt"}


def test_a_link_to_a_file_inside_the_corpus_is_read(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "real.txt").write_text(NOTICE, encoding="utf-8")
    os.symlink("sub/real.txt", tmp_path / "link.txt")
    listing = walk_corpus(tmp_path)
    assert listing.files == [tmp_path / "link.txt", tmp_path / "sub" / "real.txt"] and listing.issues == []
    assert read_document(tmp_path / "link.txt", tmp_path).doc_id == read_document(tmp_path / "sub/real.txt",
                                                                                   tmp_path).doc_id


def test_an_unreadable_folder_is_listed(tmp_path: Path, monkeypatch):
    (tmp_path / "good.txt").write_text(NOTICE, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(NOTICE, encoding="utf-8")
    os.chmod(locked, 0)
    try:
        if os.access(locked, os.R_OK):  # root: chmod does not stop it, so the listing fails as it would
            real_entries = filesystem._entries

            def refuse(folder: Path):
                if folder == locked:
                    raise PermissionError(errno.EACCES, "Permission denied", str(folder))
                return real_entries(folder)

            monkeypatch.setattr(filesystem, "_entries", refuse)
        listing = walk_corpus(tmp_path)
    finally:
        os.chmod(locked, 0o755)
    assert listing.files == [tmp_path / "good.txt"]
    assert listing.issues == [{"source_file": "locked/", "severity": "error", "doc_id": None,
                               "reason": "folder cannot be listed (Permission denied); its files are not loaded"}]


def test_an_unreadable_file_is_an_ingest_error(tmp_path: Path, monkeypatch):
    (tmp_path / "a.txt").write_text(NOTICE, encoding="utf-8")
    _make_unreadable(tmp_path / "a.txt", monkeypatch)
    with pytest.raises(IngestError, match=r"^cannot read file: Permission denied$"):
        read_document(tmp_path / "a.txt", tmp_path)


def test_hidden_files_and_office_junk_are_skipped(tmp_path: Path):
    for rel in [".DS_Store", ".git/config", "sub/.hidden.txt", "~$通报.docx", "sub/Thumbs.db", "desktop.ini",
                "sub/._通报.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(NOTICE.encode())
    (tmp_path / "manifest.csv").write_text("file\n", encoding="utf-8")
    (tmp_path / "sub" / "manifest.csv").write_text(NOTICE, encoding="utf-8")  # only the root's is the manifest
    (tmp_path / "sub" / "notice.txt").write_text(NOTICE, encoding="utf-8")
    listing = walk_corpus(tmp_path)
    assert listing.files == [tmp_path / "sub" / "manifest.csv", tmp_path / "sub" / "notice.txt"]
    assert listing.issues == []


def test_a_folder_named_manifest_csv_is_walked(tmp_path: Path):
    (tmp_path / "manifest.csv").mkdir()
    (tmp_path / "manifest.csv" / "a.txt").write_text(NOTICE, encoding="utf-8")
    assert walk_corpus(tmp_path).files == [tmp_path / "manifest.csv" / "a.txt"]


# ---------------------------------------------------------------- names

GBK_NAME = "巡察整改.txt".encode("gbk")


@pytest.mark.parametrize("raw,stored,gb18030", [
    (GBK_NAME, "Ѳ\\xb2\\xec\\xd5\\xfb\\xb8\\xc4.txt", "巡察整改.txt"),  # its first two bytes happen to be UTF-8
    (b"bad \xff\xfe.txt", "bad \\xff\\xfe.txt", None),
    ("公告".encode("gbk") + b"/a.txt", "\\xb9\\xab\\xb8\\xe6/a.txt", "公告/a.txt"),
])
def test_a_name_that_is_not_utf8_is_stored_escaped_with_a_warning(tmp_path: Path, raw, stored, gb18030):
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + raw))
    path.parent.mkdir(exist_ok=True)
    path.write_text(NOTICE, encoding="utf-8")
    assert walk_corpus(tmp_path).files == [path]
    doc = read_document(path, tmp_path)
    assert doc.source_file == source_name(path, tmp_path) == stored
    assert doc.warnings[-1].startswith(f"file name is not valid UTF-8; stored as '{stored}'")
    assert (f"(its bytes read as GB18030: '{gb18030}')" in doc.warnings[-1]) == (gb18030 is not None)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    print(doc.source_file, doc.warnings[-1], file=out)  # printable on a strict UTF-8 stream
    con = duckdb.connect()
    con.execute("create table t (name varchar)")
    con.execute("insert into t values (?)", [doc.source_file])
    assert con.execute("select name from t").fetchone()[0] == stored


def test_readable_name_of_any_string():
    assert readable_name("通报.txt") == "通报.txt"
    assert readable_name("a\udcffb") == "a\\xffb"
    assert readable_name("a\ud800b") == "a\\ud800b"  # a surrogate that no file system gave


@pytest.mark.parametrize("name", ["长" * 80 + ".txt", "line\nbreak.txt", "tab\tand \"double\" 'single'.txt",
                                  "back\\slash.txt", "  spaces  .txt", "emoji 📄.txt", "-leading-dash.txt"])
def test_odd_but_valid_names_load_as_they_are(tmp_path: Path, name):
    (tmp_path / name).write_text(NOTICE, encoding="utf-8")
    assert walk_corpus(tmp_path).files == [tmp_path / name]
    doc = read_document(tmp_path / name, tmp_path)
    assert doc.source_file == name and doc.warnings == []


# ---------------------------------------------------------------- reading: never a hang, a leak or a torn read

def test_read_document_refuses_what_is_not_a_regular_file_inside_the_corpus(tmp_path: Path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "folder.txt").mkdir()
    os.mkfifo(root / "pipe.txt")  # opened, it would block the build
    os.symlink(_outside_file(root), root / "out.txt")
    os.symlink("nothing.txt", root / "broken.txt")
    os.symlink("loop.txt", root / "loop.txt")
    for name, reason in [("folder.txt", r"^a folder, not a file$"), ("pipe.txt", r"^named pipe \(FIFO\)"),
                         ("out.txt", r"^symbolic link to a file outside the corpus folder"),
                         ("broken.txt", r"^broken symbolic link"), ("loop.txt", r"^cannot read file: symbolic link loop")]:
        with pytest.raises(IngestError, match=reason):
            read_document(root / name, root)
    with pytest.raises(IngestError, match=r"^not inside the corpus folder$"):
        read_document(tmp_path / "outside.txt", root)
    with pytest.raises(IngestError, match=r"^not a usable file name \(embedded null byte\)$"):
        read_document(root / "nul\x00.txt", root)


@pytest.mark.parametrize("change", ["append", "grow past the limit", "replace"])
def test_a_file_that_changes_while_it_is_read_is_refused(tmp_path: Path, monkeypatch, change):
    p = tmp_path / "a.txt"
    p.write_text(NOTICE, encoding="utf-8")
    if change == "replace":  # another file renamed over it between the stat and the open
        real_open = filesystem._open_nonblocking

        def replace_then_open(real: str) -> int:
            (tmp_path / "b.tmp").write_text(NOTICE + "补充。", encoding="utf-8")
            os.replace(tmp_path / "b.tmp", p)
            return real_open(real)

        monkeypatch.setattr(filesystem, "_open_nonblocking", replace_then_open)
    else:
        real_read = filesystem._read_all

        def write_then_read(fh, size: int) -> bytes:
            with p.open("ab") as w:
                w.write("补充。".encode() * (1 if change == "append" else 100_000))
            return real_read(fh, size)

        monkeypatch.setattr(filesystem, "_read_all", write_then_read)
    with pytest.raises(IngestError, match=r"^file changed while it was being read; not loaded \(build again\)$"):
        read_document(p, tmp_path)


def test_files_that_vanish_or_turn_into_pipes_after_the_listing(tmp_path: Path):
    for name in ("gone.txt", "pipe.txt"):
        (tmp_path / name).write_text(NOTICE, encoding="utf-8")
    listing = walk_corpus(tmp_path)
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "pipe.txt").unlink()
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(IngestError, match=r"^file vanished before it could be read$"):
        read_document(listing.files[0], tmp_path)
    with pytest.raises(IngestError, match=r"^named pipe \(FIFO\), not a regular file; not opened$"):
        read_document(listing.files[1], tmp_path)
