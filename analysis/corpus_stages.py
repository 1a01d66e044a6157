"""Corpus-wide stages run after the per-document load: vocabulary, categories, clusters, keyness,
boilerplate, specificity and the search index. Each reads the warehouse, calls one
:mod:`analysis.compare` method and writes its table, recording the parameters in ``analysis_runs``.

Groups for comparisons are districts; a notice whose district is unknown (an anonymised
template) forms its own group named by its unit or file.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from analysis import schema

GROUP_SQL = ("select doc_id, coalesce(nullif(district, ''), nullif(unit, ''), regexp_replace(source_file, '\\.[^.]*$', ''))"
             " as \"group\", district, city, province from documents")

PARAMS = {
    "categories": {"engine": "rjieba"},
    "clusters": {"k_range": [2, 12], "stopword_level": "formulaic", "min_df": 2, "random_state": 0},
    "keyness": {"unit_kind": "measure", "stopword_level": "function", "min_count": 5, "group": "district"},
    "boilerplate": {"unit": "document text", "group": "district"},
    "similarity": {"unit_kind": "measure", "stopword_level": "formulaic", "min_df": 2},
}


def _write(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    con.execute(f'delete from "{table}"')
    df = schema.frame_for(table, df)
    if df.empty:
        return
    con.register("_stage", df)
    cols = ", ".join(f'"{c}"' for c in schema.TABLES[table].column_names)
    con.execute(f'insert into "{table}" ({cols}) select {cols} from _stage')
    con.unregister("_stage")


def _record(con: duckdb.DuckDBPyConnection, stage: str, params: dict, description: str = "") -> None:
    con.execute("delete from analysis_runs where stage = ?", [stage])
    con.execute("insert into analysis_runs values (?, ?, ?)", [stage, json.dumps(params, ensure_ascii=False,
                                                                                sort_keys=True), description])


def _groups(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(GROUP_SQL).df()


def _tokens(con: duckdb.DuckDBPyConnection, unit_kind: str | None = None) -> pd.DataFrame:
    where = f"where unit_kind = '{unit_kind}'" if unit_kind else ""
    return con.execute(f"select doc_id, unit_kind, unit_no, position, token, pos from tokens {where} "
                       "order by doc_id, unit_kind, unit_no, position").df()


def stage_vocabulary(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("delete from vocabulary")
    con.execute("""insert into vocabulary select token, count(*) as freq, count(distinct doc_id) as doc_freq,
                   count(distinct (doc_id, unit_kind, unit_no)) as unit_freq from tokens group by token""")


def stage_categories(con: duckdb.DuckDBPyConnection) -> None:
    from analysis.compare.categories import classify_problems, taxonomy

    problems = con.execute("select doc_id, problem_no, area, sub_area, heading, finding from problems "
                           "order by doc_id, problem_no").df()
    toks = _tokens(con, "problem")
    out = classify_problems(problems, toks) if len(problems) else pd.DataFrame()
    _write(con, "problem_categories", out)
    _record(con, "problem_categories", {**PARAMS["categories"], "taxonomy_version": taxonomy().version},
            "area heading → keyword rules → nearest TF-IDF centroid (analysis.compare.categories)")


def stage_clusters(con: duckdb.DuckDBPyConnection) -> None:
    from analysis.compare.clustering import cluster_units, district_similarity

    p = PARAMS["clusters"]
    runs, clusters, terms = [], [], []
    for kind in ("measure", "problem"):
        toks = _tokens(con, kind)
        res = cluster_units(toks, kind, range(p["k_range"][0], p["k_range"][1] + 1),
                            stopword_level=p["stopword_level"], min_df=p["min_df"], random_state=p["random_state"])
        runs.append(res[0])
        clusters.append(res[1])
        terms.append(res[2])
    _write(con, "cluster_runs", pd.concat(runs, ignore_index=True))
    _write(con, "clusters", pd.concat(clusters, ignore_index=True))
    _write(con, "cluster_terms", pd.concat(terms, ignore_index=True))
    _record(con, "clusters", p, "TF-IDF over lexicon tokens, k-means with k by silhouette (analysis.compare.clustering)")
    s = PARAMS["similarity"]
    sim = district_similarity(_tokens(con, s["unit_kind"]), _groups(con), "group", unit_kind=s["unit_kind"],
                              stopword_level=s["stopword_level"], min_df=s["min_df"])
    _write(con, "district_similarity", sim)
    _record(con, "district_similarity", s, "cosine between district TF-IDF profiles, average-linkage leaf order")


def stage_keyness(con: duckdb.DuckDBPyConnection) -> None:
    from analysis.compare.keyness import describe_comparison, keyness

    p = PARAMS["keyness"]
    toks = _tokens(con, p["unit_kind"])
    out = keyness(toks, _groups(con), "group", stopword_level=p["stopword_level"], min_count=p["min_count"])
    _write(con, "keyness", out)
    _record(con, "keyness", p, describe_comparison())


def stage_boilerplate(con: duckdb.DuckDBPyConnection) -> None:
    from analysis.compare.boilerplate import boilerplate

    units = con.execute("select doc_id, 'document' as unit_kind, 0 as unit_no, text from documents order by doc_id").df()
    res = boilerplate(units, _groups(con), "group")
    _write(con, "boilerplate", res[0])
    _write(con, "boilerplate_formulas", res[1])
    _record(con, "boilerplate", PARAMS["boilerplate"], "MinHash LSH over character shingles of sentences "
            "(analysis.compare.boilerplate)")


def stage_specificity(con: duckdb.DuckDBPyConnection) -> None:
    from analysis.compare.specificity import measure_specificity

    measures = con.execute("select doc_id, problem_no, measure_no, text from measures "
                           "order by doc_id, problem_no, measure_no").df()
    _write(con, "measure_specificity", measure_specificity(measures) if len(measures) else pd.DataFrame())
    _record(con, "measure_specificity", {}, "concrete markers vs formulaic intensifiers (analysis.compare.specificity)")


def stage_search(con: duckdb.DuckDBPyConnection) -> None:
    from analysis.search import build_search_index

    build_search_index(con)


STAGES = [
    ("vocabulary", "analysis.corpus_stages:stage_vocabulary"),
    ("categories", "analysis.corpus_stages:stage_categories"),
    ("clusters", "analysis.corpus_stages:stage_clusters"),
    ("keyness", "analysis.corpus_stages:stage_keyness"),
    ("boilerplate", "analysis.corpus_stages:stage_boilerplate"),
    ("specificity", "analysis.corpus_stages:stage_specificity"),
    ("search", "analysis.corpus_stages:stage_search"),
]
