"""The main job after a build: a printed summary, then every notebook executed headless.

Notebooks are jupytext percent scripts in ``notebooks/``; each is executed with papermill
(``db``, ``figures_dir`` and ``pseudonymize`` injected after its cell tagged ``parameters``: settings
reach notebooks as parameters, never as environment variables), saved executed as ``.ipynb`` and as
HTML under ``reports/``; the charts the notebooks export land in ``reports/figures/`` and are shown
inline (the saved PNG embedded where the chart is made, see :func:`analysis.outputs.nb.show_png`).
The kernel talks over IPC sockets in a private temporary folder, not TCP. With
``pseudonymize`` every notebook replaces person names with the pseudonyms of the warehouse's key
(``<db>.pseudonym-key``, see :mod:`analysis.outputs.privacy`), which no report contains.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from analysis.outputs.privacy import key_path, load_or_create_key
from analysis.warehouse.db import connect_readonly

MAX_SUMMARY_LINES = 40  # beyond this many districts the summary lists provinces


def summary_lines(db: Path) -> list[str]:
    """A short printed summary of the warehouse."""
    con = connect_readonly(db)
    try:
        q = con.execute
        n_docs, n_prob, n_meas = q("select count(*), sum(problems_found), sum(measures_found) from documents"
                                   ).fetchone()
        lines = [f"{n_docs} notices, {n_prob or 0} problems, {n_meas or 0} measures"]
        places = q("select coalesce(province, '?'), coalesce(district, '?'), count(*) from documents "
                   "group by all order by 1, 2 limit ?", [MAX_SUMMARY_LINES + 1]).fetchall()
        if len(places) > MAX_SUMMARY_LINES:  # a large corpus: one line per province, not per district
            places = q("select coalesce(province, '?'), count(distinct district) || ' district(s)', count(*) "
                       "from documents group by all order by 3 desc, 1 limit ?", [MAX_SUMMARY_LINES]).fetchall()
            n_prov = q("select count(distinct coalesce(province, '?')) from documents").fetchone()[0]
            if n_prov > MAX_SUMMARY_LINES:
                lines.append(f"  (the {MAX_SUMMARY_LINES} provinces with most notices of {n_prov})")
        for row in places:
            lines.append(f"  {row[0]} {row[1]}: {row[2]} notice(s)")
        n_issues = q("select count(*) from load_issues where severity = 'error'").fetchone()[0]
        n_warn = q("select count(*) from parse_warnings").fetchone()[0]
        lines.append(f"files not loaded: {n_issues}; parse warnings: {n_warn} (see view parse_report)")
        have = {r[0] for r in q("select table_name from information_schema.tables").fetchall()}
        if "district_discipline" in have:
            # each person (case, card) once, every count with its unit: units are never added together
            rows = q("select action_group, count_unit, sum(count) from district_discipline where count is not null "
                     "group by 1, 2 order by 3 desc, 1, 2 limit 8").fetchall()
            if rows:
                lines.append("discipline (each counted once): " + ", ".join(f"{a} {int(c)}{u}" for a, u, c in rows))
        return lines
    finally:
        con.close()


def notebook_parameters(db: Path, out: Path, pseudonymize: bool = False) -> dict[str, object]:
    """What ``analysis report`` passes to each notebook's parameters cell (papermill injects it after
    that cell): the warehouse, where charts go, and whether person names are pseudonymized."""
    return {"db": str(Path(db).resolve()), "figures_dir": str((out / "figures").resolve()),
            "pseudonymize": bool(pseudonymize)}


def run_notebooks(notebooks: Path, out: Path, db: Path, only: list[str] | None = None,
                  pseudonymize: bool = False) -> list[tuple[str, float]]:
    """Execute each notebook; returns (name, seconds). Raises on the first failing notebook.

    ``pseudonymize`` replaces person names in everything the notebooks query (charts, tables, HTML)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "notebooks").mkdir(exist_ok=True)
    paths = sorted(notebooks.glob("[0-9]*.py"))
    if only:
        paths = [p for p in paths if p.stem in only]
    parameters = notebook_parameters(db, out, pseudonymize)
    timings = []
    with tempfile.TemporaryDirectory(prefix="analysis-kernel-") as sockets:
        config = kernel_config(Path(sockets))
        for i, path in enumerate(paths, start=1):
            timings.append(_run_one(path, out, parameters, i, len(paths), config))
    return timings


def kernel_config(sockets: Path):
    """Kernel-manager settings: talk to the kernel over local IPC sockets in *sockets*, not TCP.

    The kernel is local, so sockets in a private temporary folder need no network port, and ipykernel
    no longer warns on every run that it "is running over TCP without encryption"."""
    from traitlets.config import Config

    return Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})


def _run_one(path: Path, out: Path, parameters: dict, i: int, n: int, config) -> tuple[str, float]:
    """Execute one notebook into ``out/notebooks/<stem>.ipynb`` and ``out/<stem>.html``; (name, seconds)."""
    # imported here, not at the top: together they take ~2 s to import, which every other command would pay
    import jupytext
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter

    t0 = time.perf_counter()
    print(f"[{i}/{n}] {path.stem} …", file=sys.stderr, flush=True)
    src = out / "notebooks" / f"{path.stem}.input.ipynb"
    dst = out / "notebooks" / f"{path.stem}.ipynb"
    nbformat.write(jupytext.read(path), src)
    pm.execute_notebook(str(src), str(dst), parameters=parameters, cwd=str(path.parent), progress_bar=False,
                        log_output=False, kernel_name="python3", config=config)
    src.unlink()
    html, _ = HTMLExporter().from_notebook_node(nbformat.read(dst, as_version=4))
    (out / f"{path.stem}.html").write_text(html, encoding="utf-8")
    dt = time.perf_counter() - t0
    print(f"[{i}/{n}] {path.stem} done in {dt:.1f} s → {out / (path.stem + '.html')}", file=sys.stderr, flush=True)
    return path.stem, dt


def run_report(db: Path, notebooks: Path, out: Path, pseudonymize: bool = False) -> int:
    """Print the summary, then run every notebook into *out*; the exit code of ``analysis report``."""
    for line in summary_lines(db):
        print(line)
    if not notebooks.is_dir() or not any(notebooks.glob("[0-9]*.py")):
        print("no notebooks to run")
        return 0
    if pseudonymize:  # the notebooks share the warehouse's key: make sure it exists (and can) before they run
        load_or_create_key(key_path(db))
    timings = run_notebooks(notebooks, out, db, pseudonymize=pseudonymize)
    n_fig = len(list((out / "figures").glob("*.png"))) if (out / "figures").exists() else 0
    print(f"ran {len(timings)} notebook(s) in {sum(t for _, t in timings):.0f} s; {n_fig} chart(s) in "
          f"{out / 'figures'}; HTML copies in {out}")
    return 0
