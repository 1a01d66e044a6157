"""The data dictionary (``analysis schema``, ``docs/schema.md``): every table, view and macro with its columns.

Generated from the definitions; the columns of views and macros are read by creating the schema in
an in-memory DuckDB and describing them, so they cannot drift from the SQL.
"""

from __future__ import annotations

import duckdb

from analysis.schema.model import ddl, view_sql
from analysis.schema.tables import TABLES
from analysis.schema.views import MACROS, VIEWS

HEADER = ("Generated from `analysis/schema/` (tables.py, views.py) by `analysis schema`; "
          "`tests/test_schema.py` fails when this file is out of date.")


def _described() -> dict[str, list[tuple[str, str]]]:
    """Column names and types of every view and macro, from an empty in-memory warehouse."""
    con = duckdb.connect()
    try:
        for t in TABLES.values():
            con.execute(ddl(t))
        for name, view in VIEWS.items():
            con.execute(view_sql(name, view)[0])
        out = {name: [(r[0], r[1]) for r in con.execute(f'describe select * from "{name}"').fetchall()]
               for name in VIEWS}
        for name, macro in MACROS.items():
            con.execute(macro.sql)
            call = macro.call.replace("(q)", "('')").replace("(term, width)", "('', 0)")
            out[name] = [(r[0], r[1]) for r in con.execute(f"describe select * from {call}").fetchall()]
        return out
    finally:
        con.close()


def data_dictionary() -> str:
    """Markdown: every table with key and columns, then every view and macro with its columns."""
    lines = ["# Data dictionary", "", HEADER, ""]
    for t in TABLES.values():
        lines += [f"## `{t.name}`", "", t.description, ""]
        if t.key:
            lines += [f"Key: {', '.join(t.key)}", ""]
        lines += ["| column | type | description |", "|---|---|---|"]
        for c in t.columns:
            extra = " Not null." if c.not_null else ""
            if c.accepted:
                extra += " One of: " + ", ".join(map(str, c.accepted)) + "."
            if c.references:
                extra += f" References {c.references}."
            lines.append(f"| {c.name} | {c.type} | {c.description}{extra} |")
        lines.append("")
    described = _described()
    for kind, defs in (("view", VIEWS), ("macro", MACROS)):
        for name, d in defs.items():
            title = d.call if kind == "macro" else name
            lines += [f"## {kind} `{title}`", "", d.description, "", "| column | type |", "|---|---|"]
            lines += [f"| {c} | {t} |" for c, t in described[name]]
            lines.append("")
    return "\n".join(lines)
