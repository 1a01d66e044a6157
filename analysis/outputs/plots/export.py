"""Writing a chart to disk: PNG/SVG/PDF, the CSV behind it and a JSON sidecar, byte-stable.

Nothing in the output depends on the clock, the working directory or the process: no dates in any
file, a fixed SVG hash salt, sorted JSON keys. Running a notebook twice gives identical files.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import __version__
from analysis.outputs.plots.fonts import SVG_HASHSALT, setup_fonts
from analysis.outputs.spreadsheet import csv_safe
from analysis.paths import FIGURES_DIR

DEFAULT_OUTDIR = FIGURES_DIR
IMAGE_FORMATS = ("png", "svg", "pdf")
_EXPORT_RC = {"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path", "pdf.fonttype": 42,
              "ps.fonttype": 42, "pdf.compression": 6}


def slugify(name: str) -> str:
    """A stable file stem: NFKC, lower case, runs of non-word characters become '-' (CJK kept)."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    text = re.sub(r"[^\w]+", "-", text).strip("-_")
    return text[:80].rstrip("-_") or "figure"


def _jsonable(value: Any) -> Any:
    """Convert params to plain JSON types, deterministically."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=repr)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _save_images(fig: Figure, name: str, paths: dict[str, Path]) -> None:
    """Write the PNG (300 dpi), SVG and PDF without dates, laying the figure out only once."""
    metadata = {
        "png": {"Software": None, "Title": str(name)},
        "svg": {"Date": None, "Title": str(name)},
        "pdf": {"CreationDate": None, "ModDate": None, "Title": str(name),
                "Creator": f"analysis {__version__}"},
    }
    with mpl.rc_context(_EXPORT_RC):
        # Lay the figure out and find its tight box once, then write the three formats with the layout
        # frozen: savefig would otherwise redo the constrained layout and an extra draw per format.
        engine, dpi = fig.get_layout_engine(), fig.get_dpi()
        try:
            fig.set_dpi(300)
            fig.draw_without_rendering()
            box = fig.get_tightbbox().padded(0.1)
            fig.set_layout_engine(None)
            for ext in IMAGE_FORMATS:
                fig.savefig(paths[ext], format=ext, dpi=300, metadata=metadata[ext],
                            bbox_inches=box, facecolor="white")
        finally:
            fig.set_layout_engine(engine)
            fig.set_dpi(dpi)


def _save_table(data: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Write the chart's data as CSV (UTF-8 with BOM, for Excel); return the table written."""
    table = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    if not (isinstance(table.index, pd.RangeIndex) and table.index.name is None):
        table = table.reset_index()  # a meaningful index becomes columns
    csv_safe(table).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return table


def export_figure(
    fig: Figure,
    name: str,
    data: pd.DataFrame,
    *,
    params: dict | None = None,
    query: str | None = None,
    corpus_hash: str | None = None,
    outdir: Path = DEFAULT_OUTDIR,
) -> dict[str, Path]:
    """Write ``<slug>.png`` (300 dpi), ``.svg``, ``.pdf``, ``.csv`` and ``.json`` under *outdir*.

    Output is byte-identical across runs: no timestamps in any file; the CSV is UTF-8 with BOM
    (Excel); the sidecar records name, query, params, corpus hash, files (with SHA-256) and
    versions. *outdir* defaults to ``reports/figures`` in the repository. Returns the paths keyed
    by extension.
    """
    family = setup_fonts()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    slug = slugify(name)
    paths = {ext: outdir / f"{slug}.{ext}" for ext in (*IMAGE_FORMATS, "csv", "json")}
    _save_images(fig, name, paths)
    table = _save_table(data, paths["csv"])
    files = {
        ext: {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        for ext, p in paths.items() if ext != "json"
    }
    sidecar = {
        "name": str(name),
        "slug": slug,
        "query": query,
        "params": _jsonable(params or {}),
        "corpus_hash": corpus_hash,
        "files": files,
        "data": {"rows": len(table), "columns": [str(c) for c in table.columns]},
        "package": {"name": "analysis", "version": __version__},
        "matplotlib": mpl.__version__,
        "font_family": family,
    }
    text = json.dumps(sidecar, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    paths["json"].write_text(text, encoding="utf-8", newline="\n")
    return paths
