"""The command line's outputs and docs: schema lists views and macros, export writes views, -o FILE
formats, a closed pipe ends quietly, every command is in README.md, LICENSE and CITATION.cff."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from analysis.cli import build_parser
from analysis.cli import main as cli_main
from analysis.outputs.spreadsheet import OutputError, write_frame

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def tiny(tmp_path) -> Path:
    """A warehouse file with one invented table and one view over it."""
    db = tmp_path / "tiny.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table notes as select * from (values (1, '整改台账'), (2, '=HYPERLINK(\"x\")')) t(n, note)")
    con.execute("create view notes_even as select n, note from notes where n % 2 = 0")
    con.close()
    return db


def _run(argv: list[str]) -> int:
    try:
        return cli_main(argv)
    except SystemExit as e:        # argparse's usage errors
        return e.code


def test_schema_lists_views_and_macros(capsys):
    assert cli_main(["schema"]) == 0
    out = capsys.readouterr().out
    assert "## view `district_discipline`" in out
    assert "## macro `kwic(term, width)`" in out
    assert "| keyword |" in out                     # the macro's columns, described from its SQL


def test_export_writes_views(tiny, tmp_path):
    out = tmp_path / "pq"
    assert cli_main(["export", str(out), "--db", str(tiny)]) == 0
    view = pd.read_parquet(out / "notes_even.parquet")
    assert view.to_dict("records") == [{"n": 2, "note": '=HYPERLINK("x")'}]
    assert "notes_even.parquet" in json.loads((out / "export-manifest.json").read_text(encoding="utf-8"))["files"]


def test_output_xlsx_is_a_real_workbook_with_text_kept_as_text(tiny, tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is a pinned dependency")
    target = tmp_path / "x.xlsx"
    assert cli_main(["sql", "select n, note, null as empty from notes order by n", "--db", str(tiny),
                     "-o", str(target)]) == 0
    ws = openpyxl.load_workbook(target).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows == [["n", "note", "empty"], [1, "整改台账", None], [2, '=HYPERLINK("x")', None]]
    assert ws["B3"].data_type == "s"               # text, never a formula


def test_xlsx_refuses_a_cell_longer_than_excel_holds(tmp_path):
    pytest.importorskip("openpyxl")
    with pytest.raises(OutputError, match="32,767"):
        write_frame(pd.DataFrame({"text": ["字" * 32_768]}), tmp_path / "long.xlsx")


@pytest.mark.parametrize("name, shown", [("x.foo", "'.foo'"), ("noending", "no file type")])
def test_unknown_output_suffix_exits_2_naming_it(tiny, tmp_path, capsys, name, shown):
    assert _run(["sql", "select 1", "--db", str(tiny), "-o", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert shown in err and ".xlsx" in err and ".parquet" in err and "Traceback" not in err
    assert not (tmp_path / name).exists()


def test_closed_pipe_ends_quietly(tiny):
    cmd = (f'"{sys.executable}" -m analysis sql "select range as n from range(300000)" --db "{tiny}" --csv '
           '| head -1; echo "status ${PIPESTATUS[0]}" >&2')
    r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.stdout == "n\n"
    assert r.stderr.strip() in ("status 141", "status 0"), r.stderr


def _readme_examples() -> str:
    """The text of README.md's code blocks and inline code spans."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.S)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    return "\n".join(blocks + inline)


def test_every_command_has_an_example_in_the_readme():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    examples = _readme_examples()
    missing = [c for c in sub.choices if not re.search(rf"\banalysis {re.escape(c)}\b", examples)]
    assert not missing, f"commands without an example in README.md: {missing}"


def test_citation_cff_has_the_required_keys():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors"} <= set(cff)
    assert cff["title"] == "Comparative analytics for inspection-rectification notices"
    assert cff["authors"] and all("name" in a or "family-names" in a for a in cff["authors"])
    version = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), flags=re.M).group(1)
    assert str(cff["version"]) == version
    assert str(cff["date-released"]) == "2026-12-02" and cff["license"] == "MIT"


def test_licence_and_data_status_are_linked_from_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "LICENSE" in readme and "CITATION.cff" in readme and "docs/data_status.md" in readme
    assert "MIT License" in (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "not cover" in (REPO / "docs" / "data_status.md").read_text(encoding="utf-8")
