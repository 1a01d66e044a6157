"""Shared fixtures: the sample warehouse, built once per session from corpus/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
GOLD = json.loads((REPO / "tests" / "fixtures" / "gold_seeds.json").read_text(encoding="utf-8"))["documents"]


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory) -> Path:
    """A private copy of corpus/ (tests may add files to their own copies, never to corpus/)."""
    d = tmp_path_factory.mktemp("corpus")
    for p in CORPUS.iterdir():
        shutil.copy(p, d / p.name)
    return d


@pytest.fixture(scope="session")
def sample_db(sample_corpus, tmp_path_factory) -> Path:
    from analysis.pipeline.orchestrate import build

    db = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    build(sample_corpus, db, quiet=True, workers=1)
    return db


@pytest.fixture()
def con(sample_db):
    c = duckdb.connect(str(sample_db), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="session")
def gold() -> dict:
    return GOLD
