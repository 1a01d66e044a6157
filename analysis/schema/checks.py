"""Data tests derived from the schema: unique keys, not-null columns, accepted values and relations."""

from __future__ import annotations

from analysis.schema.model import quote
from analysis.schema.tables import TABLES


def check_constraints(con, tables: list[str] | None = None, doc_ids: str | None = None) -> list[str]:
    """Data tests from the schema: unique keys, not nulls, relations, accepted values.

    ``doc_ids`` (an SQL list of quoted ids) limits the tests of tables with a ``doc_id`` column to
    those documents' rows: an incremental build tests what it added, not the whole corpus again
    (every key includes doc_id, so rows of different documents cannot collide). Returns a list of
    human-readable failures (empty when all pass).
    """
    failures = []
    have = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    for t in TABLES.values():
        if tables and t.name not in tables or t.name not in have:
            continue
        scoped = doc_ids is not None and "doc_id" in t.column_names
        rel = f'(select * from "{t.name}" where doc_id in ({doc_ids or "NULL"}))' if scoped else f'"{t.name}"'
        if t.key:
            k = ", ".join(f'"{c}"' for c in t.key)
            n = con.execute(f'select count(*) from (select {k} from {rel} group by {k} having count(*) > 1)'
                            ).fetchone()[0]
            if n:
                failures.append(f"{t.name}: {n} duplicate key(s) on ({', '.join(t.key)})")
        for c in t.columns:
            if c.not_null:
                n = con.execute(f'select count(*) from {rel} where "{c.name}" is null').fetchone()[0]
                if n:
                    failures.append(f"{t.name}.{c.name}: {n} NULL value(s)")
            if c.accepted:
                vals = ", ".join(quote(v) if isinstance(v, str) else str(v) for v in c.accepted)
                n = con.execute(f'select count(*) from {rel} where "{c.name}" is not null and '
                                f'"{c.name}" not in ({vals})').fetchone()[0]
                if n:
                    failures.append(f"{t.name}.{c.name}: {n} value(s) outside {c.accepted}")
            if c.references:
                rt, rc = c.references.split(".")
                if rt not in have:
                    continue
                if rt == "problems" and t.name == "measures":
                    n = con.execute(f'select count(*) from {rel} m anti join problems p '
                                    'on m.doc_id = p.doc_id and m.problem_no = p.problem_no').fetchone()[0]
                elif rt == t.name:
                    continue
                else:
                    n = con.execute(f'select count(*) from {rel} x where "{c.name}" is not null and not exists '
                                    f'(select 1 from "{rt}" r where r."{rc}" = x."{c.name}")').fetchone()[0]
                if n:
                    failures.append(f"{t.name}.{c.name}: {n} value(s) not in {c.references}")
    return failures
