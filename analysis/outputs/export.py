"""Export every warehouse table as Parquet so R, Spark or another DuckDB can read it.

Tables with a province (``documents``) and the per-document tables joined to it are written
partitioned by province (Hive layout ``province=…/``); the rest as one file each.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis.outputs.privacy import corpus_names, pseudonymize_frame
from analysis.warehouse.db import connect_readonly

PARTITIONED = {"documents", "problems", "measures", "discipline_actions", "stated_figures", "sections"}


def export_parquet(db: Path, out: Path, *, pseudonymize: bool = False) -> list[Path]:
    """Write each table under ``out``; returns the paths written."""
    con = connect_readonly(db)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE' "
            "and table_schema = 'main' order by 1").fetchall()]
        names: set[str] = set()
        if pseudonymize:
            names = corpus_names(con)
        for t in tables:
            rel_sql = f'select * from "{t}"'
            if pseudonymize:
                con.register("_pseudo", pseudonymize_frame(con.execute(rel_sql).df(), names))
                rel_sql = "select * from _pseudo"
            if t in PARTITIONED:
                target = out / t
                if target.exists():
                    shutil.rmtree(target)
                if t == "documents":
                    q = f"select *, coalesce(province, 'unknown') as province_part from ({rel_sql})"
                else:
                    q = (f"select x.*, coalesce(d.province, 'unknown') as province_part from ({rel_sql}) x "
                         "left join documents d using (doc_id)")
                con.execute(f"copy ({q}) to '{target}' (format parquet, partition_by (province_part))")
            else:
                target = out / f"{t}.parquet"
                con.execute(f"copy ({rel_sql}) to '{target}' (format parquet)")
            if pseudonymize:
                con.unregister("_pseudo")
            written.append(target)
    finally:
        con.close()
    return written
