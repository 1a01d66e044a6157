"""Text normalisation: the stored normalised text on which every warehouse offset is defined.

What changes (and why):
- line breaks: CRLF/CR and Unicode line/paragraph separators become ``\\n``;
- full-width digits and Latin letters become half-width (NFKC for those ranges only);
- half-width clause punctuation ``, ; : ( ) ! ?`` becomes the full-width Chinese form, so one
  rule matches both; ``:`` between digits (times) and in ``://`` is kept; ``.``/``-``/``%`` keep
  their half-width form (``1.``, ``6.38``, ``2022-03-14``);
- ``．`` (full-width full stop used as ``1．``) and ``％`` become ``.`` and ``%``;
- the ideographic space becomes a plain space; tabs become a space;
- conversion debris is dropped: ``[bookmark: _Hlk…]`` markers, zero-width and other invisible
  formatting characters (zero-width space/joiners, byte-order marks anywhere, soft hyphens,
  left-to-right/right-to-left marks, embeddings, overrides and isolates), C0/C1 control
  characters other than newline.

Every rule runs in time linear in the text, however hostile (long runs of spaces, one 1 MB line).

Every dropped span is reported by :func:`normalize` so nothing is lost silently.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import compress

from analysis.fastre import max_width

# invisible characters go first so that they cannot hide a bookmark marker; a marker rebuilt by
# removing one nested inside it is removed too (normalising twice changes nothing)
_DEBRIS = [
    # invisible: zero-width space/non-joiner/joiner, LRM/RLM, bidi embeddings/overrides/isolates,
    # word joiner and invisible operators, BOM (ZWNBSP), soft hyphen, Mongolian vowel separator
    ("zero_width", re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u180e]")),
    ("control", re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")),
    ("bookmark", re.compile(r"\[bookmark:\s{0,8}[^\]\n]{0,80}\]")),
]

_HALF_TO_FULL = {",": "，", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}


@dataclass
class Normalized:
    """Normalised text plus what was removed from the source."""

    text: str
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (kind, removed text)

    @property
    def n_dropped_chars(self) -> int:
        return sum(len(s) for _, s in self.dropped)


def _table() -> dict[int, str]:
    t: dict[int, str] = {}
    for o in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):
        t[o] = unicodedata.normalize("NFKC", chr(o))
    for ch in ("\u3000", "\t", "\u00a0"):
        t[ord(ch)] = " "
    t.update({ord("．"): ".", ord("％"): "%", ord("／"): "/", ord("－"): "-"})
    t.update({ord(k): v for k, v in _HALF_TO_FULL.items()})
    return t


_TABLE = _table()
_COLON_TO_FULL = re.compile(r"(?<!\d):(?!//)|(?<=\d):(?!\d|//)")


def normalize(raw: str) -> Normalized:
    """Return the normalised text of ``raw`` and the list of dropped debris."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    dropped: list[tuple[str, str]] = []
    for kind, rx in _DEBRIS:
        if kind == "bookmark":
            text = _drop_bookmarks(text, rx, dropped)
            continue
        dropped.extend((kind, s) for s in rx.findall(text))
        text = rx.sub("", text)
    text = _COLON_TO_FULL.sub("：", text).translate(_TABLE)
    # trailing spaces on each line (not the last) carry nothing; no regex, so a long run of
    # spaces is not rescanned from each of its positions
    lines = text.split("\n")
    text = "\n".join([ln.rstrip(" ") for ln in lines[:-1]] + lines[-1:])
    return Normalized(text=text, dropped=dropped)


def _drop_bookmarks(text: str, rx: re.Pattern[str], dropped: list[tuple[str, str]]) -> str:
    """``text`` without bookmark markers, removed pass after pass until none is left: a marker
    rebuilt by removing one nested inside it (``[bookmar[bookmark: x]k: y]``) goes in the next pass.

    The first pass is the regex over the text. A later pass can only find a marker that contains a
    place where the pass before removed one (any other would have been found then), so only those
    places are looked at: nested markers a million characters deep cost one pass, not one pass per
    level (see :class:`_Rebuilt`). The removed markers are listed pass by pass, left to right.
    """
    joins: list[int] = []  # where the first pass removed a marker, in the text it leaves
    removed = 0

    def cut(m: re.Match[str]) -> str:
        nonlocal removed
        dropped.append(("bookmark", m.group(0)))
        removed += len(m.group(0))
        joins.append(m.start() - removed + len(m.group(0)))
        return ""

    text = rx.sub(cut, text)
    return _Rebuilt(text, rx).drop(joins, dropped) if joins else text


class _Rebuilt:
    """The text between passes of :func:`_drop_bookmarks`, as a linked list of its characters.

    A marker ends at the first ``]`` after its start and is at most ``width`` characters long, so
    the text falls into segments, each ending at a ``]``; in one pass a segment loses, at most, the
    marker that starts first among its last ``width`` characters (up to its ``]``), after which it
    runs on into the next segment. A pass reads only the segments that ran on in the pass before.
    """

    def __init__(self, text: str, rx: re.Pattern[str]) -> None:
        self.text, self.rx = text, rx
        self.width = int(max_width(rx.pattern))
        n = len(text)
        self.prev = list(range(-1, n - 1))
        self.next = list(range(1, n + 1))
        self.alive = bytearray(b"\x01") * n
        self.closes = [i for i, c in enumerate(text) if c == "]"]
        self.later = list(range(len(self.closes) + 1))  # union-find: next close not yet removed

    def _next_close(self, k: int) -> int:
        """Index (into ``closes``) of the first remaining ``]`` at index k or after it."""
        root = k
        while self.later[root] != root:
            root = self.later[root]
        while self.later[k] != root:
            self.later[k], k = root, self.later[k]
        return root

    def _segment_end(self, pos: int) -> int:
        """Index of the first remaining ``]`` at or after character ``pos``."""
        return self._next_close(bisect_left(self.closes, pos))

    def _cut(self, k: int) -> str | None:
        """Remove the marker ending at the k-th ``]``, if its segment ends in one; the marker's text."""
        end = self.closes[k]
        chars = [end]
        i = self.prev[end]
        while i >= 0 and len(chars) < self.width and self.text[i] != "]":
            chars.append(i)
            i = self.prev[i]
        chars.reverse()
        window = "".join(self.text[j] for j in chars)
        m = self.rx.search(window)
        if m is None:
            return None
        gone = chars[m.start():]
        before, after = self.prev[gone[0]], self.next[end]
        if before >= 0:
            self.next[before] = after
        if after < len(self.text):
            self.prev[after] = before
        for j in gone:
            self.alive[j] = 0
        self.later[k] = k + 1
        return m.group(0)

    def drop(self, joins: list[int], dropped: list[tuple[str, str]]) -> str:
        """Passes after the first (``joins``: where it removed markers); the text left at the end."""
        todo = sorted({self._segment_end(j) for j in joins} - {len(self.closes)})
        while todo:
            cut: list[tuple[int, str]] = []
            for k in reversed(todo):  # right to left: a segment is read before the one after it runs on
                if (marker := self._cut(k)) is not None:
                    cut.append((k, marker))
            cut.reverse()
            dropped.extend(("bookmark", marker) for _, marker in cut)
            todo = sorted({self._next_close(k) for k, _ in cut} - {len(self.closes)})
        return "".join(compress(self.text, self.alive))


def normalize_text(raw: str) -> str:
    """Shortcut for the normalised string only."""
    return normalize(raw).text
