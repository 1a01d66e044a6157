"""The specificity stage: concrete markers against formulaic intensifiers per measure."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis.compare.params import PARAMS
from analysis.compare.specificity import MARKER_COLUMNS, markers, specificity_score, token_flags
from analysis.pipeline.stages.common import (
    record,
)
from analysis.warehouse.db import insert_sql


def stage_specificity(con: duckdb.DuckDBPyConnection) -> None:
    """Marker counts of every measure: the regular expressions on blocks of measure texts, the token
    rules on the measure's stored tokens (their attributes computed once per distinct token and POS)
    — see :mod:`analysis.compare.specificity`. No measure is segmented again unless its tokens do not
    align with its text."""

    p = PARAMS["specificity"]
    con.execute("delete from measure_specificity")
    pairs = con.execute("select distinct token, pos from tokens where unit_kind = 'measure'").fetchall()
    flags = token_flags([t for t, _ in pairs], [q for _, q in pairs]) if pairs else np.zeros(0, dtype=np.int64)
    con.register("_flags_src", pa.table({"token": pa.array([t for t, _ in pairs], pa.string()),
                                         "pos": pa.array([q for _, q in pairs], pa.string()),
                                         "flags": pa.array(flags, pa.int64())}))
    con.execute("create or replace temp table _spec_flags as select * from _flags_src")
    con.unregister("_flags_src")
    # the segmenter tags a word by dictionary lookup, so a token has one POS; join on the token alone
    # then (cheaper), on token and POS otherwise
    one_pos = len({t for t, _ in pairs}) == len(pairs)
    on = "t.token = f.token" + ("" if one_pos else " and t.pos is not distinct from f.pos")
    # two lists filled in the same aggregate share their order: the flags and the positions
    reader = con.execute(f"""
        select m.doc_id, m.problem_no, m.measure_no, m.text, coalesce(t.f, []) as f, coalesce(t.p, []) as p
        from measures m left join (
            select t.doc_id, t.unit_no, list(f.flags) as f, list(t.position) as p
            from tokens t join _spec_flags f on {on}
            where t.unit_kind = 'measure' group by t.doc_id, t.unit_no) t
          on t.doc_id = m.doc_id and t.unit_no = m.problem_no * 1000 + m.measure_no""").to_arrow_reader(p["batch_size"])
    n_fallback = n_measures = 0
    out = []
    for b in reader:
        fl, ps = b.column(4), b.column(5)
        off = np.asarray(fl.offsets, dtype=np.int64)
        text = b.column(3)
        counts, nf = markers([t or "" for t in text.to_pylist()], off - off[0],
                             ps.values.to_numpy(zero_copy_only=False)[off[0] : off[-1]],
                             fl.values.to_numpy(zero_copy_only=False)[off[0] : off[-1]],
                             lengths=pc.utf8_length(text).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64))
        n_fallback += nf
        n_measures += b.num_rows
        concrete = counts[:, 1:6].sum(axis=1)
        cols = {"doc_id": b.column(0), "problem_no": b.column(1), "measure_no": b.column(2)}
        cols.update({c: pa.array(counts[:, i].astype(np.int32)) for i, c in enumerate(MARKER_COLUMNS)})
        cols["score"] = pa.array(specificity_score(concrete, counts[:, 6]))
        out.append(pa.table(cols))
    con.execute("drop table _spec_flags")
    for t in out:
        insert_sql(con, "insert into measure_specificity select * from _arrow", t)
    record(con, "measure_specificity", {"n_measures": n_measures, "n_segmented_again": n_fallback},
            "concrete markers vs formulaic intensifiers (analysis.compare.specificity)")
