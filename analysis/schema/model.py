"""The vocabulary of the metadata source: columns, tables, views and macros, and the SQL derived from them.

Everything here is pure: definitions in, SQL text or frames out. :mod:`analysis.schema.tables`
and :mod:`analysis.schema.views` hold the definitions; :mod:`analysis.warehouse.db` executes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd


class SchemaError(ValueError):
    """Rows or a frame that do not fit their table's declared columns (the message names both)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    not_null: bool = False
    accepted: tuple | None = None  # accepted values (NULL always allowed unless not_null)
    references: str | None = None  # "table.column"


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    stage: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


C = Column
DOC = C("doc_id", "VARCHAR", "Document id: first 16 hex digits of the SHA-256 of the file's bytes.", True,
        references="documents.doc_id")
START = C("char_start", "INTEGER", "Start offset (0-based, characters) in documents.text.", True)
END = C("char_end", "INTEGER", "End offset (exclusive) in documents.text; "
        "substr(text, char_start+1, char_end-char_start) is the unit.", True)
PLACE_SRC = "Where the value came from: 'manifest', 'text:<evidence>' (issuer, address, phone, domain…) or NULL."
DATE_SRC = "Where the date came from: 'text:<phrase>', 'recovered:<how>' for repaired damage, or NULL."


class View(NamedTuple):
    """A view: what it shows and the body of ``create view <name> as <sql>``."""

    description: str
    sql: str


class Macro(NamedTuple):
    """A table macro: what it returns, its signature as called (``search_units(q)``) and its full DDL."""

    description: str
    call: str
    sql: str


def quote(s: str) -> str:
    """A SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def ddl(table: Table) -> str:
    cols = ",\n  ".join(f'"{c.name}" {c.type}' for c in table.columns)
    return f'create table "{table.name}" (\n  {cols}\n)'


def comments_sql(table: Table) -> list[str]:
    out = [f'comment on table "{table.name}" is {quote(table.description)}']
    out += [f'comment on column "{table.name}"."{c.name}" is {quote(c.description)}' for c in table.columns]
    return out


def view_sql(name: str, view: View) -> list[str]:
    """Create-or-replace and comment statements of a view."""
    return [f'create or replace view "{name}" as {view.sql}', f'comment on view "{name}" is {quote(view.description)}']


def check_columns(table: Table, columns, what: str = "frame") -> None:
    """Raise :class:`SchemaError` unless ``columns`` are exactly the table's columns (any order)."""
    have = list(columns)
    want = table.column_names
    unknown = [c for c in have if c not in want]
    missing = [c for c in want if c not in have]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown column(s) {', '.join(map(str, unknown))}")
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        raise SchemaError(f"{what} for table {table.name}: {'; '.join(parts)} (declared in analysis/schema/tables.py)")


def frame_for(table: Table, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the table's columns in declared order; an unknown or missing column is an error."""
    check_columns(table, df.columns)
    return df[table.column_names]
