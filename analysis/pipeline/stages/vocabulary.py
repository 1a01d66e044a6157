"""The vocabulary stage: freq, doc_freq and unit_freq of every token."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
from scipy import sparse

from analysis.pipeline.stages.common import (
    KIND_CODE,
    codes_table,
    record,
)
from analysis.pipeline.termcounts import (
    fill_vocabulary_kinds,
    names_report,
)
from analysis.warehouse.db import insert_sql


def stage_vocabulary(con: duckdb.DuckDBPyConnection) -> None:
    """freq, doc_freq and unit_freq of every token. DuckDB hands over, per document, one list of
    packed integers ``(unit << bits) | term id`` (a low-cardinality aggregate); distinct units and
    documents per term are then counted per document with scipy's duplicate summing, a block of
    documents at a time — ``count(distinct …)`` per token in SQL costs several times more."""
    con.execute("delete from vocabulary")
    name, vocab = codes_table(con, "tokens", "token")
    n = len(vocab)
    if n == 0:
        con.execute(f"drop table {name}")
        record(con, "vocabulary", names_report(con), "token frequencies (no tokens)")
        return
    bits = max(1, (n - 1).bit_length())
    mask = (1 << bits) - 1
    freq = np.zeros(n, dtype=np.int64)
    unit_freq = np.zeros(n, dtype=np.int64)
    doc_freq = np.zeros(n, dtype=np.int64)
    reader = con.execute(f"""select list((({KIND_CODE} * 1000000000 + unit_no)::bigint << {bits}) | code) as packed
        from tokens join {name} using (token) group by doc_id""").to_arrow_reader(500)
    for batch in reader:
        col = batch.column(0)
        off = np.asarray(col.offsets, dtype=np.int64)
        packed = np.array(col.values.to_numpy(zero_copy_only=False)[off[0] : off[-1]], dtype=np.int64)
        indptr = off - off[0]
        freq += np.bincount(packed & mask, minlength=n)
        # distinct (unit, term) and (document, term) pairs: duplicates summed row by row (a row is
        # one document, short), much cheaper than sorting the whole block
        units = sparse.csr_matrix((np.ones(len(packed), dtype=np.int32), packed, indptr),
                                  shape=(len(indptr) - 1, 1 << (32 + bits)))
        units.sum_duplicates()
        unit_freq += np.bincount(units.indices & mask, minlength=n)
        docs = sparse.csr_matrix((np.ones(units.nnz, dtype=np.int32), units.indices & mask, units.indptr),
                                 shape=(len(indptr) - 1, n))
        docs.sum_duplicates()
        doc_freq += np.bincount(docs.indices, minlength=n)
    con.execute(f"drop table {name}")
    order = np.lexsort((np.arange(n), -freq))
    insert_sql(con, "insert into vocabulary (token, freq, doc_freq, unit_freq) "
                  "select token, freq, doc_freq, unit_freq from _arrow",
                  pa.table({"token": pa.array(list(vocab[order]), pa.string()), "freq": pa.array(freq[order]),
                            "doc_freq": pa.array(doc_freq[order]), "unit_freq": pa.array(unit_freq[order])}))
    fill_vocabulary_kinds(con)
    record(con, "vocabulary", names_report(con), "token frequencies; kind = the token's kind at its most frequent "
            "POS (analysis.tokens.kinds); names = what the name lexicon (analysis.tokens.names) changed")
