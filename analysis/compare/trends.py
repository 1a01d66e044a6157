"""Term trends: relative frequency of chosen terms by inspection year or by inspection round.

For a period t (an inspection year, or a round as written) and a term w,

    per10k(w, t) = 10,000 · f(w, t) / N(t)

where f(w, t) is the number of occurrences of w in the notices of period t and N(t) the number of
tokens (of the kinds counted, content words by default) in those notices: the normalised frequency
of corpus linguistics (McEnery & Hardie 2012, *Corpus Linguistics*, ch. 3; Voyant's "relative
frequencies" trend). Each row also carries the number of notices of the period and how many of
them use the term, so a rise carried by one notice can be told from a general one. Notices whose
year (or round) is unknown (NULL, or a blank round) form the period NULL, flagged by
``period_unknown``, never a guessed one. A period no notice belongs to has no row; a period whose
notices have no counted token has ``per10k`` NULL (0 / 0 is not a frequency).

Worked example: a year with two notices of 100 and 50 content tokens in which the term occurs 3 and
1 times gives count 4, n_tokens 150 and per10k = 10,000 · 4 / 150 ≈ 266.67.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

PERIODS = ("inspection_year", "inspection_round")
COLUMNS = ["period_kind", "period", "period_unknown", "term", "count", "n_tokens", "per10k", "notices_with_term",
           "n_notices"]


def term_trends(term_counts: pd.DataFrame, doc_sizes: pd.DataFrame, documents: pd.DataFrame,
                terms: Sequence[str], by: str = "inspection_year") -> pd.DataFrame:
    """Per period and term: count, tokens of the period, per 10,000 tokens, notices using the term, notices.

    ``term_counts``: doc_id, token, count (occurrences of each chosen term per notice);
    ``doc_sizes``: doc_id, n_tokens (tokens counted per notice); ``documents``: doc_id and the
    period column ``by`` (inspection_year or inspection_round). Every (period, term) pair of a period
    with at least one notice appears, with count 0 where the term is absent;
    ``per10k = 10,000 · count / n_tokens`` (NULL when n_tokens is 0), and ``period_unknown`` is True
    on the row of the notices whose period is NULL. Rows are sorted by period (NULL last), then term
    order.
    """
    if by not in PERIODS:
        raise ValueError(f"by must be one of {PERIODS}, not {by!r}")
    terms = list(dict.fromkeys(terms))
    docs = documents[["doc_id", by]].rename(columns={by: "period"})
    if docs["period"].dtype == object:   # a round written as blank is not a round
        blank = docs["period"].map(lambda v: isinstance(v, str) and not v.strip())
        docs = docs.assign(period=docs["period"].mask(blank, None))
    sizes = docs.merge(doc_sizes, on="doc_id", how="left").fillna({"n_tokens": 0})
    per = sizes.groupby("period", dropna=False).agg(n_tokens=("n_tokens", "sum"), n_notices=("doc_id", "nunique"))
    hits = term_counts[term_counts["token"].isin(terms)].merge(docs, on="doc_id", how="inner")
    agg = hits.groupby(["period", "token"], dropna=False).agg(count=("count", "sum"),
                                                             notices_with_term=("doc_id", "nunique"))
    grid = pd.MultiIndex.from_product([per.index, terms], names=["period", "token"])
    out = agg.reindex(grid, fill_value=0).reset_index().merge(per.reset_index(), on="period", how="left")
    out["per10k"] = np.where(out["n_tokens"] > 0, 1e4 * out["count"] / out["n_tokens"].where(out["n_tokens"] > 0),
                             np.nan)
    out = out.rename(columns={"token": "term"}).assign(period_kind=by, period_unknown=out["period"].isna())
    out["_t"] = out["term"].map({t: i for i, t in enumerate(terms)})
    out = out.sort_values(["period", "_t"], na_position="last", kind="mergesort").reset_index(drop=True)
    for c in ("count", "n_tokens", "notices_with_term", "n_notices"):
        out[c] = out[c].astype(np.int64)
    return out[COLUMNS]
