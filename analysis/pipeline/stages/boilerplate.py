"""The boilerplate stage: sentences shared across districts."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from analysis.compare.boilerplate import boilerplate_counts
from analysis.compare.params import PARAMS
from analysis.pipeline.stages.common import (
    GROUP_SQL,
    record,
    write,
)
from analysis.warehouse.db import insert_sql


def stage_boilerplate(con: duckdb.DuckDBPyConnection) -> None:
    """Sentence keys hashed block by block of notices (numpy), exact sharing over every sentence,
    MinHash LSH near-duplicates over a bounded set of keys (see :mod:`analysis.compare.boilerplate`)."""

    p = PARAMS["boilerplate"]
    con.execute("create or replace temp table _bp_docs as select (row_number() over (order by doc_id) - 1)::integer "
                f'as i, d.doc_id, g."group" from documents d join ({GROUP_SQL}) g using (doc_id)')
    doc_ids = np.array([r[0] for r in con.execute("select doc_id from _bp_docs order by i").fetchall()], dtype=object)
    groups = con.execute('select (dense_rank() over (order by "group") - 1)::integer as g from _bp_docs order by i'
                         ).fetchnumpy()["g"]
    n = len(doc_ids)

    def blocks():
        reader = con.execute("select b.i, d.text from _bp_docs b join documents d using (doc_id) order by b.i"
                             ).to_arrow_reader(p["batch_docs"])
        for b in reader:
            yield b.column(0).to_numpy().astype(np.int64), b.column(1).to_pylist()

    def fetch(ids: np.ndarray) -> list[str]:
        con.register("_bp_ids", pa.table({"i": pa.array(ids.astype(np.int32))}))
        try:
            got = dict(con.execute("select b.i, d.text from _bp_docs b join documents d using (doc_id) "
                                   "semi join _bp_ids using (i)").fetchall())
        finally:
            con.unregister("_bp_ids")
        return [got[int(i)] for i in ids]

    res = boilerplate_counts(blocks(), lambda ids: ids, n, np.asarray(groups, dtype=np.int64), fetch,
                             threshold=p["threshold"], min_chars=p["min_chars"], min_docs=p["min_docs"],
                             num_perm=p["num_perm"], seed=p["seed"], lsh_max_keys=p["lsh_max_keys"],
                             max_bucket=p["max_bucket"])
    con.execute("drop table _bp_docs")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(res.n_sentences > 0, res.n_shared / np.maximum(res.n_sentences, 1), np.nan)
    con.execute("delete from boilerplate")
    insert_sql(con, "insert into boilerplate (doc_id, n_sentences, n_shared, share) "
                  "select doc_id, n_sentences, n_shared, share from _arrow",
                  pa.table({"doc_id": pa.array(list(doc_ids), pa.string()),
                            "n_sentences": pa.array(res.n_sentences.astype(np.int32)),
                            "n_shared": pa.array(res.n_shared.astype(np.int32)), "share": pa.array(share)}))
    write(con, "boilerplate_formulas", res.formulas)
    record(con, "boilerplate", {**p, **res.stats},
            "exact duplicates of every sentence key (64-bit hash), MinHash LSH near-duplicates (character "
            "4-shingles, exact Jaccard check) over at most lsh_max_keys keys (analysis.compare.boilerplate)")
