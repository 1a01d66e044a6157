"""Every notebook runs headless on the sample warehouse, exports its charts, and no glyph is missing."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from analysis.report import run_notebooks

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.fixture(scope="module")
def report(sample_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    timings = run_notebooks(NOTEBOOKS, out, sample_db)
    return out, timings


def test_every_notebook_ran_and_has_html(report):
    out, timings = report
    names = sorted(p.stem for p in NOTEBOOKS.glob("[0-9]*.py"))
    assert [n for n, _ in timings] == names and len(names) == 7
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
