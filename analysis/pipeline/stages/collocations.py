"""The collocations stage: bigram and window collocations."""

from __future__ import annotations

import duckdb

from analysis.compare.collocations import DEFAULTS as COLLOCATION_DEFAULTS
from analysis.compare.collocations import collocation_table
from analysis.pipeline.stages.common import (
    record,
    tokens_have_kind,
    unit_token_codes,
    write,
)


def stage_collocations(con: duckdb.DuckDBPyConnection) -> None:
    """Bigram and window collocations for the corpus and per group (see :mod:`analysis.compare.collocations`);
    the unit token codes are read once (one integer per token) and counted with numpy."""
    p = dict(COLLOCATION_DEFAULTS)
    codes, offsets, groups, vocab, names = unit_token_codes(con, p["kinds"], p["unit_kinds"])
    out = collocation_table(lambda: iter([(codes, offsets, groups)]), vocab, names, window=p["window"],
                            min_count=p["min_count"], methods=p["methods"])
    write(con, "collocations", out)
    record(con, "collocations", {**p, "kinds": list(p["kinds"]), "unit_kinds": list(p["unit_kinds"]),
                                  "methods": list(p["methods"]), "kind_filter": tokens_have_kind(con),
                                  "n_tokens": int(len(codes))},
            "bigram and window co-occurrence of content words, log-likelihood G² (Dunning 1993) and PMI "
            "(Church & Hanks 1990) on the 2×2 table of each pair (analysis.compare.collocations)")
