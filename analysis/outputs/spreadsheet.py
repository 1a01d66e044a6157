"""CSV cells that a spreadsheet would run as a formula are neutralised before any CSV is written.

Excel, LibreOffice and Sheets evaluate a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
a leading tab or carriage return) as a formula, so a manifest note such as ``=HYPERLINK(…)`` or
``+cmd|…`` in a CSV meant for Excel would run (OWASP, "CSV Injection"). Such text cells get a
leading apostrophe, which spreadsheets show as text; numbers are left alone.
"""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
