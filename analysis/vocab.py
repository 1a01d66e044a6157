"""Loaders for the versioned domain vocabulary under ``analysis/data/``.

Data files are plain text: CSV or one-item-per-line lists. Lines starting with ``#`` are the
file's header (version, source, licence) and are skipped by the loaders.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd


def data_path(name: str) -> Path:
    """Path of a data file shipped with the package."""
    return Path(str(resources.files("analysis") / "data" / name))


def _body(name: str) -> str:
    text = data_path(name).read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def header(name: str) -> dict[str, str]:
    """The ``# key: value`` header lines of a data file (version, source…)."""
    out: dict[str, str] = {}
    for line in data_path(name).read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if not s.startswith("#"):
            if s:
                break
            continue
        s = s.lstrip("#").strip()
        if ":" in s:
            k, v = s.split(":", 1)
            out.setdefault(k.strip().lower(), v.strip())
    return out


def package_file(package: str, *parts: str) -> Path:
    """A data file inside an installed package, located without importing the package.

    Used for the gazetteer shipped by ``cpca``, whose ``__init__`` imports ``pkg_resources``
    (absent from recent setuptools) although only its data file is needed.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {package!r} is not installed; run `make setup`")
    return Path(list(spec.submodule_search_locations)[0], *parts)


@cache
def load_table(name: str) -> pd.DataFrame:
    """A CSV data file as a DataFrame of strings (empty cells become '')."""
    rows = list(csv.DictReader(io.StringIO(_body(name))))
    return pd.DataFrame(rows).fillna("")


@cache
def load_lines(name: str) -> tuple[str, ...]:
    """A one-item-per-line data file (blank lines and ``#`` lines skipped)."""
    return tuple(s.strip() for s in _body(name).splitlines() if s.strip())


@cache
def load_json(name: str) -> dict:
    return json.loads(data_path(name).read_text(encoding="utf-8"))
