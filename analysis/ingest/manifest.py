"""``corpus/manifest.csv``: what is known about a file that its text may not say (optional).

The manifest is read as a spreadsheet writes it: UTF-8 with or without BOM, GBK/GB18030 (Excel's
"CSV" on a Chinese Windows machine), UTF-16 with BOM (Excel's "Unicode text", tab-separated),
comma-, tab- or semicolon-separated (told from the header row), with LF, CRLF or CR line ends.
Column names are compared without case or surrounding spaces; a ``file`` cell may use ``\\``
as separator. Nothing in it stops a build: every problem (a manifest that cannot be read or
decoded, no ``file`` column, unknown columns, rows with too many or too few fields, a file named
twice, a row that cannot be parsed) is returned as a message, and the build lists each in
``load_issues`` (``source_file`` = ``manifest.csv``, severity ``warning``). Rows wholly empty
(trailing rows of a spreadsheet) are skipped; of two rows for one file the first counts.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from analysis.ingest.decoding import decode_bytes
from analysis.ingest.errors import IngestError
from analysis.ingest.filesystem import MANIFEST_NAME, read_regular_file

MANIFEST_FIELDS = ["file", "province", "city", "district", "unit", "unit_type", "source_url", "retrieved_on",
                   "notes"]
DELIMITERS = (",", "\t", ";")  # comma first: it wins a tie
CELL_DEBRIS_RX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u200b]")


def read_manifest(corpus_root: Path) -> tuple[dict[str, dict], list[str]]:
    """``corpus/manifest.csv`` keyed by file (relative path); optional. Returns (rows, problems)."""
    path = Path(corpus_root) / MANIFEST_NAME
    if not os.path.lexists(path):
        return {}, []
    try:
        data = read_regular_file(path, Path(corpus_root), "max_manifest_bytes")
        text, _, warnings = decode_bytes(data)
    except IngestError as e:
        return {}, [f"{MANIFEST_NAME}: {e}; manifest ignored"]
    rows, problems = parse_manifest(text)
    return rows, [f"{MANIFEST_NAME}: {w}" for w in warnings] + problems


def parse_manifest(text: str) -> tuple[dict[str, dict], list[str]]:
    """The decoded manifest's rows keyed by file, and its problems (each starting with ``manifest.csv``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next((r for r in reader if any(c.strip() for c in r)), None)
    except csv.Error as e:
        return {}, [f"{MANIFEST_NAME} line {reader.line_num}: header cannot be parsed ({e}); manifest ignored"]
    if header is None:
        return {}, [f"{MANIFEST_NAME}: no header row; manifest ignored"]
    names = [column_name(h) for h in header]
    if "file" not in names:
        return {}, [f"{MANIFEST_NAME}: no 'file' column; manifest ignored"]
    problems = _header_problems(names)
    column = {}
    for i, n in enumerate(names):
        column.setdefault(n, i)
    rows: dict[str, dict] = {}
    first_line: dict[str, int] = {}
    line = end = reader.line_num  # first line of the record being read, last line of the one before
    try:
        for cells in reader:
            line, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                what = "the extra ones are ignored" if len(cells) > len(header) else "the missing ones are empty"
                problems.append(f"{MANIFEST_NAME} line {line}: {len(cells)} field(s), the header has {len(header)}; "
                                f"{what}")
            row = {k: _cell(cells, column.get(k)) for k in MANIFEST_FIELDS}
            f = normalize_file_cell(row["file"])
            if not f:
                problems.append(f"{MANIFEST_NAME} line {line}: empty 'file'")
                continue
            if f in rows:
                problems.append(f"{MANIFEST_NAME} line {line}: {f!r} is already on line {first_line[f]}; "
                                "this row is ignored")
                continue
            rows[f] = {**row, "file": f}
            first_line[f] = line
    except csv.Error as e:
        problems.append(f"{MANIFEST_NAME} line {reader.line_num}: cannot be parsed ({e}); "
                        "the rows after it are ignored")
    if text.count('"') % 2:
        problems.append(f"{MANIFEST_NAME} line {line}: a quoted cell is never closed (an odd number of double "
                        "quotes); the lines after it may have been read as one cell")
    return rows, problems


def column_name(cell: str) -> str:
    """A header cell as a column name: without case, surrounding spaces or a stray BOM."""
    return CELL_DEBRIS_RX.sub("", cell).strip().lower()


def normalize_file_cell(value: str) -> str:
    """A ``file`` cell as a corpus path: ``/`` separators, no leading ``./``."""
    f = value.replace("\\", "/")
    while f.startswith("./"):
        f = f[2:]
    return f


def _delimiter(text: str) -> str:
    """The separator that splits the header row into the most known column names."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    best, best_score = DELIMITERS[0], -1
    for d in DELIMITERS:
        try:
            cells = next(csv.reader([first], delimiter=d), [])
        except csv.Error:
            continue
        score = len({column_name(c) for c in cells} & set(MANIFEST_FIELDS))
        if score > best_score:
            best, best_score = d, score
    return best


def _header_problems(names: list[str]) -> list[str]:
    problems = []
    unknown = {n for n in names if n} - set(MANIFEST_FIELDS)
    if unknown:
        problems.append(f"{MANIFEST_NAME}: unknown column(s) {', '.join(sorted(unknown))} ignored")
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        problems.append(f"{MANIFEST_NAME}: column(s) {', '.join(twice)} appear more than once; the first is used")
    return problems


def _cell(cells: list[str], i: int | None) -> str:
    if i is None or i >= len(cells):
        return ""
    return CELL_DEBRIS_RX.sub("", cells[i]).strip()
