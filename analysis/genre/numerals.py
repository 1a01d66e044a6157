"""Numerals of the notices, read in one place: Arabic (12, 6.38) and Chinese (十二, 一百零五).

The parser, the metadata reader and the figure extractors all read numbers through this module,
so that "a number" means the same everywhere. The regex fragments below find a numeral in a
text; :func:`parse_number` and :func:`cn_to_int` turn what they found into a value.
"""

from __future__ import annotations

import re

CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}

CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千"
"""Characters a Chinese numeral is written with in running text (digits, 两, and 十/百/千).

○ and O, which :func:`cn_to_int` reads as zero in years written digit by digit, are left out: in
running text they are placeholders of anonymised numbers or letters, not counts.
"""

NUMBER_START = r"(?<![\d.])"
"""Look-behind: a numeral does not start inside another number (not the 12 of 3.12)."""

NUMERAL = rf"\d+|[{CN_NUMERAL_CHARS}]+"
"""Regex fragment of a whole number, Arabic or Chinese (5, 十二); wrap it in a group to use it."""

RUN_NUMERAL = rf"(?<!\d)\d+|(?<![{CN_NUMERAL_CHARS}])[{CN_NUMERAL_CHARS}]+"
""":data:`NUMERAL` starting where its run of digits starts, for a pattern that may open with a numeral.

Both match the same numbers where a pattern's match cannot start inside a run of digits anyway (the
pattern also matches from the run's start, and the scan gets there first): a scan then tries each
run once instead of reading it to its end from each of its positions (quadratic in a long run).
"""

ARABIC_DECIMAL = r"\d+(?:\.\d+)?"
"""Regex fragment of an Arabic number with optional decimals (6.38), as amounts are written."""

DECIMAL_NUMERAL = rf"{ARABIC_DECIMAL}|[{CN_NUMERAL_CHARS}]+"
"""Regex fragment of an Arabic number with optional decimals or a Chinese numeral."""

_INTEGER_RX = re.compile(r"\d+")
_DECIMAL_RX = re.compile(r"\d+\.\d+")


def cn_to_int(s: str, *, digitwise: bool = False) -> int | None:
    """Arabic or Chinese numeral (一, 十二, 二十三, 一百零五) to int; None when it is not one.

    With ``digitwise`` a numeral without 十/百/千 is read digit by digit (二〇二二 → 2022), as
    years are written.
    """
    s = s.strip() if s else s
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if digitwise and not any(c in CN_UNITS for c in s):
        return int("".join(str(CN_DIGITS[c]) for c in s)) if all(c in CN_DIGITS for c in s) else None
    total, digit = 0, None
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def parse_number(s: str) -> int | float | None:
    """Arabic (``12``, ``6.38``) or Chinese (``十二``, ``二十三``, ``一百零五``) numeral; None if neither.

    What :data:`NUMERAL` and :data:`DECIMAL_NUMERAL` find: whole Arabic numbers give an int,
    numbers with decimals a float, Chinese numerals an int.
    """
    s = s.strip()
    if not s:
        return None
    if _INTEGER_RX.fullmatch(s):
        return int(s)
    if _DECIMAL_RX.fullmatch(s):
        return float(s)
    return cn_to_int(s)
