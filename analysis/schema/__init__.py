"""The one metadata source: every warehouse table, column, view and macro, with its type and meaning.

From these definitions come the DDL (:func:`ddl`), the DuckDB ``COMMENT``s (:func:`comments_sql`),
the column lists each stage writes (``TABLES[name].column_names``), the data dictionary
(:func:`data_dictionary`: ``analysis schema`` and ``docs/schema.md``) and the data tests
(:func:`check_constraints`: unique keys, not-null columns, relations and accepted values).

- :mod:`analysis.schema.model` — Column, Table, View, Macro and the SQL derived from them;
- :mod:`analysis.schema.tables` — every table;
- :mod:`analysis.schema.views` — every view and table macro;
- :mod:`analysis.schema.checks` — the data tests;
- :mod:`analysis.schema.dictionary` — the data dictionary.
"""

from analysis.schema.checks import check_constraints
from analysis.schema.dictionary import data_dictionary
from analysis.schema.model import (
    Column,
    Macro,
    SchemaError,
    Table,
    View,
    check_columns,
    comments_sql,
    ddl,
    frame_for,
    quote,
    view_sql,
)
from analysis.schema.tables import TABLES
from analysis.schema.views import DISTRICT_DISCIPLINE_SQL, MACROS, VIEWS, terms_sql

__all__ = [
    "DISTRICT_DISCIPLINE_SQL", "MACROS", "TABLES", "VIEWS", "Column", "Macro", "SchemaError", "Table", "View",
    "check_columns", "check_constraints", "comments_sql", "data_dictionary", "ddl", "frame_for", "quote",
    "terms_sql", "view_sql",
]
