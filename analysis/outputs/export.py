"""Export every warehouse table and view as Parquet so R, Spark or another DuckDB can read it.

Views (``district_discipline``, ``discipline_people``, ``parse_report``…) are written as one file each,
their rows as the view returns them at export time, so a reader without DuckDB gets the same counts.
Tables with a province (``documents``) and the per-document tables joined to it are written
partitioned by province (Hive layout ``province_part=…/``); the rest as one file each.

Export never deletes what it did not write. It writes into a new or empty folder; a folder that
holds anything else is refused unless ``overwrite`` is set, and then only the files listed in the
folder's ``export-manifest.json`` (what an earlier export wrote) are removed before writing. The
connection is the sandboxed read-only one, allowed to write into the target folder only.
"""

from __future__ import annotations

import json
from pathlib import Path

from analysis import schema
from analysis.outputs.privacy import Pseudonymizer
from analysis.warehouse.db import WarehouseError, connect_readonly

PARTITIONED = {"documents", "problems", "measures", "discipline_actions", "stated_figures", "sections"}
MANIFEST = "export-manifest.json"


class ExportError(WarehouseError):
    """The export folder cannot be written without touching files the export did not write."""


def _written_before(out: Path) -> list[Path]:
    """Files an earlier export listed in the folder's manifest (only those inside the folder)."""
    manifest = out / MANIFEST
    if not manifest.is_file():
        return []
    try:
        rel = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError) as e:
        raise ExportError(f"{manifest} is not an export manifest ({e}); choose another folder") from e
    root = out.resolve()
    files = []
    for r in rel:
        p = (out / str(r)).resolve()
        if root in p.parents:
            files.append(p)
    return files


def prepare_folder(out: Path, overwrite: bool) -> None:
    """Make ``out`` ready for an export: new or empty, or (``overwrite``) only earlier export files in it."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file, not a folder; give a folder to export into")
    if not out.exists():
        out.mkdir(parents=True)
        return
    present = [p for p in out.rglob("*") if p.is_file() or p.is_symlink()]
    if not present:
        return
    if not overwrite:
        raise ExportError(f"{out} is not empty; export into a new folder, or pass --overwrite to replace the files "
                          f"an earlier export wrote there (listed in {MANIFEST}; nothing else is touched)")
    ours = set(_written_before(out)) | {(out / MANIFEST).resolve()}
    foreign = [p for p in present if p.resolve() not in ours]
    for p in ours:
        if p.is_file():
            p.unlink()
    for d in sorted((d for d in out.rglob("*") if d.is_dir()), key=lambda d: len(d.parts), reverse=True):
        if not any(d.iterdir()):
            d.rmdir()
    clash = [p for p in foreign if any(p.is_relative_to(_target(out, t)) for t in (*schema.TABLES, *schema.VIEWS))]
    if clash:
        raise ExportError(f"{out} holds files the export did not write where it would write ({clash[0]}); "
                          "export into a new folder")


def export_parquet(db: Path, out: Path, *, pseudonymize: bool = False, overwrite: bool = False) -> list[Path]:
    """Write each table and view under ``out``; returns the paths written (tables first, then views)."""
    out = Path(out)
    prepare_folder(out, overwrite)
    con = connect_readonly(db, write_to=out)
    written: list[Path] = []
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_type in ('BASE TABLE', 'VIEW') "
            "and table_schema = 'main' order by table_type <> 'BASE TABLE', table_name").fetchall()]
        pseudonymizer = Pseudonymizer.for_warehouse(db, con) if pseudonymize else None
        for t in tables:
            rel_sql = f'select * from "{t}"'
            if pseudonymizer is not None:
                con.register("_pseudo", pseudonymizer.frame(con.execute(rel_sql).df()))
                rel_sql = "select * from _pseudo"
            target = _target(out, t)
            if t in PARTITIONED:
                if t == "documents":
                    q = f"select *, coalesce(province, 'unknown') as province_part from ({rel_sql})"
                else:
                    q = (f"select x.*, coalesce(d.province, 'unknown') as province_part from ({rel_sql}) x "
                         "left join documents d using (doc_id)")
                con.execute(f"copy ({q}) to {_literal(target)} (format parquet, partition_by (province_part))")
            else:
                con.execute(f"copy ({rel_sql}) to {_literal(target)} (format parquet)")
            if pseudonymize:
                con.unregister("_pseudo")
            written.append(target)
    finally:
        con.close()
    files = sorted(p.relative_to(out).as_posix() for w in written for p in ([w] if w.is_file() else w.rglob("*"))
                   if p.is_file())
    (out / MANIFEST).write_text(json.dumps({"files": files}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return written


def _target(out: Path, table: str) -> Path:
    """Where a table is written: a folder of partitions, or one Parquet file."""
    return out / table if table in PARTITIONED else out / f"{table}.parquet"


def _literal(path: Path) -> str:
    return schema.quote(str(path))
