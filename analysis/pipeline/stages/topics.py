"""The topics stage: NMF topics with k by NPMI coherence."""

from __future__ import annotations

import duckdb
import numpy as np
from scipy import sparse

from analysis.compare.collocations import kinds_filter_sql, quote_sql
from analysis.compare.topics import DEFAULTS as TOPIC_DEFAULTS
from analysis.compare.topics import fit_topics
from analysis.pipeline.stages.common import (
    record,
    tokens_have_kind,
)
from analysis.warehouse.db import insert_frame


def stage_topics(con: duckdb.DuckDBPyConnection) -> None:
    """NMF topics of problems and measures with k by NPMI coherence (see :mod:`analysis.compare.topics`);
    DuckDB aggregates the unit × term counts, only they reach Python."""
    p = dict(TOPIC_DEFAULTS)
    flt = kinds_filter_sql(p["kinds"], tokens_have_kind(con))
    units = ", ".join(quote_sql(u) for u in p["unit_kinds"])
    con.execute(f"""create or replace temp table _tp as select t.doc_id, t.unit_kind, t.unit_no, t.token,
                    count(*)::integer as n from tokens t where t.unit_kind in ({units}) and {flt} group by all""")
    con.execute("""create or replace temp table _tp_u as select doc_id, unit_kind, unit_no,
                   (row_number() over (order by doc_id, unit_kind, unit_no) - 1)::integer as u
                   from (select distinct doc_id, unit_kind, unit_no from _tp)""")
    con.execute("""create or replace temp table _tp_t as select token, (row_number() over (order by token) - 1)::integer
                   as ti from (select distinct token from _tp)""")
    arr = con.execute("select u.u, k.ti, t.n from _tp t join _tp_u u using (doc_id, unit_kind, unit_no) "
                      "join _tp_t k using (token)").fetchnumpy()
    vocab = [r[0] for r in con.execute("select token from _tp_t order by ti").fetchall()]
    docs = [r[0] for r in con.execute("select doc_id from _tp_u order by u").fetchall()]
    for t in ("_tp", "_tp_u", "_tp_t"):
        con.execute(f"drop table {t}")
    counts = sparse.csr_matrix((np.asarray(arr["n"], dtype=np.float64), (arr["u"], arr["ti"])),
                               shape=(len(docs), len(vocab)))
    params = {k: v for k, v in p.items() if k not in ("kinds", "unit_kinds")}
    res = fit_topics(counts, vocab, docs, **params) if len(docs) else None
    for t in ("topics", "topic_terms", "document_topics"):
        con.execute(f'delete from "{t}"')
    if res is not None:
        insert_frame(con, "topics", res.topics.assign(k=res.k))
        insert_frame(con, "topic_terms", res.topic_terms)
        insert_frame(con, "document_topics", res.document_topics)
    record(con, "topics", {**p, "kinds": list(p["kinds"]), "unit_kinds": list(p["unit_kinds"]),
                            "kind_filter": tokens_have_kind(con), "n_units": len(docs), "n_terms": len(vocab),
                            "k": res.k if res else None,
                            "coherence_by_k": {str(k): v for k, v in (res.coherence_by_k if res else {}).items()}},
            "NMF (NNDSVD start, coordinate descent) on TF-IDF of content words of problems and measures, k by mean "
            "NPMI coherence of the top terms on the corpus (analysis.compare.topics)")
