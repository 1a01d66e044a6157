"""What every part of the metadata reader shares: the output fields, the record being filled,
the placeholder characters of anonymised templates and numerals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from analysis.genre.numerals import NUMERAL, RUN_NUMERAL, cn_to_int
from analysis.notice.metadata.cues import chars

METADATA_FIELDS: list[str] = [
    "title",
    "issuer",
    "unit",
    "unit_source",
    "unit_type",
    "unit_type_source",
    "province",
    "province_source",
    "city",
    "city_source",
    "district",
    "district_source",
    "province_confidence",
    "city_confidence",
    "district_confidence",
    "place_conflict",
    "inspection_round",
    "inspection_group",
    "inspection_group_source",
    "inspection_start",
    "inspection_start_source",
    "inspection_end",
    "inspection_end_source",
    "feedback_date",
    "feedback_date_source",
    "publish_date",
    "publish_date_source",
    "inspection_year",
    "inspection_year_source",
    "anonymized",
    "warnings",
]

CJK = r"\u4e00-\u9fff"
NUM = f"(?:{NUMERAL})"  # a group or round number (五, 12)
RUN_NUM = f"(?:{RUN_NUMERAL})"  # the same where a pattern opens with it (see RUN_NUMERAL)
PH = "X×"  # placeholder characters of anonymised templates


@dataclass
class Out:
    """The metadata being read: values by field, and the warnings raised on the way."""

    values: dict = field(default_factory=lambda: dict.fromkeys(METADATA_FIELDS))
    warnings: list[str] = field(default_factory=list)

    def set(self, key: str, value, source: str | None) -> None:
        """Set a field and its ``<field>_source`` (no source without a value)."""
        self.values[key] = value
        self.values[key + "_source"] = source if value is not None else None


def is_placeholder(s: str) -> bool:
    """Whether ``s`` contains a placeholder character (X, ×)."""
    return any(c in PH for c in s)


def cn_int(s: str) -> int | None:
    """Arabic or Chinese numeral (一, 十五, 二十三, 一百零二) to int; None for placeholders."""
    s = s.strip()
    if not s or is_placeholder(s):
        return None
    return cn_to_int(s, digitwise=True)


@lru_cache(maxsize=1)
def _template_marks() -> re.Pattern[str]:
    slot = chars("template_slot_chars")
    return re.compile(rf"(?<![A-Za-z])(?:[{PH}]{{2,}}|[{PH}](?=[{slot}])|(?<=第)[{PH}])(?![A-Za-z])")


def is_anonymized(text: str, placeholder_date: bool) -> bool:
    """Placeholder dates (X月X日) or at least two placeholders in name/number slots (XX同志, 第X)."""
    if placeholder_date:
        return True
    return len(_template_marks().findall(text)) >= 2
