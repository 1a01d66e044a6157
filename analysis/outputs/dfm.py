"""Document-feature matrix for other tools (R's quanteda/tidytext, Stata, Python): token counts per
notice or per group, as a long table and as a Matrix Market sparse matrix with its labels.

``analysis dfm --by document -o dfm.parquet`` writes

- ``dfm.parquet`` (or ``.csv``): one row per (document or group, token) with ``count`` and the
  document variables (source file, place, unit, inspection year and round, publish date; for a
  group its province, city, district and number of notices);
- ``dfm.mtx``: the same counts as a Matrix Market coordinate matrix (rows = documents or groups,
  columns = tokens, both sorted), readable with ``scipy.io.mmread`` or R's ``Matrix::readMM``;
- ``dfm.rows.csv`` and ``dfm.cols.csv``: the row labels (with the document variables) and the
  column labels (token, and its kind when the warehouse has token kinds), in matrix order.

Counts come from ``tokens`` of problems and measures, content words by default (``kinds``); a
warehouse built before token kinds existed is read without the kind filter. Groups are those of the
view ``document_groups`` (the district, else the unit, else the file name).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy import io as spio
from scipy import sparse

from analysis.compare.collocations import kinds_filter_sql
from analysis.outputs.spreadsheet import csv_safe
from analysis.warehouse.db import WarehouseError, connect_readonly

DFM_SUFFIXES = (".parquet", ".csv")
BY = ("document", "district")
DOC_VARS = ("source_file", "province", "city", "district", "unit", "unit_type", "inspection_year",
            "inspection_round", "publish_date")
GROUP_VARS = ("province", "city", "district")


def has_token_kind(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse's tokens table has the ``kind`` column."""
    return "kind" in {r[0] for r in con.execute("describe tokens").fetchall()}


def dfm_frames(con: duckdb.DuckDBPyConnection, by: str = "document", kinds: tuple[str, ...] | None = ("content",),
               unit_kinds: tuple[str, ...] = ("problem", "measure")) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(long table, row labels, column labels) of the document- or group-feature matrix.

    The long table has the row label (``doc_id`` or ``group``), ``token``, ``count`` and the row's
    variables; rows and tokens are sorted, and ``row``/``col`` give 0-based matrix indices.
    ``kinds`` None keeps every token kind.
    """
    if by not in BY:
        raise WarehouseError(f"--by must be one of {', '.join(BY)}, not {by!r}")
    have_kind = has_token_kind(con)
    flt = kinds_filter_sql(kinds, have_kind)
    units = ", ".join("'" + u.replace("'", "''") + "'" for u in unit_kinds)
    key = "doc_id" if by == "document" else '"group"'
    src = ("select t.doc_id, t.token from tokens t" if by == "document" else
           'select g."group", t.token from tokens t join document_groups g using (doc_id)')
    counts = con.execute(f"""select {key} as label, token, count(*)::bigint as count from ({src}
                              where t.unit_kind in ({units}) and {flt}) group by all order by 1, 2""").df()
    if by == "document":
        rows = con.execute(f"select doc_id as label, {', '.join(DOC_VARS)} from documents order by doc_id").df()
    else:
        rows = con.execute(f"""select "group" as label, {', '.join(f'min({v}) as {v}' for v in GROUP_VARS)},
                                      count(*)::integer as n_notices
                               from document_groups group by 1 order by 1""").df()
    kind_col = ", any_value(kind) as kind" if have_kind else ""
    cols = con.execute(f"""select token{kind_col} from tokens t where t.unit_kind in ({units}) and {flt}
                           group by token order by token""").df()
    row_ix = pd.Series(np.arange(len(rows)), index=rows["label"])
    col_ix = pd.Series(np.arange(len(cols)), index=cols["token"])
    long = counts.assign(row=row_ix.loc[counts["label"]].to_numpy(), col=col_ix.loc[counts["token"]].to_numpy())
    long = long.merge(rows, on="label", how="left")
    name = "doc_id" if by == "document" else "group"
    return (long.rename(columns={"label": name}), rows.rename(columns={"label": name}), cols)


def write_dfm(db: Path, out: Path, by: str = "document",
              kinds: tuple[str, ...] | None = ("content",)) -> list[Path]:
    """Write the long table to ``out`` (.parquet or .csv by its ending) and ``<stem>.mtx``,
    ``<stem>.rows.csv``, ``<stem>.cols.csv`` beside it; returns the files written."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in DFM_SUFFIXES:
        raise WarehouseError(f"-o {out}: the file name must end in {' or '.join(DFM_SUFFIXES)} (the format is "
                             "chosen by the ending)")
    con = connect_readonly(db)
    try:
        long, rows, cols = dfm_frames(con, by, kinds)
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        long.to_parquet(out, index=False)
    else:
        csv_safe(long).to_csv(out, index=False, encoding="utf-8")
    base = out.with_suffix("")
    mtx, rfile, cfile = (base.with_name(base.name + s) for s in (".mtx", ".rows.csv", ".cols.csv"))
    m = sparse.coo_matrix((long["count"].to_numpy(dtype=np.int64),
                           (long["row"].to_numpy(dtype=np.int64), long["col"].to_numpy(dtype=np.int64))),
                          shape=(len(rows), len(cols)))
    spio.mmwrite(str(mtx), m, comment=f"analysis dfm --by {by}: rows in {rfile.name}, columns in {cfile.name}",
                 field="integer")
    csv_safe(rows).to_csv(rfile, index=False, encoding="utf-8")
    csv_safe(cols).to_csv(cfile, index=False, encoding="utf-8")
    return [out, mtx, rfile, cfile]
