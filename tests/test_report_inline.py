"""Charts appear inline in the executed notebook and its HTML, and the kernel runs over IPC sockets."""

from __future__ import annotations

import base64
import re

import nbformat

from analysis.outputs import nb
from analysis.outputs.report import kernel_config, run_notebooks
from analysis.paths import NOTEBOOKS_DIR as NOTEBOOKS

NOTEBOOK = "02_corpus_overview"  # three charts on the sample corpus, a few seconds to run


def test_every_saved_chart_is_embedded_in_the_notebook_and_html(sample_db, tmp_path, capfd):
    run_notebooks(NOTEBOOKS, tmp_path, sample_db, only=[NOTEBOOK])
    pngs = sorted((tmp_path / "figures").glob("*.png"))
    assert len(pngs) == 3
    executed = nbformat.read(tmp_path / "notebooks" / f"{NOTEBOOK}.ipynb", as_version=4)
    shown = [o["data"]["image/png"] for c in executed.cells for o in c.get("outputs", [])
             if "image/png" in o.get("data", {})]
    # the very bytes of each saved file, once each, in the order the charts are made
    saved = {p.read_bytes() for p in pngs}
    assert len(shown) == 3 and {base64.b64decode(s) for s in shown} == saved
    html = (tmp_path / f"{NOTEBOOK}.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', html)) == len(pngs)
    # no "Kernel is running over TCP without encryption" warning from ipykernel
    assert "without encryption" not in capfd.readouterr().err


def test_show_png_does_nothing_outside_a_kernel(tmp_path):
    png = tmp_path / "x.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert nb.show_png(png) is False


def test_kernel_config_uses_ipc_sockets_in_the_given_folder(tmp_path):
    cfg = kernel_config(tmp_path)
    assert cfg.KernelManager.transport == "ipc"
    assert cfg.KernelManager.ip == str(tmp_path / "kernel")
