"""Result frames written to files: CSV (formula cells neutralised), Excel .xlsx, JSON and Parquet.

Excel, LibreOffice and Sheets evaluate a CSV cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
a leading tab or carriage return) as a formula, so a manifest note such as ``=HYPERLINK(…)`` or
``+cmd|…`` in a CSV meant for Excel would run (OWASP, "CSV Injection"). Such text cells get a
leading apostrophe, which spreadsheets show as text; numbers are left alone.

An .xlsx file needs no such change: every text cell is stored as a text cell (never a formula), so
it reads back exactly. What a worksheet cannot hold is refused with a message instead of being cut:
more than 1,048,575 rows or a cell longer than 32,767 characters (write .parquet or .csv instead).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# File endings ``-o FILE`` accepts; the format is chosen by the ending.
OUTPUT_SUFFIXES = (".csv", ".json", ".parquet", ".xlsx")

XLSX_MAX_ROWS = 1_048_576          # rows of a worksheet, the header row included
XLSX_MAX_CELL = 32_767             # characters of one cell
# Control characters an .xlsx (XML 1.0) cannot hold; each is written as U+FFFD so lengths are kept.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class OutputError(ValueError):
    """A frame cannot be written to the file asked for (the message says why and what to do)."""


def neutralise_cell(value: object) -> object:
    """``'`` + the text when it starts like a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot start a formula (column names too)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def check_suffix(path: Path) -> str:
    """The lower-case ending of ``path`` when it is one of :data:`OUTPUT_SUFFIXES`, else :class:`OutputError`."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        what = f"unknown file type {suffix!r}" if suffix else "no file type (the name has no ending)"
        accepted = ", ".join(OUTPUT_SUFFIXES[:-1]) + " or " + OUTPUT_SUFFIXES[-1]
        raise OutputError(f"{path}: {what}; the name must end in {accepted} (the ending chooses the format)")
    return suffix


def _json(df: pd.DataFrame) -> str:
    return df.to_json(orient="records", force_ascii=False, date_format="iso", indent=1)


def _xlsx_value(value: object, column: object) -> object:
    """A value openpyxl can store, read back as the same text or number; NULL as an empty cell."""
    if isinstance(value, np.ndarray | list | tuple | dict):
        value = json.dumps(value.tolist() if isinstance(value, np.ndarray) else value, ensure_ascii=False,
                           default=str)
    elif pd.isna(value):
        return None
    elif isinstance(value, np.datetime64 | np.timedelta64):
        value = pd.Timestamp(value) if isinstance(value, np.datetime64) else pd.Timedelta(value).to_pytimedelta()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, bool | int | decimal.Decimal):
        return value
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime | dt.time) and value.tzinfo is not None:
        return value.isoformat()                   # Excel has no time zones: keep the zone as text
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return value
    if isinstance(value, bytes):
        value = value.hex()
    text = _XML_ILLEGAL.sub("\ufffd", str(value))
    if len(text) > XLSX_MAX_CELL:
        raise OutputError(f"column {column} holds a value of {len(text):,} characters, more than an Excel cell "
                          f"holds ({XLSX_MAX_CELL:,}); leave the column out, or write .parquet or .csv instead")
    return text


def write_xlsx(df: pd.DataFrame, path: Path, sheet: str = "result") -> None:
    """Write ``df`` as one worksheet with a header row; text cells stay text (never formulas)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    if len(df) + 1 > XLSX_MAX_ROWS:
        raise OutputError(f"{len(df):,} rows do not fit an Excel worksheet ({XLSX_MAX_ROWS - 1:,} at most); "
                          "write .parquet or .csv instead")
    rows = [[_xlsx_value(str(c), "name") for c in df.columns]]      # every value checked before writing
    rows += [[_xlsx_value(v, col) for v, col in zip(row, df.columns, strict=True)]
             for row in df.itertuples(index=False, name=None)]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)

    def cell(value: object) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            c.data_type = "s"                      # a text starting with = stays text
        return c

    for row in rows:
        ws.append([cell(v) for v in row])
    wb.save(path)


def write_frame(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` in the format its ending names (:data:`OUTPUT_SUFFIXES`)."""
    path = Path(path)
    suffix = check_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        df.to_parquet(path, index=False)
    elif suffix == ".json":
        path.write_text(_json(df), encoding="utf-8")
    elif suffix == ".xlsx":
        write_xlsx(df, path)
    else:
        csv_safe(df).to_csv(path, index=False, encoding="utf-8-sig")
