"""The keyness stage: over- and under-used terms of each group."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from analysis import schema
from analysis.compare.keyness import DIRECTIONS, REST, describe_comparison, keyness_arrays
from analysis.compare.params import PARAMS
from analysis.pipeline.stages.common import (
    GROUP_SQL,
    record,
)
from analysis.pipeline.termcounts import (
    kinds_sql,
    register_words,
    token_filter_sql,
)
from analysis.tokens.kinds import KINDS
from analysis.tokens.segment import stopwords
from analysis.warehouse.db import insert_sql


def _modal_kinds(rows: list[tuple], n: int) -> np.ndarray:
    """Most frequent kind of each token code among (code, kind, count) rows (ties: KINDS order)."""
    order = {k: i for i, k in enumerate(KINDS)}
    best: dict[int, tuple[int, int, str]] = {}
    for ti, kind, cnt in rows:
        key = (-int(cnt), order.get(kind, len(order)), kind)
        if ti not in best or key < best[ti]:
            best[ti] = key
    out = np.full(n, "content", dtype=object)
    for ti, (_, _, kind) in best.items():
        out[ti] = kind
    return out


def stage_keyness(con: duckdb.DuckDBPyConnection) -> None:
    """Group × token counts and document frequencies of the kept tokens (kinds, stopwords,
    placeholders), aggregated in DuckDB on integer codes; keyness in :mod:`analysis.compare.keyness`."""

    p = PARAMS["keyness"]
    kinds = list(p["kinds"])
    stop_t = register_words(con, stopwords(p["stopword_level"]))
    try:  # codes of the kept tokens (sorted) and of the documents' groups (sorted)
        con.execute(f"""create or replace temp table _kn_tok as
            select token, (row_number() over (order by token) - 1)::integer as ti
            from (select distinct token from tokens where unit_kind = ? and {token_filter_sql(stop_t, kinds=kinds)})""",
                    [p["unit_kind"]])
    finally:
        con.execute(f"drop table if exists {stop_t}")
    con.execute(f"""create or replace temp table _kn_doc as select doc_id, "group",
                    (dense_rank() over (order by "group") - 1)::integer as gi from ({GROUP_SQL})""")
    vocab = np.array([r[0] for r in con.execute("select token from _kn_tok order by ti").fetchall()], dtype=object)
    groups = np.array([r[0] for r in con.execute('select distinct "group" from _kn_doc order by 1').fetchall()],
                      dtype=object)
    kept = f"""from tokens t join _kn_doc d using (doc_id) join _kn_tok k using (token)
               where t.unit_kind = ? and {kinds_sql(kinds, 't.kind')}"""
    # group × token counts, aggregated in DuckDB on integer codes; only the aggregate comes to Python
    arr = con.execute(f"""select d.gi, k.ti, count(*)::bigint as a, count(distinct t.doc_id)::bigint as docs
                          {kept} group by d.gi, k.ti""", [p["unit_kind"]]).fetchnumpy()
    n_docs = np.zeros(len(groups), dtype=np.int64)
    for g, n in con.execute(f"select d.gi, count(distinct t.doc_id) {kept} group by d.gi", [p["unit_kind"]]).fetchall():
        n_docs[g] = n
    kind_rows = con.execute(f"select k.ti, t.kind, count(*)::bigint {kept} group by all",
                            [p["unit_kind"]]).fetchall()
    con.execute("drop table _kn_tok")
    con.execute("drop table _kn_doc")
    tok_kinds = _modal_kinds(kind_rows, len(vocab))
    ref = None
    if p["reference"] is not None:
        hit = np.flatnonzero(groups == p["reference"])
        ref = int(hit[0]) if len(hit) else None
    out = None
    if p["reference"] is None or ref is not None:
        out = keyness_arrays(len(groups), len(vocab), arr["gi"], arr["ti"], arr["a"], docs=arr["docs"],
                             n_docs=n_docs, reference=ref, min_count=p["min_count"], min_docs=p["min_docs"],
                             alpha=p["alpha"])
    del arr
    con.execute("delete from keyness")
    if out is not None:
        cols = {c: pa.array(v) for c, v in out.items()}
        for c, names in (("group", groups), ("token", vocab), ("direction", DIRECTIONS)):
            cols[c] = pa.DictionaryArray.from_arrays(pa.array(out[c].astype(np.int32)),
                                                     pa.array(list(names), pa.string()))
        cols["kind"] = pa.array(list(tok_kinds[out["token"]]), pa.string())
        cols["reference"] = pa.array([REST if p["reference"] is None else p["reference"]] * len(out["token"]),
                                     pa.string())
        del out
        names = ", ".join(f'"{c}"' for c in schema.TABLES["keyness"].column_names)
        insert_sql(con, f"insert into keyness ({names}) select {names} from _arrow", pa.table(cols))
    n_single = int((n_docs == 1).sum())
    record(con, "keyness", {**p, "n_groups": len(groups), "n_single_notice_groups": n_single,
                             "reference_found": p["reference"] is None or ref is not None},
            describe_comparison(p["group"], p["stopword_level"], p["min_count"], kinds=tuple(kinds),
                                reference=p["reference"], min_docs=p["min_docs"], alpha=p["alpha"]))
