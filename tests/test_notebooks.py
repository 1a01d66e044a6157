"""Every notebook runs headless on the sample warehouse, exports its charts, and no glyph is missing."""

from __future__ import annotations

import json

import duckdb
import jupytext
import nbformat
import numpy as np
import pandas as pd
import pytest

from analysis import schema
from analysis.outputs import nb, plots
from analysis.outputs.report import MAX_SUMMARY_LINES, notebook_parameters, run_notebooks, summary_lines
from analysis.paths import NOTEBOOKS_DIR as NOTEBOOKS


@pytest.fixture(scope="module")
def report(sample_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    timings = run_notebooks(NOTEBOOKS, out, sample_db)
    return out, timings


def test_every_notebook_ran_and_has_html(report):
    out, timings = report
    names = sorted(p.stem for p in NOTEBOOKS.glob("[0-9]*.py"))
    assert [n for n, _ in timings] == names and len(names) == 8
    for n in names:
        assert (out / f"{n}.html").stat().st_size > 1000


def test_no_error_or_missing_glyph_in_outputs(report):
    out, _ = report
    for p in sorted((out / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(p, as_version=4)
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                assert o.get("output_type") != "error", (p.name, o.get("ename"), o.get("evalue"))
                text = o.get("text", "") if isinstance(o.get("text", ""), str) else "".join(o["text"])
                assert "Glyph" not in text and "missing from font" not in text, (p.name, text[:200])


def test_every_chart_in_three_formats_with_table_and_sidecar(report):
    out, _ = report
    pngs = sorted((out / "figures").glob("*.png"))
    assert len(pngs) >= 12
    for png in pngs:
        for ext in (".svg", ".pdf", ".csv", ".json"):
            assert png.with_suffix(ext).exists(), png.with_suffix(ext)
        side = json.loads(png.with_suffix(".json").read_text(encoding="utf-8"))
        assert side.get("corpus_hash") and (side.get("query") or side.get("params") is not None)


def test_notebooks_are_thin():
    for p in NOTEBOOKS.glob("*.py"):
        src = p.read_text(encoding="utf-8")
        assert "\ndef " not in src and "\nclass " not in src, f"{p.name}: move functions into analysis/"
        assert '# %% tags=["parameters"]' in src, f"{p.name}: needs one parameters cell"
        first = src.split("# %%", 2)[1]
        assert "**Question:**" in first, f"{p.name}: first cell must state the question"


def test_notebooks_take_the_report_settings_as_parameters(tmp_path):
    """``analysis report`` passes its settings as papermill parameters (no environment variables): each
    notebook's parameters cell declares them with defaults for a notebook opened by hand, and every query
    goes through a querier told whether to pseudonymize."""
    settings = notebook_parameters(tmp_path / "w.duckdb", tmp_path, pseudonymize=True)
    assert settings["pseudonymize"] is True
    for p in NOTEBOOKS.glob("*.py"):
        cells = [c for c in jupytext.read(p).cells if "parameters" in c.metadata.get("tags", [])]
        assert len(cells) == 1, f"{p.name}: needs exactly one parameters cell"
        declared: dict = {}
        exec(cells[0].source, declared)
        assert {k: declared.get(k, "missing") for k in settings} == {"db": None, "figures_dir": None,
                                                                    "pseudonymize": False}, p.name
        src = p.read_text(encoding="utf-8")
        assert "os.environ" not in src and "nb.query(" not in src, p.name
        assert "q = nb.querier(con, pseudonymize)" in src, p.name


def test_small_corpus_charts_show_every_place(report):
    """On the sample corpus nothing is pooled or sampled: every place has its own bar."""
    out, _ = report
    by_place = pd.read_csv(out / "figures" / "corpus_notices_by_place.csv", encoding="utf-8-sig")
    assert not by_place["place"].str.startswith("其他").any()
    assert by_place["notices"].sum() == 5
    side = json.loads((out / "figures" / "corpus_timeline.json").read_text(encoding="utf-8"))
    assert side["data"]["rows"] == 5


# ------------------------------------------------------------------------------ scale (no warehouse)

N_DOCS = 5000


@pytest.fixture(scope="module")
def big():
    """An in-memory stand-in for a large warehouse: 5,000 notices in ~2,000 districts."""
    rng = np.random.default_rng(1)
    provinces = [f"省{i}" for i in range(34)]
    rows = []
    for i in range(N_DOCS):
        p = int(rng.integers(0, 34))
        c = int(rng.integers(0, 12))
        d = int(rng.integers(0, 6))
        rows.append((f"{i:016x}", f"n{i}.txt", provinces[p], f"{provinces[p]}市{c}", f"区{(p * 12 + c) * 6 + d}",
                     None, int(rng.integers(1, 30))))
    rows[0] = (rows[0][0], rows[0][1], None, None, None, "X路街道", 3)
    # the same district name in two cities must not be merged
    rows[1] = (*rows[1][:3], "甲市", "朝阳区", None, 5)
    rows[2] = (*rows[2][:3], "乙市", "朝阳区", None, 5)
    con = duckdb.connect()
    con.execute("create table documents (doc_id varchar, source_file varchar, province varchar, city varchar, "
                "district varchar, unit varchar, measures_found integer)")
    con.executemany("insert into documents values (?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(f"create view document_groups as {schema.VIEWS['document_groups'][1]}")
    yield con
    con.close()


def test_places_keep_top_n_and_pool_the_rest(big):
    pl = nb.use_places(big, "district", 40)
    assert pl.level == "district" and pl.n_places > 1000
    assert len(pl.order) == 41 and pl.order[-1] == pl.other == f"其他 {pl.n_places - 40} 个区县"
    assert "40" in pl.caption and str(pl.n_places - 40) in pl.caption
    per_place = big.execute("select place, count(*) from place group by 1").fetchall()
    assert len(per_place) == 41 and sum(n for _, n in per_place) == N_DOCS  # the bucket adds up
    names = {r[0] for r in big.execute("select district_label from place").fetchall()}
    assert {"甲市朝阳区", "乙市朝阳区", "X路街道"} <= names


def test_places_auto_level_and_small_corpora(big):
    pl = nb.use_places(big, "auto", 40)
    assert pl.level == "province" and pl.other is None and pl.n_places == 35  # 34 provinces + 未知
    assert pl.caption.startswith("按省份汇总")
    small = nb.use_places(big, "auto", 40, provinces=["省3"])
    assert small.level == "city" and small.other is None
    tiny = nb.use_places(big, "district", 40, provinces=["省3", "省4"])
    assert tiny.n_places > 40 and tiny.other is not None
    with pytest.raises(ValueError):
        nb.use_places(big, "county", 40)


def test_box_data_matches_matplotlib_and_samples_deterministically(big):
    big.execute("create or replace temp table vals as select doc_id, i, sin(i * 7 + hash(doc_id) % 13) * 3 as v "
                "from documents, range(20) t(i)")
    nb.use_places(big, "province", 10)
    sql = """select p.place as "group", v.v as value, v.doc_id || '/' || v.i as key
             from vals v join place p using (doc_id)"""
    stats, points, median = nb.box_data(big, sql, points=25, seed=3)
    assert len(stats) == 11 and stats["n"].sum() == N_DOCS * 20
    assert points.groupby("group").size().max() == 25
    raw = big.execute(f"select * from ({sql})").df()
    for _, r in stats.iterrows():
        ref = plots._box_stats(raw.loc[raw["group"] == r["group"], "value"].to_numpy())
        for k in plots.BOX_STAT_COLUMNS:
            assert np.isclose(r[k], ref[k]), (r["group"], k)
    assert np.isclose(median, raw["value"].median())
    again = nb.box_data(big, sql, points=25, seed=3)[1]
    other_seed = nb.box_data(big, sql, points=25, seed=4)[1]
    assert again.equals(points) and not other_seed.equals(points)


def test_keyness_similarity_and_boilerplate_fetch_only_what_is_drawn(big):
    rng = np.random.default_rng(2)
    groups = [f"区{i}" for i in range(800)]
    tokens = [f"词{j}" for j in range(50)]
    key = pd.DataFrame({"group": np.repeat(groups, 50), "token": tokens * 800,
                        "count_target": rng.integers(1, 100, 40000), "count_reference": 10,
                        "log_ratio": rng.normal(0, 2, 40000), "g2": rng.random(40000), "p_adj": 0.01,
                        "direction": "over"})
    big.register("key_df", key)
    big.execute('create or replace table keyness as select * from key_df')
    sel = nb.keyness_top(big, top_n=5, max_groups=4)
    assert sel.data["group"].nunique() == 4 and len(sel.data) == 4 * 10
    assert "800" in sel.caption
    assert set(nb.keyness_top(big, top_n=5, groups=["区7"]).data["group"]) == {"区7"}
    sim = pd.DataFrame([(a, b, 1.0 if a == b else 0.5, i, j) for i, a in enumerate(groups[:300])
                        for j, b in enumerate(groups[:300])],
                       columns=["group_a", "group_b", "cosine", "order_a", "order_b"])
    big.register("sim_df", sim)
    big.execute("create or replace table district_similarity as select * from sim_df")
    s = nb.similarity_top(big, 30)
    assert len(s.data) == 30 * 30 and "300" in s.caption
    big.execute("create or replace table boilerplate as select doc_id, 10 as n_sentences, "
                "(hash(doc_id) % 11)::integer as n_shared, n_shared / 10 as share from documents")
    bp = nb.boilerplate_top(big, 40)
    assert len(bp.data) == 41 and bp.other == bp.data["source_file"].iloc[-1] == f"其他 {N_DOCS - 40} 篇"
    assert bp.data["n_sentences"].sum() == 10 * N_DOCS
    assert bp.data["share"].iloc[:40].is_monotonic_decreasing


def test_sample_caption():
    assert nb.sample_caption(5, 5, 0) == ""
    assert nb.sample_caption(40, 10000, 0).startswith("随机抽样 40 / 10000 篇（种子 0）")
    assert nb.subtitle("Notices per place", "", None) == "Notices per place"
    assert nb.subtitle("Notices per place", "按省份汇总") == "Notices per place\n按省份汇总"


def test_report_summary_stays_short_on_a_large_corpus(tmp_path):
    db = tmp_path / "big.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table documents as select 'p' || (i % 50) as province, 'd' || i as district, "
                "3 as problems_found, 9 as measures_found from range(3000) t(i)")
    con.execute("create table load_issues (severity varchar)")
    con.execute("create table parse_warnings (doc_id varchar)")
    con.close()
    lines = summary_lines(db)
    assert lines[0] == "3000 notices, 9000 problems, 27000 measures"
    assert len(lines) <= MAX_SUMMARY_LINES + 4
    assert any("(the 40 provinces with most notices of 50)" in ln for ln in lines)
    assert sum(int(ln.rsplit(": ", 1)[1].split()[0]) for ln in lines if "district(s):" in ln) == 40 * 60
