"""Step 2 of the parser: the outline tree built from the marked lines.

A marker family seen for the first time nests under the current heading; a family already on
the stack closes everything below it (its new heading is a sibling). An opener line (contact,
next steps, signature) starts an implicit top-level part; unnumbered text before the first
heading is an implicit preamble. Each node ends where its next sibling (or its parent) ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from analysis.notice.parse.lines import Line, heading_like

IMPLICIT = "#implicit"  # family of the implicit parts (preamble, contact, next steps, signature)


@dataclass(eq=False)
class Node:
    """An outline node; nodes compare by identity (a tree has no two equal nodes)."""

    line: Line | None  # None for the root and implicit sections
    family: str | None
    number: int | None
    start: int
    end: int = 0
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    implicit_kind: str | None = None
    body_lines: list[Line] = field(default_factory=list)
    nests: bool = False  # an implicit part whose numbered headings are its children (下一步工作打算)

    @property
    def depth(self) -> int:
        d, p = 0, self.parent
        while p is not None:
            d, p = d + 1, p.parent
        return d

    def heading_text(self, text: str) -> str:
        if self.line is None:
            return ""
        return text[self.line.content_start:self.line.end].strip()


def build_tree(lines: list[Line], text_len: int) -> Node:
    """Step 2: the outline tree of the lines (root spans the whole text)."""
    root = Node(line=None, family=None, number=None, start=0, end=text_len)
    stack: list[Node] = [root]
    for ln in lines:
        if ln.opener is not None:
            if stack[-1].implicit_kind == ln.opener and len(stack) == 2:
                stack[-1].body_lines.append(ln)
                continue
            node = Node(line=None, family=IMPLICIT, number=None, start=ln.start, parent=root,
                        implicit_kind=ln.opener)
            root.children.append(node)
            node.body_lines.append(ln)
            node.nests = ln.opener == "next_steps" and heading_like(ln)
            stack = [root, node]
            continue
        if ln.family is None:
            if len(stack) == 1 and (not root.children or root.children[-1].implicit_kind != "preamble"):
                node = Node(line=None, family=IMPLICIT, number=None, start=ln.start, parent=root,
                            implicit_kind="preamble")
                root.children.append(node)
                stack = [root, node]
            stack[-1].body_lines.append(ln)
            continue
        pos = next((i for i in range(len(stack) - 1, 0, -1) if stack[i].family == ln.family), None)
        if pos is not None:
            stack = stack[:pos]
        elif len(stack) == 2 and stack[1].family == IMPLICIT and not stack[1].nests:
            stack = stack[:1]
        parent = stack[-1]
        node = Node(line=ln, family=ln.family, number=ln.number, start=ln.start, parent=parent)
        parent.children.append(node)
        stack.append(node)
    _close(root, text_len)
    return root


def _close(node: Node, end: int) -> None:
    node.end = end
    for i, ch in enumerate(node.children):
        nxt = node.children[i + 1].start if i + 1 < len(node.children) else end
        _close(ch, nxt)


def walk(node: Node) -> Iterator[Node]:
    """Every node below ``node``, depth first in text order."""
    for ch in node.children:
        yield ch
        yield from walk(ch)


def ancestors(n: Node) -> list[Node]:
    """Parent, grandparent … up to the root."""
    out = []
    p = n.parent
    while p is not None:
        out.append(p)
        p = p.parent
    return out


def top_of(n: Node) -> Node:
    """The top-level part holding ``n`` (``n`` itself at top level)."""
    while n.parent is not None and n.parent.parent is not None:
        n = n.parent
    return n


def depth_of_family(root: Node, family: str) -> int:
    """The most common depth of the family's nodes (0 when it has none)."""
    ds = [n.depth for n in walk(root) if n.family == family]
    return max(set(ds), key=ds.count) if ds else 0
