"""Bytes → text: the encodings a notice (or a manifest) arrives in, decoded strictly.

UTF-8 (with or without BOM), UTF-16 (BOM, or detected from its NUL pattern) and GB18030/GBK are
decoded strictly. A file whose lines are partly UTF-8 and partly GB18030 (paragraphs pasted from
two sources) is decoded line by line, with a warning giving the counts. Only when none of these
decodes cleanly is charset-normalizer asked, and the result then carries a warning with the
detected encoding and its confidence. Empty, binary (a NUL byte outside UTF-16, or control
bytes) and undecodable data is refused with an :class:`IngestError`.

:func:`hanzi_profile` tells Chinese prose (common characters) from random bytes or a wrong
encoding (rare ones).
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from charset_normalizer import from_bytes

from analysis.ingest.errors import IngestError, limit

HANZI_RX = re.compile(r"[\u4e00-\u9fff]")
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
    return n < limit("common_hanzi_min_count") or share >= limit("common_hanzi_min_share")


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

