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
from dataclasses import dataclass, field

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
        found = rx.findall(text)
        while found:
            dropped.extend((kind, s) for s in found)
            text = rx.sub("", text)
            found = rx.findall(text) if kind == "bookmark" else []
    text = _COLON_TO_FULL.sub("：", text).translate(_TABLE)
    # trailing spaces on each line (not the last) carry nothing; no regex, so a long run of
    # spaces is not rescanned from each of its positions
    lines = text.split("\n")
    text = "\n".join([ln.rstrip(" ") for ln in lines[:-1]] + lines[-1:])
    return Normalized(text=text, dropped=dropped)


def normalize_text(raw: str) -> str:
    """Shortcut for the normalised string only."""
    return normalize(raw).text
