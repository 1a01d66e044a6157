"""The formats a notice arrives in, as text: web pages (``.html``/``.htm``) and ``.docx``.

- HTML: the main text only (scripts, styles, templates, embedded objects, navigation,
  headers/footers and page furniture such as 浏览次数/打印本页/关闭窗口 dropped; a 发布日期 line
  and the publisher named by 来源：… are kept at the top as metadata evidence). Event-handler
  attributes and comments never reach the text.
- ``.docx``: paragraphs and table cells in document order; an archive that is not a zip file or
  that expands beyond ``max_docx_unpacked_bytes`` (an archive bomb) is refused unopened.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
from bs4 import BeautifulSoup, CData, NavigableString, Tag

from analysis.ingest.decoding import HANZI_RX
from analysis.ingest.errors import LIMITS_FILE, IngestError, limit

FURNITURE_RX = re.compile(r"(浏览次数|点击数|阅读次数|字体[：:]?\s*\[?\s*[大中小\s]*\]?|打印本页|关闭窗口|【打印】|【关闭】|"
                          r"分享到|返回顶部|上一篇|下一篇|扫一扫|当前位置|您现在的位置)")
PUBDATE_RX = re.compile(r"(发布日期|发布时间|时间)\s*[：:]\s*(\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?)")
PUBSOURCE_RX = re.compile(r"(?:信息|文章|稿件)?来源\s*[：:]\s*([^\s|，。；）)】\]]{2,40})")

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
    page_text = soup.get_text(" ")
    pub = PUBDATE_RX.search(page_text)
    source = PUBSOURCE_RX.search(page_text)
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
    if source and not any(line.startswith(("来源", "信息来源", "文章来源", "稿件来源")) for line in lines[:15]):
        lines.insert(0, f"来源：{source.group(1)}")
    if pub:
        lines.insert(0, f"发布日期：{pub.group(2)}")
    return "\n".join(lines), warnings


def check_docx_archive(data: bytes) -> None:
    """Refuse a .docx that is not a zip archive or that expands beyond the limit (archive bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise IngestError(f"not a readable .docx ({type(e).__name__}: {e})") from e
    most = limit("max_docx_unpacked_bytes")
    if unpacked > most:
        raise IngestError(f".docx expands to {unpacked / 1e6:.1f} MB > {most / 1e6:.0f} MB "
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

