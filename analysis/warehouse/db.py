"""The one module that opens the warehouse: read-only connections, the build lock, DDL and inserts.

Readers (notebooks, export, report, search) need only :func:`connect_readonly`; the build uses the
rest. Tables and views come from :mod:`analysis.schema`, the single metadata source.
"""

from __future__ import annotations

import contextlib
import fcntl
import warnings
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from analysis import schema


class WarehouseError(Exception):
    """A warehouse problem a user can act on; the message says what to do."""


class BuildLocked(WarehouseError):
    pass


def _table_columns(table: str) -> list[str]:
    return schema.TABLES[table].column_names + (["fingerprint"] if table == "documents" else [])


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for t in schema.TABLES.values():
        con.execute(schema.ddl(t))
        if t.name == "documents":
            con.execute('alter table documents add column "fingerprint" VARCHAR')
            con.execute("comment on column documents.fingerprint is 'Hash of file bytes, manifest row and "
                        "pipeline version; unchanged documents are reused by incremental builds.'")


def _create_views(con: duckdb.DuckDBPyConnection) -> None:
    for name, (desc, sql) in schema.VIEWS.items():
        con.execute(f'create or replace view "{name}" as {sql}')
        con.execute(f"comment on view \"{name}\" is {schema._q(desc)}")


def _finish(con: duckdb.DuckDBPyConnection) -> None:
    _create_views(con)
    for t in schema.TABLES.values():
        for stmt in schema.comments_sql(t):
            con.execute(stmt)


_ARROW_TYPES = {"VARCHAR": "string", "INTEGER": "int32", "BIGINT": "int64", "DOUBLE": "float64", "BOOLEAN": "bool_",
                "DATE": "date32"}


def _arrow_column(values: list, sql_type: str | None = None):
    """An Arrow array of the column's declared type when the values allow, else inferred, else text."""

    name = _ARROW_TYPES.get(sql_type or "")
    if name is not None:
        try:
            return pa.array(values, type=getattr(pa, name)())
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            pass
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        # mixed Python types in one column: pass text and let DuckDB cast to the column's type
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _arrow_table(table: str, columns: dict[str, list]):
    """One table's column lists as an Arrow table with exactly the table's columns."""

    types = {c.name: c.type for c in schema.TABLES[table].columns}
    cols = _table_columns(table)
    n = len(columns.get(cols[0], []))
    def empty(c: str):
        name = _ARROW_TYPES.get(types.get(c, ""))
        return pa.nulls(n, type=getattr(pa, name)() if name else pa.string())

    return pa.table({c: _arrow_column(columns[c], types.get(c)) if c in columns else empty(c) for c in cols})


def _insert_arrow(con: duckdb.DuckDBPyConnection, table: str, batch) -> None:
    if batch is None or batch.num_rows == 0:
        return
    con.register("_batch", batch)
    collist = ", ".join(f'"{c}"' for c in _table_columns(table))
    con.execute(f'insert into "{table}" ({collist}) select {collist} from _batch')
    con.unregister("_batch")


def _insert_tables(con: duckdb.DuckDBPyConnection, table: str, tables: list) -> None:
    """Insert per-document Arrow tables in one batch (one insert per document if their types differ)."""

    tables = [t for t in tables if t.num_rows]
    if not tables:
        return
    try:   # the usual case: every document's table has the declared types, so this is zero-copy
        batch = pa.concat_tables(tables)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        try:
            batch = pa.concat_tables(tables, promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            for t in tables:
                _insert_arrow(con, table, t)
            return
    _insert_arrow(con, table, batch)


def _insert_columns(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list]) -> None:
    """Insert column lists through Arrow (no pandas); DuckDB casts to the declared column types."""
    _insert_arrow(con, table, _arrow_table(table, columns))


def _insert(con: duckdb.DuckDBPyConnection, table: str, frames: list[pd.DataFrame]) -> None:
    frames = [f for f in frames if f is not None and not f.empty]
    if not frames:
        return
    with warnings.catch_warnings():
        # all-NULL columns in some batches (e.g. no finding anywhere) are expected; DuckDB casts on insert
        warnings.simplefilter("ignore", FutureWarning)
        df = pd.concat(frames, ignore_index=True)
    cols = _table_columns(table)
    df = schema.frame_for(table, df) if table != "documents" else df.reindex(columns=cols)
    con.register("_batch", df)
    collist = ", ".join(f'"{c}"' for c in cols)
    con.execute(f'insert into "{table}" ({collist}) select {collist} from _batch')
    con.unregister("_batch")


@contextlib.contextmanager
def build_lock(db: Path) -> Iterator[None]:
    lock_path = db.with_name(db.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise BuildLocked(f"another build of {db.name} is running (lock {lock_path.name} is held); "
                              "wait for it to finish and run the build again") from e
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def connect_readonly(db: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only with a clear message when it is missing or damaged."""
    db = Path(db)
    if not db.exists():
        raise WarehouseError(f"{db} does not exist yet; build it with `analysis build` (or `make build`)")
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error as e:
        raise WarehouseError(f"{db} is not a readable DuckDB warehouse ({str(e).splitlines()[0]}); rebuild it "
                             "with `analysis build --full` (or `make build FULL=1`)") from e

