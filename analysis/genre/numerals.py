"""Chinese numerals, shared by the parser, the metadata reader and the figure extractor."""

from __future__ import annotations

CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}


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
