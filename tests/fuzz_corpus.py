"""Generator of a hostile corpus: good notices next to files no build may choke on.

Everything is generated into a folder given by the test (nothing binary is committed) from a
seed, so a failure reproduces. :func:`write_fuzz_corpus` returns what the build must do with
each file: load it (and what its stored text must or must not contain), or list it in
``load_issues`` with a reason matching a pattern. The decisions:

- refused (``load_issues``): random bytes in any format (binary, undecodable or "not Chinese
  prose" when GB18030 happens to accept them), ASCII-only text, dense control bytes, a NUL byte
  anywhere outside UTF-16, truncated UTF-16, files over ``max_file_bytes`` (the 50 MB line),
  texts over ``max_text_chars``, pages with only scripts, invisible-only text, empty files,
  broken or bomb ``.docx`` archives, unsupported types;
- loaded: mixed UTF-8/GB18030 lines (decoded line by line, warning), a notice repeated 1,000
  times (one copy, warning; same text and problems as the single notice), zero-width, bidi and
  C0/C1 control characters (removed by normalisation, warning), HTML with scripts, styles,
  comments and event handlers (none of it in the text), deeply nested HTML and numbering
  markers, a 160,000-character single line, awkward file names.

The file-system oddities (:func:`write_file_system_oddities`) and a hostile manifest
(:func:`write_hostile_manifest`) go through the same build:

- listed in ``load_issues``, not read: broken links, link loops, links to a file or a folder
  outside the corpus, a link to a folder inside it (severity duplicate), a named pipe, a socket,
  a device, a link to a pipe, a path too long to open; a folder or file without read permission
  (where chmod works: not for root, whose files load);
- loaded: names that are not UTF-8 (stored with ``\\xNN`` escapes, with a warning), a 244-byte
  name, names with a newline, a tab, quotes and a backslash; a link to a notice inside the corpus
  is read and listed as a duplicate of it;
- skipped without a word (:data:`SKIPPED`): hidden files and folders, Office lock files
  (``~$x.docx``), ``Thumbs.db``, ``desktop.ini``;
- a GBK manifest with CRLF line ends whose rows still apply, its problems (unknown column, extra
  fields, a file named twice, an empty file cell) listed as warnings of ``manifest.csv``.

:data:`HOSTILE_MANIFESTS` are manifests one at a time (for ``tests/test_ingest.py``), each with
the rows it must still give and its problems, in order.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import socket
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
REPEATS = 1000

NOTICE_QUOTED = """关于某乡党委巡察整改情况的通报
根据县委统一部署，县委第二巡察组于2023年3月1日至4月30日对某乡党委开展了常规巡察，并于6月5日反馈了意见。
一、整改工作总体情况
乡党委高度重视，成立整改工作领导小组，逐条制定整改措施，明确责任人和完成时限。
二、反馈问题整改情况
（一）关于“落实上级决策部署有偏差”问题的整改情况
1.针对“产业规划落地慢”问题，一是梳理项目台账，二是明确完成时限，三是每月调度一次。
2.针对“环境整治不到位”问题，开展专项整治，清理垃圾堆放点12处。
（二）关于“基层党建工作薄弱”问题的整改情况
3.针对“支部活动不规范”问题，一是制定活动计划；二是建立检查制度；三是开展督导。
给予党内警告处分2人，诫勉谈话3人。
三、下一步工作打算
持续巩固整改成果，建立长效机制。
欢迎广大干部群众监督。联系电话：0000-1234567。
某乡党委
2023年9月1日
"""

NOTICE_PROBLEM_N = """关于某街道党工委巡察整改进展情况的通报
区委第一巡察组向街道党工委反馈问题8个，现将整改进展情况公布如下。
一、逐项整改情况
（一）聚焦党的领导方面
问题1：议事规则执行不严。个别会议未形成纪要。
整改情况：
一是修订议事规则。
二是建立会议纪要审核制度。
问题2：理论学习流于形式。学习记录不完整。
整改情况：
制定年度学习计划，每月开展专题学习一次。
（二）聚焦作风建设方面
问题3：服务意识不强。群众办事等待时间长。
整改情况：
一是推行首问负责制；
二是开设周末服务窗口。
二、下一步打算
继续加强监督检查，防止问题反弹。
"""

NOTICE_TOP_LEVEL = """某镇党委关于巡察整改情况的通报
根据县委统一部署，县委第一巡察组对某镇开展了巡察，反馈问题2个，现已全部整改完毕。
一、关于“政策宣传不到位”问题的整改情况
（一）更新村务公开栏。在村部新增公开栏5块，按季度更新内容。
（二）开展政策宣讲。组织宣讲队入户宣讲政策，覆盖农户三百余户。
二、关于“资金监管不严”问题的整改情况
制定村级资金管理办法，明确审批流程，清退违规发放补贴1.2万元。
下一步，镇党委将持续抓好整改，巩固整改成果。
欢迎广大干部群众对整改落实情况进行监督。
某镇党委
2023年1月5日
"""

SCRIPT_MARKERS = ("alert(", "function ", "color:", "注释里的字", "模板里的字", "脚本里的字", "样式里的字",
                  "javascript", "onclick", "onload")

# invisible and control characters sprinkled through a notice: all removed by normalisation
# (no NUL: a NUL byte outside UTF-16 marks a binary file)
DEBRIS_CHARS = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad", "\u200e", "\u202e", "\u2066", "\u2069",
                "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b", "\x9f"]


# pieces of notices for property tests: markers of every family (damaged too), phrases the
# parser and extractors look for, line breaks and debris
MARKERS_AND_FRAGMENTS = [
    "一、", "二、", "十二、", "（一）", "(二)", "四）", "）", "1.", "2、", "3．", "（1）", "(2)", "1）", "①", "⑳",
    "问题1：", "问题2", "问题32020年", "一是", "二是", "三是", "是", "针对“", "关于“", "对照“", "”问题，", "”问题的整改情况",
    "”方面", "“", "”", "整改情况：", "整改落实情况：", "下一步工作打算", "下一步，", "欢迎监督。", "联系电话：0000-1234567",
    "某某党委", "2023年5月1日", "2023年X月X日", "共反馈问题12个，", "已整改完成10个，", "给予党内警告处分2人，",
    "诫勉谈话3人次，", "立案审查1件。", "追缴资金1.5万元，", "整改完成率100%。", "建立制度《台账管理办法》", "加强管理",
    "某某不到位", "。", "；", "，", "\n", "\n\n", "\r\n", "   ", "\t", "\u3000", "\u200b", "\ufeff", "\u200d", "\u202e",
    "\x07", "\x1b", "\x85", "[bookmark: _Hlk1]",
]


@dataclass(frozen=True)
class Expect:
    """What the build must do with one file."""

    loaded: bool
    reason: str = ""  # regex the load_issues reason must match (not loaded)
    warning: str = ""  # regex one of the document's parse_warnings must match (loaded)
    present: tuple[str, ...] = ()  # substrings of the stored text (loaded)
    absent: tuple[str, ...] = ()  # substrings (or characters) the stored text must not contain
    same_text_as: str = ""  # another file whose stored text this one's must equal
    severity: str = "error"  # load_issues severity when not loaded (duplicate: same text as another file)
    extra: dict = field(default_factory=dict)


def _docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def sprinkle(text: str, chars: list[str], every: int, rng: random.Random) -> str:
    """``text`` with one of ``chars`` inserted after every ``every`` characters."""
    out = []
    for i, c in enumerate(text):
        out.append(c)
        if i % every == every - 1:
            out.append(rng.choice(chars))
    return "".join(out)


def nested_markers(n_lines: int) -> str:
    """Thousands of numbered lines cycling through every marker family, ever deeper indented,
    with stacked markers, marker-only lines and a long heading of unclosed 针对“ quotes."""
    cn = "一二三四五六七八九十"
    circled = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
    lines = ["关于某单位巡察整改情况的通报", "一、" + "针对“某项工作" * 500]
    for i in range(n_lines):
        k = i % 20
        marker = [f"{cn[k % 10]}、", f"（{cn[k % 10]}）", f"{k + 1}.", f"（{k + 1}）", circled[k], f"问题{k + 1}："][i % 6]
        body = ["针对“台账登记不完整”问题，一是补齐台账；二是明确专人。", "整改情况：", "",
                "一、（一）1.（1）①" * 20, "关于“", "加强管理，建立长效机制。"][i % 6]
        lines.append(" " * (i % 30) + marker + body)
    return "\n".join(lines) + "\n"


def html_with_scripts(notice: str) -> str:
    paras = "".join(f'<p onclick="alert(1)" onmouseover="x()">{line}</p>' for line in notice.splitlines())
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>通报</title>
<script>function f() {{ alert("脚本里的字"); }} var s = "发布日期：1999-01-01";</script>
<style>p {{ color: red; }} .x::before {{ content: "样式里的字"; }}</style></head>
<body onload="f()"><div class="nav">首页 | 政务公开</div>
<noscript><p>脚本里的字 noscript</p></noscript><template><p>模板里的字</p></template>
<div id="main"><div class="info">发布日期：2023-09-02 浏览次数：88</div>
<!-- 注释里的字 --><a href="javascript:alert('x')">打印本页</a>
<div class="content">{paras}<script>document.write("脚本里的字");</script></div>
<iframe src="javascript:alert(2)">脚本里的字</iframe><svg><text>脚本里的字</text></svg></div>
<div class="footer">版权所有</div></body></html>"""


def write_fuzz_corpus(root: Path, seed: int = 0) -> dict[str, Expect]:
    """Write the good and hostile files under ``root``; return the expectation for each file."""
    rng = random.Random(seed)
    exp: dict[str, Expect] = {}

    def put(rel: str, data: bytes, expect: Expect) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        exp[rel] = expect

    ok = Expect(loaded=True)
    # ---- good notices: sample files under awkward names, invented ones in every supported form
    for src, rel in [("000_0df7fc066342ef33.txt", "good/通报 000 副本.txt"),
                     ("003_fdaf42a588543879.txt", "good/子目录 甲/巡察 整改 (终稿) it's.TXT"),
                     ("004_25862af15d327798.txt", "good/004 单份.txt")]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / src, root / rel)
        exp[rel] = ok
    put("good/某乡 通报 GBK.txt", NOTICE_QUOTED.encode("gbk"), ok)
    put("good/utf16 无BOM.text", NOTICE_PROBLEM_N.encode("utf-16-le"), ok)
    put("good/通报.docx", _docx_bytes(NOTICE_TOP_LEVEL.splitlines()), ok)
    put("good/网页 通报.html", html_with_scripts(NOTICE_TOP_LEVEL.replace("某镇", "某村")).encode("utf-8"),
        Expect(loaded=True, present=("关于“政策宣传不到位”问题的整改情况", "发布日期：2023-09-02"),
               absent=SCRIPT_MARKERS + ("1999-01-01", "首页", "版权所有")))

    # ---- random bytes, in every format
    put("hostile/random.txt", rng.randbytes(65536), Expect(False, reason=r"^binary file \(NUL byte at offset \d+\)"))
    put("hostile/random.html", rng.randbytes(4096), Expect(False, reason=r"^binary file"))
    put("hostile/random.docx", rng.randbytes(4096), Expect(False, reason=r"^not a readable \.docx"))
    put("hostile/random_high_bytes.txt", bytes(rng.randrange(0xA1, 0xFF) for _ in range(30000)),
        Expect(False, reason=r"^not Chinese prose: only \d+% of [\d,]+ Chinese characters are common ones"))
    put("hostile/random_ascii.txt", bytes(rng.randrange(0x20, 0x7F) for _ in range(30000)),
        Expect(False, reason=r"^no Chinese characters in 30,000 decoded characters"))
    put("hostile/controls_dense.txt", sprinkle("整改情况良好", ["\x01", "\x02", "\x03", "\x10"], 1, rng).encode() * 50,
        Expect(False, reason=r"^binary file \(control bytes\)"))
    head = NOTICE_QUOTED.encode() * 8  # longer than the 8 KB the control-byte test looks at
    put("hostile/nul_after_head.txt", head + b"\x00" * 16 + NOTICE_PROBLEM_N.encode(),
        Expect(False, reason=rf"^binary file \(NUL byte at offset {len(head)}\)"))

    # ---- encodings
    mixed = b"".join((line + "\n").encode("gbk" if i % 2 else "utf-8")
                     for i, line in enumerate(NOTICE_PROBLEM_N.replace("街道", "社区").splitlines()))
    put("hostile/mixed gbk+utf8.txt", mixed,
        Expect(True, warning=r"^mixed encodings: \d+ line\(s\) UTF-8 and \d+ line\(s\) GB18030",
               present=tuple(NOTICE_PROBLEM_N.replace("街道", "社区").splitlines()[:4])))
    put("hostile/utf16_truncated.txt", "\ufeff通报".encode("utf-16-le") + b"\x41",
        Expect(False, reason=r"^UTF-16 BOM but undecodable"))

    # ---- sizes: one 50 MB line, a text over the character limit, a long single line, repeats
    line = ("针对“台账不全”问题，补齐台账，明确专人负责。" * 1000).encode()
    put("hostile/single line 50MB.txt", (line * (50_000_000 // len(line) + 1))[:50_000_000],
        Expect(False, reason=r"^file too large: 50\.0 MB > 20 MB \(max_file_bytes in ingest_limits\.csv\)"))
    put("hostile/over_char_limit.txt",
        "".join(f"第{i}条，整改情况良好。\n" for i in range(90_000)).encode(),
        Expect(False, reason=r"^text too long: [\d,]+ characters > 1,000,000 \(max_text_chars"))
    one_line = (CORPUS / "000_0df7fc066342ef33.txt").read_text(encoding="utf-8").replace("\n", "")
    put("hostile/single_line_notice.txt", (one_line * 20).encode(), ok)
    put(f"hostile/repeated x{REPEATS}.txt", (CORPUS / "004_25862af15d327798.txt").read_bytes() * REPEATS,
        Expect(False, reason=r"^same text as good/004 单份\.txt", severity="duplicate"))

    # ---- structure: deeply nested markers; HTML with scripts only, deeply nested HTML
    put("hostile/nested_markers.txt", nested_markers(3000).encode(), ok)
    put("hostile/only_script.html", b"<html><head><script>alert('x')</script><style>p{}</style></head>"
                                    b"<body><script>var a = 1;</script></body></html>",
        Expect(False, reason=r"^no text after decoding"))
    deep = "".join(f"<div><p>{line}（第{i}段）</p>" for i, line in enumerate(NOTICE_QUOTED.splitlines() * 100))
    put("hostile/deep_nesting.htm", f"<html><body>{deep}{'</div>' * 1500}</body></html>".encode(),
        Expect(True, absent=("<div>", "</p>")))

    # ---- invisible and control characters
    # another unit's notice (the docx holds NOTICE_TOP_LEVEL itself: the same text would load once)
    debris_notice = NOTICE_TOP_LEVEL.replace("某镇", "某街道")
    put("hostile/zero_width_controls.txt", sprinkle(debris_notice, DEBRIS_CHARS, 5, rng).encode(),
        Expect(True, warning=r"^removed \d+ character\(s\) of conversion debris \(control, zero_width\)",
               absent=tuple(DEBRIS_CHARS), extra={"normalized_equals": debris_notice}))
    put("hostile/only_invisible.txt", ("\u200b\u200d\ufeff \u2060\u202e\n" * 200).encode(),
        Expect(False, reason=r"^no visible text"))

    # ---- empty and broken files
    put("hostile/empty.txt", b"", Expect(False, reason=r"^empty file$"))
    put("hostile/whitespace.txt", b" \n\t\r\n  ", Expect(False, reason=r"^empty file$"))
    put("hostile/bom_only.txt", b"\xef\xbb\xbf", Expect(False, reason=r"^no text after decoding"))
    put("hostile/empty.docx", b"", Expect(False, reason=r"^empty file$"))
    put("hostile/not a zip.docx", b"PK\x03\x04 this is not a zip archive", Expect(False, reason=r"^not a readable \.docx"))
    put("hostile/zip without document.docx", _zip_bytes({"hello.txt": "你好".encode()}),
        Expect(False, reason=r"^not a readable \.docx"))
    put("hostile/bomb.docx", _zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b" " * 60_000_000}),
        Expect(False, reason=r"^\.docx expands to 60\.0 MB > 50 MB \(max_docx_unpacked_bytes"))
    put("hostile/scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", Expect(False, reason=r"^unsupported file type '\.pdf'"))
    write_file_system_oddities(root, exp)
    write_hostile_manifest(root, exp)
    return exp


# ---------------------------------------------------------------- the file system and the manifest

ODD = "oddities"  # sorts after good/: a link there to a good notice is the duplicate, not the original
LOCKED = (f"{ODD}/locked", f"{ODD}/locked.txt")  # chmod 000 (root reads them anyway)
SKIPPED = (".DS_Store", ".git/config", f"{ODD}/.hidden notice.txt", f"{ODD}/~$通报.docx", f"{ODD}/Thumbs.db",
           f"{ODD}/desktop.ini")
UNITS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰"


def unit_notice(i: int) -> bytes:
    """A notice of its own (no other file has its text), UTF-8."""
    return NOTICE_QUOTED.replace("某乡", f"{UNITS[i]}乡").encode()


def _readable(raw: bytes) -> str:
    """A name as the build stores it: bytes that are not UTF-8 as \\xNN."""
    return raw.decode("utf-8", "backslashreplace")


def write_file_system_oddities(root: Path, exp: dict[str, Expect]) -> None:
    """Links, pipes, devices, permissions, odd and overlong names, junk; expectations into ``exp``."""
    odd = root / ODD
    odd.mkdir()
    ok = Expect(loaded=True)

    def link(name: str, target: str | Path, expect: Expect) -> None:
        os.symlink(target, odd / name)
        exp[f"{ODD}/{name}"] = expect

    link("broken link.txt", "does not exist.txt", Expect(False, reason=r"^broken symbolic link"))
    link("loop a.txt", "loop b.txt", Expect(False, reason=r"symbolic link loop"))
    link("loop b.txt", "loop a.txt", Expect(False, reason=r"symbolic link loop"))
    outside = root.parent / f"{root.name}-outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_bytes(unit_notice(0))  # a notice: followed, it would load
    link("outside.txt", outside / "secret.txt",
         Expect(False, reason=r"^symbolic link to a file outside the corpus folder; not followed"))
    link("outside folder", "../..", Expect(False, reason=r"^symbolic link to a folder outside the corpus folder"))
    link("inside folder", "../good",
         Expect(False, severity="duplicate", reason=r"^symbolic link to the folder good/ of the corpus; not followed"))
    link("link to a notice.txt", "../good/004 单份.txt",
         Expect(False, severity="duplicate", reason=r"^same content as good/004 单份\.txt"))

    os.mkfifo(odd / "pipe.txt")
    exp[f"{ODD}/pipe.txt"] = Expect(False, reason=r"^named pipe \(FIFO\), not a regular file; not opened")
    link("link to pipe.txt", "pipe.txt", Expect(False, reason=r"^symbolic link to a named pipe \(FIFO\)"))
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as sock:  # path too long for a socket: no case
        sock.bind(str(odd / "socket.txt"))
        exp[f"{ODD}/socket.txt"] = Expect(False, reason=r"^socket, not a regular file; not opened")
    with contextlib.suppress(OSError):  # no mknod in this container: no case
        os.mknod(odd / "null.txt", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        exp[f"{ODD}/null.txt"] = Expect(False, reason=r"^character device, not a regular file; not opened")

    (odd / "locked").mkdir()
    (odd / "locked" / "notice.txt").write_bytes(unit_notice(1))
    (odd / "locked.txt").write_bytes(unit_notice(2))
    for rel in LOCKED:
        os.chmod(root / rel, 0)
    try:
        os.listdir(odd / "locked")
        exp[f"{ODD}/locked/notice.txt"] = ok  # root: permissions do not stop it
    except PermissionError:
        exp[f"{ODD}/locked/"] = Expect(False, reason=r"^folder cannot be listed \(Permission denied\)")
    try:
        (odd / "locked.txt").read_bytes()
        exp[f"{ODD}/locked.txt"] = ok
    except PermissionError:
        exp[f"{ODD}/locked.txt"] = Expect(False, reason=r"^cannot read file: Permission denied")

    # names: not UTF-8 (GBK, and bytes no encoding reads), long, with control characters and quotes
    not_utf8 = Expect(True, warning=r"^file name is not valid UTF-8; stored as '")
    for i, raw in enumerate([f"{ODD}/".encode() + "巡察整改".encode("gbk") + b".txt",
                             f"{ODD}/bad \xff\xfe name.txt".encode("latin-1")], start=3):
        with open(os.fsencode(root) + b"/" + raw, "wb") as fh:
            fh.write(unit_notice(i))
        exp[_readable(raw)] = not_utf8
    gbk_folder = f"{ODD}/".encode() + "公告".encode("gbk")
    os.mkdir(os.fsencode(root) + b"/" + gbk_folder)
    open(os.fsencode(root) + b"/" + gbk_folder + b"/empty.txt", "wb").close()
    exp[_readable(gbk_folder) + "/empty.txt"] = Expect(False, reason=r"^empty file$")
    for i, name in enumerate(["长" * 80 + ".txt", "line\nbreak.txt", "tab\tand \"double\" 'single' quotes.txt",
                              "back\\slash.txt"], start=5):
        (odd / name).write_bytes(unit_notice(i))
        exp[f"{ODD}/{name}"] = ok
    exp[deep_folder(root, ODD, unit_notice(9))] = Expect(False, reason=r"^path too long to open \([\d,]+ bytes")

    # junk: skipped without a word
    for rel, data in [(".DS_Store", b"\x00\x00\x00\x01Bud1" + bytes(100)), (".git/config", b"[core]\n"),
                      (f"{ODD}/.hidden notice.txt", unit_notice(10)), (f"{ODD}/~$通报.docx", b"\x05owner" + bytes(150)),
                      (f"{ODD}/Thumbs.db", bytes(512)), (f"{ODD}/desktop.ini", b"[.ShellClassInfo]\r\n")]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


def deep_folder(root: Path, top: str, notice: bytes) -> str:
    """Nested folders until the path is too long for the system to open, a notice at the bottom;
    returns the name (with ``/``) of the first folder too long to open. Made through folder
    descriptors: no path that long can be passed to the system."""
    segment = "深" * 80  # 240 bytes
    path_max = os.pathconf(root, "PC_PATH_MAX")
    rel, n_bytes, first_too_long = top, len(os.fsencode(root / top)), ""
    fd = os.open(root / top, os.O_RDONLY)
    try:
        while n_bytes < path_max + 600:
            os.mkdir(segment, dir_fd=fd)
            inner = os.open(segment, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
            rel, n_bytes = f"{rel}/{segment}", n_bytes + 1 + len(segment.encode())
            if n_bytes >= path_max and not first_too_long:
                first_too_long = rel + "/"
        out = os.open("通报.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, notice)
        os.close(out)
    finally:
        os.close(fd)
    return first_too_long


def unlock(root: Path) -> None:
    """Give the folders and files made unreadable their permissions back (to delete them)."""
    for rel in LOCKED:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(root / rel, 0o755)


MANIFEST_NOTES = {"good/某乡 通报 GBK.txt": "GBK 清单的备注", "good/004 单份.txt": "多余字段的行"}
MANIFEST_PROBLEMS = (r"^manifest\.csv: unknown column\(s\) 备注 ignored$",
                     r"^manifest\.csv line 3: 'good/某乡 通报 GBK\.txt' is already on line 2; this row is ignored$",
                     r"^manifest\.csv line 4: 7 field\(s\), the header has 4; the extra ones are ignored$",
                     r"^manifest\.csv line 5: empty 'file'$")


def write_hostile_manifest(root: Path, exp: dict[str, Expect]) -> None:
    """A manifest as Excel on a Chinese Windows machine saves it (GBK, CRLF), with the usual mistakes."""
    rows = ["file,notes,source_url,备注",
            "good/某乡 通报 GBK.txt,GBK 清单的备注,https://example.invalid/a,甲",
            "good/某乡 通报 GBK.txt,重复的行,,乙",
            "good\\004 单份.txt,多余字段的行,,,多余,多余,多余",
            ",没有文件名的行,,"]
    (root / "manifest.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    exp["manifest.csv"] = Expect(False, severity="warning", reason=r"^manifest\.csv",
                                 extra={"problems": MANIFEST_PROBLEMS, "notes": MANIFEST_NOTES})


# ---------------------------------------------------------------- manifests no build may choke on (tests/test_ingest.py)

EMPTY_ROW = dict.fromkeys(["file", "province", "city", "district", "unit", "unit_type", "source_url",
                           "retrieved_on", "notes"], "")


def _write(name: str, data: bytes):
    """A maker of the file ``name`` (in the folder it is given) holding ``data``."""
    return lambda folder: (folder / name).write_bytes(data)


RAGGED = "file,province\na.txt,天津市,多余,多余\nb.txt\n"
HOSTILE_MANIFESTS = {
    # name: (make it in the corpus folder, rows it gives (None: not checked), problem patterns in order)
    "empty file": (_write("manifest.csv", b""), {}, [r"^manifest\.csv: empty file; manifest ignored$"]),
    "blank lines only": (_write("manifest.csv", b"\r\n \r\n"), {}, [r"^manifest\.csv: empty file; manifest ignored$"]),
    "BOM only": (_write("manifest.csv", b"\xef\xbb\xbf"), {}, [r"^manifest\.csv: no header row; manifest ignored$"]),
    "binary junk": (_write("manifest.csv", random.Random(1).randbytes(4096)), {},
                    [r"^manifest\.csv: binary file \(NUL byte at offset \d+\), not text; manifest ignored$"]),
    "an image": (_write("manifest.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)), {},
                 [r"^manifest\.csv: binary file"]),
    "no file column": (_write("manifest.csv", "name,province\na.txt,天津市\n".encode()), {},
                       [r"^manifest\.csv: no 'file' column; manifest ignored$"]),
    "unknown and repeated columns": (
        _write("manifest.csv", "file,省份,notes,notes\na.txt,天津市,甲,乙\n".encode()),
        {"a.txt": {**EMPTY_ROW, "file": "a.txt", "notes": "甲"}},
        [r"^manifest\.csv: unknown column\(s\) 省份 ignored$",
         r"^manifest\.csv: column\(s\) notes appear more than once; the first is used$"]),
    "ragged rows": (_write("manifest.csv", RAGGED.encode()),
                    {"a.txt": {**EMPTY_ROW, "file": "a.txt", "province": "天津市"},
                     "b.txt": {**EMPTY_ROW, "file": "b.txt"}},
                    [r"^manifest\.csv line 2: 4 field\(s\), the header has 2; the extra ones are ignored$",
                     r"^manifest\.csv line 3: 1 field\(s\), the header has 2; the missing ones are empty$"]),
    "a file named twice": (_write("manifest.csv", "file,province\na.txt,天津市\nb.txt,\na.txt,河北省\n".encode()),
                           {"a.txt": {**EMPTY_ROW, "file": "a.txt", "province": "天津市"},
                            "b.txt": {**EMPTY_ROW, "file": "b.txt"}},
                           [r"^manifest\.csv line 4: 'a\.txt' is already on line 2; this row is ignored$"]),
    "an empty file cell": (_write("manifest.csv", "file,province\n,天津市\n".encode()), {},
                           [r"^manifest\.csv line 2: empty 'file'$"]),
    "header only": (_write("manifest.csv", b"file,province\r\n"), {}, []),
    "a cell too long to parse": (
        _write("manifest.csv", ("file,notes\na.txt,甲\nb.txt,\"" + "长" * 200_000 + "\"\nc.txt,乙\n").encode()),
        {"a.txt": {**EMPTY_ROW, "file": "a.txt", "notes": "甲"}},
        [r"^manifest\.csv line 3: cannot be parsed \(field larger than field limit \(\d+\)\); "
         r"the rows after it are ignored$"]),
    "a quote never closed": (_write("manifest.csv", 'file,notes\na.txt,甲\nb.txt,"乙\nc.txt,丙\n'.encode()),
                             {"a.txt": {**EMPTY_ROW, "file": "a.txt", "notes": "甲"},
                              "b.txt": {**EMPTY_ROW, "file": "b.txt", "notes": "乙\nc.txt,丙"}},
                             [r"^manifest\.csv line 3: a quoted cell is never closed \(an odd number of double quotes\); "
                              r"the lines after it may have been read as one cell$"]),
    "an encoding guessed": (_write("manifest.csv", b"file,notes\na.txt,\x80\x81\xff\xfe\x80\n"), None,
                            [r"^manifest\.csv: (encoding detected as|undecodable bytes)"]),
    "a folder named manifest.csv": (lambda root: (root / "manifest.csv").mkdir(), {},
                                    [r"^manifest\.csv: a folder, not a file; manifest ignored$"]),
    "a broken link": (lambda root: os.symlink("gone.csv", root / "manifest.csv"), {},
                      [r"^manifest\.csv: broken symbolic link \(its target does not exist\); manifest ignored$"]),
    "a link out of the corpus": (
        lambda root: (_write("outside.csv", b"file\na.txt\n")(root.parent), os.symlink(root.parent / "outside.csv",
                                                                                        root / "manifest.csv")),
        {}, [r"^manifest\.csv: symbolic link to a file outside the corpus folder; not followed; manifest ignored$"]),
    "a named pipe": (lambda root: os.mkfifo(root / "manifest.csv"), {},
                     [r"^manifest\.csv: named pipe \(FIFO\), not a regular file; not opened; manifest ignored$"]),
}
