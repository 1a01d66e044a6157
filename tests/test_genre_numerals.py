"""Tests of the one numeral reader (analysis.genre.numerals), on small invented numbers."""

from __future__ import annotations

import re

import pytest

from analysis.genre.numerals import (
    ARABIC_DECIMAL,
    DECIMAL_NUMERAL,
    NUMBER_START,
    NUMERAL,
    cn_to_int,
    parse_number,
)


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), (" 7 ", 7), ("6.38", 6.38), ("一", 1), ("十二", 12), ("二十三", 23), ("一百零五", 105),
    ("两", 2), ("十", 10), ("", None), ("  ", None), ("abc", None), ("1.2.3", None), ("十X", None),
])
def test_parse_number(raw: str, expected: int | float | None) -> None:
    got = parse_number(raw)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(("raw", "digitwise", "expected"), [
    ("二〇二二", True, 2022), ("二十", True, 20), ("2023", False, 2023),
    ("", False, None), ("年", False, None),
])
def test_cn_to_int(raw: str, digitwise: bool, expected: int | None) -> None:
    assert cn_to_int(raw, digitwise=digitwise) == expected


@pytest.mark.parametrize(("fragment", "text", "found"), [
    (NUMERAL, "诫勉谈话5人，批评教育十二人", ["5", "十二"]),
    (NUMERAL, "挽回6.38万元", ["6", "38"]),
    (DECIMAL_NUMERAL, "挽回6.38万元，两项", ["6.38", "两"]),
    (ARABIC_DECIMAL, "清退66.57万元和三万元", ["66.57"]),
])
def test_fragments(fragment: str, text: str, found: list[str]) -> None:
    assert re.findall(f"(?:{fragment})", text) == found


def test_number_start_skips_the_inside_of_numbers() -> None:
    assert re.findall(rf"{NUMBER_START}(?:{NUMERAL})人", "3.12人，5人") == ["5人"]
