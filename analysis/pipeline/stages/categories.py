"""The categories stage: a problem category for every problem (rules, then centroids)."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from analysis.compare.categories import RuleLabels, centroid_labels, finish_labels, rule_labels, taxonomy
from analysis.compare.params import PARAMS
from analysis.pipeline.stages.common import (
    record,
)
from analysis.pipeline.termcounts import (
    duckdb_counts,
)
from analysis.tokens.segment import stopwords
from analysis.warehouse.db import insert_sql


def stage_categories(con: duckdb.DuckDBPyConnection) -> None:
    """Rules 1–2 on blocks of problems (vectorised), then the centroid rule over the problems' term
    counts read from DuckDB in blocks (see :mod:`analysis.compare.categories`)."""

    p = PARAMS["categories"]
    con.execute("delete from problem_categories")
    parts = []
    reader = con.execute("select area, sub_area, heading, finding from problems order by doc_id, problem_no"
                         ).to_arrow_reader(p["batch_size"])
    for b in reader:
        cols = [np.array(b.column(i).to_pylist(), dtype=object) for i in range(4)]
        parts.append(rule_labels(*cols))
    if parts:
        rules = RuleLabels(*(np.concatenate([getattr(r, f) for r in parts]) for f in RuleLabels._fields))
        key = np.full(len(rules.category), -1, dtype=np.int64)
        cosine = np.zeros(len(rules.category))
        if (rules.category < 0).any():
            tc = duckdb_counts(con, "problem", stopwords("formulaic"),
                               units_sql="select doc_id, problem_no as unit_no from problems", kinds=p["kinds"])
            try:
                key, cosine = centroid_labels(tc, rules.category, rules.sub, p["batch_size"])
            finally:
                tc.close()
        out = finish_labels(rules, key, cosine)
        insert_sql(con, """insert into problem_categories (doc_id, problem_no, category, sub_category, rule,
                                                              confidence)
            select p.doc_id, p.problem_no, a.category, a.sub_category, a.rule, a.confidence
            from (select doc_id, problem_no, (row_number() over (order by doc_id, problem_no) - 1)::integer as u
                  from problems) p join _arrow a using (u) order by u""",
                      pa.Table.from_pandas(out.assign(u=np.arange(len(out), dtype=np.int32)), preserve_index=False))
    record(con, "problem_categories", {"engine": p["engine"], "kinds": p["kinds"],
                                        "taxonomy_version": taxonomy().version},
            "area heading → keyword rules → nearest TF-IDF centroid (analysis.compare.categories)")
