"""Helpers every corpus-wide stage shares: writing a table, recording its parameters in
``analysis_runs``, numbering distinct values and reading unit token codes through Arrow."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd

from analysis.compare.collocations import kinds_filter_sql, quote_sql
from analysis.warehouse.db import insert_frame

GROUP_SQL = 'select doc_id, "group", district, city, province from document_groups'  # view in analysis.schema
def write(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    con.execute(f'delete from "{table}"')
    insert_frame(con, table, df)


def record(con: duckdb.DuckDBPyConnection, stage: str, params: dict, description: str = "") -> None:
    con.execute("delete from analysis_runs where stage = ?", [stage])
    con.execute("insert into analysis_runs values (?, ?, ?)", [stage, json.dumps(params, ensure_ascii=False,
                                                                                sort_keys=True), description])


def codes_table(con: duckdb.DuckDBPyConnection, table: str, column: str) -> tuple[str, np.ndarray]:
    """A temp table numbering the distinct values of ``table.column`` in sorted order, and the values."""
    name = f"_codes_{column}"
    con.execute(f'create or replace temp table {name} as select "{column}", '
                f'(row_number() over (order by "{column}") - 1)::integer as code '
                f'from (select distinct "{column}" from {table})')
    values = np.array([r[0] for r in con.execute(f"select \"{column}\" from {name} order by code").fetchall()],
                      dtype=object)
    return name, values


def unit_groups(con: duckdb.DuckDBPyConnection, units_table: str) -> tuple[np.ndarray, np.ndarray]:
    """Group of every unit of a term-count table (codes in ``u`` order) and the sorted group names."""
    con.execute(f"""create or replace temp table _unit_group as
        select t.u, g."group" from {units_table} t join ({GROUP_SQL}) g using (doc_id)""")
    names = np.array([r[0] for r in con.execute('select distinct "group" from _unit_group order by 1').fetchall()],
                     dtype=object)
    codes = con.execute('select (dense_rank() over (order by "group") - 1)::integer as gi from _unit_group '
                        'order by u').fetchnumpy()["gi"]
    con.execute("drop table _unit_group")
    return np.asarray(codes, dtype=np.int64), names


KIND_CODE = "(case unit_kind when 'problem' then 0 when 'measure' then 1 else 2 end)"


def tokens_have_kind(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this warehouse's tokens carry a kind (older schemas do not: then no kind filter applies)."""
    return "kind" in {r[0] for r in con.execute("describe tokens").fetchall()}


def unit_token_codes(con: duckdb.DuckDBPyConnection, kinds, unit_kinds) -> tuple[np.ndarray, np.ndarray,
                                                                              np.ndarray, np.ndarray, np.ndarray]:
    """Every unit's tokens as codes in position order (a token of another kind gets code len(vocab)):
    (codes, offsets, group code per unit, vocab, group names); units in doc_id, unit_kind, unit_no order."""
    flt = kinds_filter_sql(kinds, tokens_have_kind(con))
    units = ", ".join(quote_sql(u) for u in unit_kinds)
    con.execute(f"""create or replace temp table _co_tok as select token, (row_number() over (order by token) - 1)
                    ::integer as code from (select distinct token from tokens t where unit_kind in ({units}) and {flt})""")
    con.execute(f"""create or replace temp table _co_doc as select doc_id, "group",
                    (dense_rank() over (order by "group") - 1)::integer as gi from ({GROUP_SQL})""")
    vocab = np.array([r[0] for r in con.execute("select token from _co_tok order by code").fetchall()], dtype=object)
    names = np.array([r[0] for r in con.execute('select distinct "group" from _co_doc order by 1').fetchall()],
                     dtype=object)
    tab = con.execute(f"""select d.gi, list(coalesce(case when {flt} then k.code end, {len(vocab)})
                                        order by t.position) as c
        from tokens t join _co_doc d using (doc_id) left join _co_tok k using (token)
        where t.unit_kind in ({units}) group by t.doc_id, t.unit_kind, t.unit_no, d.gi
        order by t.doc_id, t.unit_kind, t.unit_no""").to_arrow_table()
    con.execute("drop table _co_tok")
    con.execute("drop table _co_doc")
    if tab.num_rows == 0:
        z = np.zeros(0, np.int64)
        return z, np.zeros(1, np.int64), z, vocab, names
    col = tab.column("c").combine_chunks()
    off = np.asarray(col.offsets, dtype=np.int64)
    codes = np.asarray(col.values.to_numpy(zero_copy_only=False), dtype=np.int64)[off[0]:off[-1]]
    return codes, off - off[0], np.asarray(tab.column("gi").to_numpy(), dtype=np.int64), vocab, names


