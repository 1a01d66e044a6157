"""The one module that opens the warehouse: read-only connections, the build lock, DDL and inserts.

Readers (notebooks, export, report, search) need only :func:`connect_readonly`; the build uses the
rest. Tables, views and macros come from :mod:`analysis.schema`, the single metadata source, and
every insert takes exactly a table's declared columns: an unknown or missing column is an error
(:class:`analysis.schema.SchemaError`), never a silent NULL.
"""

from __future__ import annotations

import contextlib
import fcntl
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from analysis import schema
from analysis.paths import build_memory_limit, query_memory_limit


class WarehouseError(Exception):
    """A warehouse problem a user can act on; the message says what to do."""


class BuildLocked(WarehouseError):
    """Another build of the same warehouse holds the lock."""


# ---------------------------------------------------------------- connections and the lock

def connect_readonly(db: Path, *, write_to: Path | None = None,
                     memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only and sandboxed, with a clear message when it is missing or damaged.

    The connection cannot write the database, touch any other file (``COPY … TO``, ``EXPORT``,
    ``read_text``, ``glob``, ``ATTACH``), install or load extensions, or change its settings
    (``lock_configuration``); its memory is capped (:func:`analysis.paths.query_memory_limit`).
    ``write_to`` is the one folder a command that writes files (export) may write into.
    """
    db = Path(db)
    if not db.exists():
        raise WarehouseError(f"{db} does not exist yet; build it with `analysis build` (or `make build`)")
    if not db.is_file():
        raise WarehouseError(f"{db} is not a file; give the path of a warehouse built with `analysis build`")
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False,
              "memory_limit": memory_limit or query_memory_limit()}
    try:
        con = duckdb.connect(str(db), read_only=True, config=config)
    except duckdb.Error as e:
        raise WarehouseError(f"{db} is not a readable DuckDB warehouse ({str(e).splitlines()[0]}); rebuild it "
                             "with `analysis build --full` (or `make build FULL=1`)") from e
    try:
        if write_to is not None:
            con.execute("set allowed_directories = ?", [[str(Path(write_to).resolve())]])
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except duckdb.Error:
        con.close()
        raise
    return con


class QueryTimeout(WarehouseError):
    """A query ran longer than its time limit and was interrupted."""


def execute_with_timeout(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None,
                         timeout: float | None = None) -> pd.DataFrame:
    """Run ``sql`` and return its result as a frame, interrupting it after ``timeout`` seconds."""
    if not timeout:
        return con.execute(sql, params or []).df()
    timer = threading.Timer(timeout, con.interrupt)
    timer.start()
    try:
        return con.execute(sql, params or []).df()
    except duckdb.InterruptException as e:
        raise QueryTimeout(f"the query was stopped after its time limit of {timeout:g} s "
                           "(--timeout, or $ANALYSIS_QUERY_TIMEOUT)") from e
    finally:
        timer.cancel()


def connect_for_build(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a build's temporary file, with the build's memory limit."""
    return duckdb.connect(str(path), config={"memory_limit": build_memory_limit()})


@contextlib.contextmanager
def build_lock(db: Path) -> Iterator[int]:
    """Hold ``<db>.lock`` exclusively for the duration of a build; a second build refuses at once.

    Yields the lock's file descriptor, which worker processes close at start so that a worker
    outliving a killed build can never keep the lock.
    """
    lock_path = db.with_name(db.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(lock_path, "a+")
    except OSError as e:
        raise WarehouseError(f"cannot create {lock_path} ({e.strerror or e}); the warehouse's folder must be "
                             "writable") from e
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise BuildLocked(f"another build of {db.name} is running (lock {lock_path.name} is held); "
                              "wait for it to finish and run the build again") from e
        yield fh.fileno()
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


# ---------------------------------------------------------------- DDL

def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for t in schema.TABLES.values():
        con.execute(schema.ddl(t))


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """Every view of the schema (the corpus stages read document_groups, so this runs before them)."""
    for name, view in schema.VIEWS.items():
        for stmt in schema.view_sql(name, view):
            con.execute(stmt)


def finish(con: duckdb.DuckDBPyConnection) -> None:
    """Views, macros and the COMMENTs of every table and column, as the last step of a build."""
    create_views(con)
    for macro in schema.MACROS.values():
        con.execute(macro.sql)
    for t in schema.TABLES.values():
        for stmt in schema.comments_sql(t):
            con.execute(stmt)


# ---------------------------------------------------------------- inserts

def table_columns(table: str) -> list[str]:
    """The declared columns of ``table``, in order."""
    return schema.TABLES[table].column_names


_ARROW_TYPES = {"VARCHAR": "string", "INTEGER": "int32", "BIGINT": "int64", "DOUBLE": "float64", "BOOLEAN": "bool_",
                "DATE": "date32"}


def _arrow_column(values: list, sql_type: str | None = None) -> pa.Array:
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


def arrow_table(table: str, columns: dict[str, list]) -> pa.Table:
    """One table's column lists as an Arrow table; the lists must be exactly the table's columns."""
    t = schema.TABLES[table]
    schema.check_columns(t, columns, "column lists")
    return pa.table({c.name: _arrow_column(columns[c.name], c.type) for c in t.columns})


def _insert_arrow(con: duckdb.DuckDBPyConnection, table: str, batch: pa.Table | None) -> None:
    if batch is None or batch.num_rows == 0:
        return
    schema.check_columns(schema.TABLES[table], batch.column_names, "Arrow batch")
    con.register("_batch", batch)
    try:
        collist = ", ".join(f'"{c}"' for c in table_columns(table))
        con.execute(f'insert into "{table}" ({collist}) select {collist} from _batch')
    finally:
        con.unregister("_batch")


def insert_arrow_tables(con: duckdb.DuckDBPyConnection, table: str, tables: list[pa.Table]) -> None:
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


def insert_columns(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list]) -> None:
    """Insert column lists through Arrow (no pandas); DuckDB casts to the declared column types."""
    _insert_arrow(con, table, arrow_table(table, columns))


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    """Append ``df`` to ``table``; its columns must be exactly the table's (any order).

    A frame without rows or columns (a stage that found nothing) inserts nothing."""
    if df.empty and len(df.columns) == 0:
        return
    df = schema.frame_for(schema.TABLES[table], df)
    if df.empty:
        return
    con.register("_frame", df)
    try:
        cols = ", ".join(f'"{c}"' for c in table_columns(table))
        con.execute(f'insert into "{table}" ({cols}) select {cols} from _frame')
    finally:
        con.unregister("_frame")


def insert_sql(con: duckdb.DuckDBPyConnection, sql: str, table: pa.Table) -> None:
    """Run ``sql`` with ``table`` registered as ``_arrow`` (a corpus stage's bulk insert)."""
    con.register("_arrow", table)
    try:
        con.execute(sql)
    finally:
        con.unregister("_arrow")


_DOC_ID = re.compile(r"[0-9a-f]{16}")


def doc_id_list(ids: list[str]) -> str:
    """A SQL list literal of document ids, for ``where doc_id in (…)``.

    Doc ids are 16 lower-case hex digits; anything else raises ``ValueError`` (an assert would vanish
    under ``python -O``). DuckDB filters a literal list far faster than a join on a registered frame.
    """
    bad = [i for i in ids if not isinstance(i, str) or not _DOC_ID.fullmatch(i)]
    if bad:
        raise ValueError(f"not a document id: {bad[0]!r} (expected 16 hex digits)")
    return ", ".join(f"'{i}'" for i in ids)
