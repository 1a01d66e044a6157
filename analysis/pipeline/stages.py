"""Corpus-wide stages run after the per-document load: vocabulary, categories, clusters, keyness,
boilerplate, specificity and the search index. Each reads the warehouse, calls one
:mod:`analysis.compare` method and writes its table, recording the parameters in ``analysis_runs``.

Groups for comparisons are districts; a notice whose district is unknown (an anonymised
template) forms its own group named by its unit or file.

Scale: no stage loads the token rows into Python. DuckDB aggregates them first — group × token
counts (keyness), one list of term ids per unit (clusters, similarity, category centroids), one
list of packed integers per notice (vocabulary), the token attributes per measure (specificity) —
and Python reads the aggregates back through Arrow in blocks of rows, so memory holds one block
plus what the output tables need. Clustering fits on a seeded sample of units and assigns all of
them; boilerplate hashes every sentence and runs MinHash LSH on a bounded set of sentence keys.
Every sample size and bound is in the stage's ``analysis_runs`` parameters.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from analysis import schema
from analysis.compare.boilerplate import boilerplate_counts
from analysis.compare.categories import RuleLabels, centroid_labels, finish_labels, rule_labels, taxonomy
from analysis.compare.clustering import GroupProfiles, cluster_counts, group_profiles, similarity_order
from analysis.compare.collocations import DEFAULTS as COLLOCATION_DEFAULTS
from analysis.compare.collocations import collocation_table, kinds_filter_sql, quote_sql
from analysis.compare.keyness import DIRECTIONS, REST, describe_comparison, keyness_arrays
from analysis.compare.params import PARAMS, k_values
from analysis.compare.specificity import MARKER_COLUMNS, markers, specificity_score, token_flags
from analysis.compare.termcounts import Tfidf
from analysis.compare.topics import DEFAULTS as TOPIC_DEFAULTS
from analysis.compare.topics import fit_topics
from analysis.pipeline.search_index import build_search_index
from analysis.pipeline.termcounts import (
    duckdb_counts,
    fill_vocabulary_kinds,
    kinds_sql,
    names_report,
    register_words,
    token_filter_sql,
)
from analysis.tokens.kinds import KINDS
from analysis.tokens.segment import stopwords
from analysis.warehouse.db import insert_frame, insert_sql

GROUP_SQL = 'select doc_id, "group", district, city, province from document_groups'  # view in analysis.schema

SIMILARITY_DESCRIPTION = ("cosine between district TF-IDF profiles (mean of their measures' vectors), average-linkage "
                          "leaf order, optimal leaf ordering up to optimal_order_max groups "
                          "(analysis.compare.clustering)")


def _write(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    con.execute(f'delete from "{table}"')
    insert_frame(con, table, df)


def _record(con: duckdb.DuckDBPyConnection, stage: str, params: dict, description: str = "") -> None:
    con.execute("delete from analysis_runs where stage = ?", [stage])
    con.execute("insert into analysis_runs values (?, ?, ?)", [stage, json.dumps(params, ensure_ascii=False,
                                                                                sort_keys=True), description])


def _codes(con: duckdb.DuckDBPyConnection, table: str, column: str) -> tuple[str, np.ndarray]:
    """A temp table numbering the distinct values of ``table.column`` in sorted order, and the values."""
    name = f"_codes_{column}"
    con.execute(f'create or replace temp table {name} as select "{column}", '
                f'(row_number() over (order by "{column}") - 1)::integer as code '
                f'from (select distinct "{column}" from {table})')
    values = np.array([r[0] for r in con.execute(f"select \"{column}\" from {name} order by code").fetchall()],
                      dtype=object)
    return name, values


def _unit_groups(con: duckdb.DuckDBPyConnection, units_table: str) -> tuple[np.ndarray, np.ndarray]:
    """Group of every unit of a term-count table (codes in ``u`` order) and the sorted group names."""
    con.execute(f"""create or replace temp table _unit_group as
        select t.u, g."group" from {units_table} t join ({GROUP_SQL}) g using (doc_id)""")
    names = np.array([r[0] for r in con.execute('select distinct "group" from _unit_group order by 1').fetchall()],
                     dtype=object)
    codes = con.execute('select (dense_rank() over (order by "group") - 1)::integer as gi from _unit_group '
                        'order by u').fetchnumpy()["gi"]
    con.execute("drop table _unit_group")
    return np.asarray(codes, dtype=np.int64), names


def _write_similarity(con: duckdb.DuckDBPyConnection, names: np.ndarray, cos: np.ndarray, pos: np.ndarray,
                      chunk: int = 256) -> None:
    con.execute("delete from district_similarity")
    leaves = np.argsort(pos)
    m = len(names)
    dictionary = pa.array(list(names), pa.string())
    for s in range(0, m, chunk):
        ia = np.repeat(leaves[s : s + chunk], m)
        ib = np.tile(leaves, len(leaves[s : s + chunk]))
        insert_sql(con, "insert into district_similarity (group_a, group_b, cosine, order_a, order_b) "
                      "select group_a, group_b, cosine, order_a, order_b from _arrow", pa.table({
                          "group_a": pa.DictionaryArray.from_arrays(pa.array(ia.astype(np.int32)), dictionary),
                          "group_b": pa.DictionaryArray.from_arrays(pa.array(ib.astype(np.int32)), dictionary),
                          "cosine": pa.array(cos[ia, ib]),
                          "order_a": pa.array(pos[ia].astype(np.int32)),
                          "order_b": pa.array(pos[ib].astype(np.int32))}))


_KIND_CODE = "(case unit_kind when 'problem' then 0 when 'measure' then 1 else 2 end)"


def stage_vocabulary(con: duckdb.DuckDBPyConnection) -> None:
    """freq, doc_freq and unit_freq of every token. DuckDB hands over, per document, one list of
    packed integers ``(unit << bits) | term id`` (a low-cardinality aggregate); distinct units and
    documents per term are then counted per document with scipy's duplicate summing, a block of
    documents at a time — ``count(distinct …)`` per token in SQL costs several times more."""
    con.execute("delete from vocabulary")
    name, vocab = _codes(con, "tokens", "token")
    n = len(vocab)
    if n == 0:
        con.execute(f"drop table {name}")
        _record(con, "vocabulary", names_report(con), "token frequencies (no tokens)")
        return
    bits = max(1, (n - 1).bit_length())
    mask = (1 << bits) - 1
    freq = np.zeros(n, dtype=np.int64)
    unit_freq = np.zeros(n, dtype=np.int64)
    doc_freq = np.zeros(n, dtype=np.int64)
    reader = con.execute(f"""select list((({_KIND_CODE} * 1000000000 + unit_no)::bigint << {bits}) | code) as packed
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
    _record(con, "vocabulary", names_report(con), "token frequencies; kind = the token's kind at its most frequent "
            "POS (analysis.tokens.kinds); names = what the name lexicon (analysis.tokens.names) changed")


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
    _record(con, "problem_categories", {"engine": p["engine"], "kinds": p["kinds"],
                                        "taxonomy_version": taxonomy().version},
            "area heading → keyword rules → nearest TF-IDF centroid (analysis.compare.categories)")


def stage_clusters(con: duckdb.DuckDBPyConnection) -> None:
    """Clusters of measures and problems; district similarity from the measures' TF-IDF profiles, summed
    during the clustering's assignment pass when both use the same TF-IDF."""

    p = PARAMS["clusters"]
    s = PARAMS["similarity"]
    runs, terms = [], []
    con.execute("delete from clusters")
    sim_done = False
    for kind in ("measure", "problem"):
        tc = duckdb_counts(con, kind, stopwords(p["stopword_level"]), kinds=p["kinds"])
        try:
            if tc.n_units == 0:
                continue
            profiles = None
            if (kind, p["stopword_level"], p["min_df"], p["kinds"]) == (s["unit_kind"], s["stopword_level"],
                                                                        s["min_df"], s["kinds"]):
                codes, names = _unit_groups(con, tc.table)
                profiles = (GroupProfiles(codes, len(names), len(Tfidf.fit(tc, p["min_df"]).vocab)), names)
            res = cluster_counts(tc, kind, k_values(p),
                                 stopword_level=p["stopword_level"], min_df=p["min_df"],
                                 random_state=p["random_state"], n_init=p["n_init"], fit_sample=p["fit_sample"],
                                 silhouette_sample=p["silhouette_sample"], batch_size=p["batch_size"],
                                 on_block=profiles[0].add if profiles else None)
            runs.append(res.cluster_runs)
            terms.append(res.cluster_terms)
            insert_sql(con, f"""insert into clusters (run_id, doc_id, unit_kind, unit_no, cluster, distance)
                select '{res.run_id}', t.doc_id, '{kind}', t.unit_no, a.cluster, a.distance
                from {tc.table} t join _arrow a using (u) order by t.u""",
                          pa.table({"u": pa.array(np.arange(tc.n_units, dtype=np.int32)),
                                    "cluster": pa.array(res.labels.astype(np.int32)),
                                    "distance": pa.array(res.distances)}))
            if profiles is not None:
                _similarity(con, profiles[0].result(), profiles[1], s)
                sim_done = True
        finally:
            tc.close()
    if not sim_done:

        tc = duckdb_counts(con, s["unit_kind"], stopwords(s["stopword_level"]), kinds=s["kinds"])
        try:
            if tc.n_units:
                codes, names = _unit_groups(con, tc.table)
                _similarity(con, group_profiles(tc, codes, len(names), s["min_df"], s["batch_size"]), names, s)
            else:
                _similarity(con, None, np.array([], dtype=object), s)
        finally:
            tc.close()
    _write(con, "cluster_runs", pd.concat(runs, ignore_index=True) if runs else pd.DataFrame())
    _write(con, "cluster_terms", pd.concat(terms, ignore_index=True) if terms else pd.DataFrame())
    fitted = {r["unit_kind"].iloc[0]: json.loads(r["params"].iloc[0]) for r in runs}  # units and sample per kind
    p = {**p, "n_units": {k: v["n_units"] for k, v in fitted.items()}, "n_fit": {k: v["n_fit"] for k, v in fitted.items()}}
    _record(con, "clusters", p, "TF-IDF over lexicon tokens of the given kinds (content words by default; stopwords and placeholders removed), k-means fitted on "
            "a seeded sample of at most fit_sample units with k by sampled silhouette, every unit assigned to the "
            "nearest centre (analysis.compare.clustering)")


def _similarity(con: duckdb.DuckDBPyConnection, prof, names: np.ndarray, s: dict) -> None:

    con.execute("delete from district_similarity")
    if prof is None or len(names) == 0:
        _record(con, "district_similarity", {**s, "n_groups": 0}, SIMILARITY_DESCRIPTION)
        return
    cos, pos = similarity_order(prof, s["optimal_order_max"])
    _write_similarity(con, names, cos, pos)
    _record(con, "district_similarity", {**s, "n_groups": len(names),
                                         "leaf_order": "optimal" if len(names) <= s["optimal_order_max"]
                                         else "linkage"}, SIMILARITY_DESCRIPTION)


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
    _record(con, "keyness", {**p, "n_groups": len(groups), "n_single_notice_groups": n_single,
                             "reference_found": p["reference"] is None or ref is not None},
            describe_comparison(p["group"], p["stopword_level"], p["min_count"], kinds=tuple(kinds),
                                reference=p["reference"], min_docs=p["min_docs"], alpha=p["alpha"]))


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
    _write(con, "boilerplate_formulas", res.formulas)
    _record(con, "boilerplate", {**p, **res.stats},
            "exact duplicates of every sentence key (64-bit hash), MinHash LSH near-duplicates (character "
            "4-shingles, exact Jaccard check) over at most lsh_max_keys keys (analysis.compare.boilerplate)")


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
    _record(con, "measure_specificity", {"n_measures": n_measures, "n_segmented_again": n_fallback},
            "concrete markers vs formulaic intensifiers (analysis.compare.specificity)")


def stage_search(con: duckdb.DuckDBPyConnection) -> None:

    build_search_index(con)


def tokens_have_kind(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this warehouse's tokens carry a kind (older schemas do not: then no kind filter applies)."""
    return "kind" in {r[0] for r in con.execute("describe tokens").fetchall()}


def unit_token_codes(con: duckdb.DuckDBPyConnection, kinds, unit_kinds) -> tuple[np.ndarray, np.ndarray,
                                                                              np.ndarray, np.ndarray, np.ndarray]:
    """Every unit's tokens as codes in position order (a token of another kind gets code len(vocab)):
    (codes, offsets, group code per unit, vocab, group names); units in doc_id, unit_kind, unit_no order."""
    flt = kinds_filter_sql(kinds, tokens_have_kind(con))
    units = ", ".join(quote_sql(u) for u in unit_kinds)
    con.execute(f"""create or replace temp table _co_tok as select token, (row_number() over (order by token) - 1)
                    ::integer as code from (select distinct token from tokens t where unit_kind in ({units}) and {flt})""")
    con.execute(f"""create or replace temp table _co_doc as select doc_id, "group",
                    (dense_rank() over (order by "group") - 1)::integer as gi from ({GROUP_SQL})""")
    vocab = np.array([r[0] for r in con.execute("select token from _co_tok order by code").fetchall()], dtype=object)
    names = np.array([r[0] for r in con.execute('select distinct "group" from _co_doc order by 1').fetchall()],
                     dtype=object)
    tab = con.execute(f"""select d.gi, list(coalesce(case when {flt} then k.code end, {len(vocab)})
                                        order by t.position) as c
        from tokens t join _co_doc d using (doc_id) left join _co_tok k using (token)
        where t.unit_kind in ({units}) group by t.doc_id, t.unit_kind, t.unit_no, d.gi
        order by t.doc_id, t.unit_kind, t.unit_no""").to_arrow_table()
    con.execute("drop table _co_tok")
    con.execute("drop table _co_doc")
    if tab.num_rows == 0:
        z = np.zeros(0, np.int64)
        return z, np.zeros(1, np.int64), z, vocab, names
    col = tab.column("c").combine_chunks()
    off = np.asarray(col.offsets, dtype=np.int64)
    codes = np.asarray(col.values.to_numpy(zero_copy_only=False), dtype=np.int64)[off[0]:off[-1]]
    return codes, off - off[0], np.asarray(tab.column("gi").to_numpy(), dtype=np.int64), vocab, names


def stage_collocations(con: duckdb.DuckDBPyConnection) -> None:
    """Bigram and window collocations for the corpus and per group (see :mod:`analysis.compare.collocations`);
    the unit token codes are read once (one integer per token) and counted with numpy."""
    p = dict(COLLOCATION_DEFAULTS)
    codes, offsets, groups, vocab, names = unit_token_codes(con, p["kinds"], p["unit_kinds"])
    out = collocation_table(lambda: iter([(codes, offsets, groups)]), vocab, names, window=p["window"],
                            min_count=p["min_count"], methods=p["methods"])
    _write(con, "collocations", out)
    _record(con, "collocations", {**p, "kinds": list(p["kinds"]), "unit_kinds": list(p["unit_kinds"]),
                                  "methods": list(p["methods"]), "kind_filter": tokens_have_kind(con),
                                  "n_tokens": int(len(codes))},
            "bigram and window co-occurrence of content words, log-likelihood G² (Dunning 1993) and PMI "
            "(Church & Hanks 1990) on the 2×2 table of each pair (analysis.compare.collocations)")


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
    _record(con, "topics", {**p, "kinds": list(p["kinds"]), "unit_kinds": list(p["unit_kinds"]),
                            "kind_filter": tokens_have_kind(con), "n_units": len(docs), "n_terms": len(vocab),
                            "k": res.k if res else None,
                            "coherence_by_k": {str(k): v for k, v in (res.coherence_by_k if res else {}).items()}},
            "NMF (NNDSVD start, coordinate descent) on TF-IDF of content words of problems and measures, k by mean "
            "NPMI coherence of the top terms on the corpus (analysis.compare.topics)")


STAGES: list[tuple[str, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    ("vocabulary", stage_vocabulary),
    ("categories", stage_categories),
    ("clusters", stage_clusters),
    ("keyness", stage_keyness),
    ("boilerplate", stage_boilerplate),
    ("specificity", stage_specificity),
    ("search", stage_search),
    ("collocations", stage_collocations),
    ("topics", stage_topics),
]
"""The corpus-wide stages in the order the build runs them."""
