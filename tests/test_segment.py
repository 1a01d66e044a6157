"""Segmentation: golden file for both engines, lexicon/stopword data, token and vocabulary frames."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.ingest.normalize import normalize_text
from analysis.schema import TABLES
from analysis.tokens import segment, units
from analysis.vocab import header, load_lines

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = json.loads((ROOT / "tests" / "fixtures" / "segmentation_golden.json").read_text(encoding="utf-8"))
TOKEN_COLUMNS = TABLES["tokens"].column_names


def remove_stopwords(tokens: pd.DataFrame, level: segment.StopLevel = "function") -> pd.DataFrame:
    """Token rows whose token is not a stopword of ``level`` (positions are left as they were)."""
    stop = segment.stopwords(level)
    if not stop:
        return tokens
    return tokens[~tokens["token"].isin(stop)].reset_index(drop=True)


@pytest.mark.parametrize("engine", ["jieba", "rjieba"])
@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["text"][:12])
def test_golden_segmentation(engine, case):
    assert segment.segment_text(case["text"], engine) == [tuple(p) for p in case["tokens"]]


def test_golden_matches_lexicon_version():
    assert GOLDEN["lexicon_version"] == header("lexicon.txt")["version"]


def test_engines_agree_on_sample_corpus():
    texts = [normalize_text(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "corpus").glob("*.txt"))]
    lines = [ln for t in texts for ln in t.split("\n") if ln.strip()]
    assert lines
    ref = [segment.segment_text(ln, "jieba") for ln in lines]
    fast = [segment.segment_text(ln, "rjieba") for ln in lines]
    assert ref == fast


def test_lexicon_file():
    h = header("lexicon.txt")
    assert {"version", "source", "description"} <= set(h)
    lex = segment.lexicon()
    words = [w for w, _, _ in lex]
    assert len(words) >= 300
    assert len(set(words)) == len(words)
    for term in ["三会一课", "五议两公开", "四议两公开", "一岗双责", "诫勉谈话", "提醒谈话", "批评教育",
                 "党内严重警告", "监督预警卡", "巡察整改", "立行立改", "举一反三", "主体责任", "回头看",
                 "吹哨报到", "三重一大", "八项规定", "四风", "以案促改"]:  # fmt: skip
        assert term in words
        assert segment.segment_text(term, "rjieba") == [(term, dict((w, t) for w, _, t in lex)[term])]
    assert all(f > 0 and t for _, f, t in lex)


@pytest.mark.parametrize("name", ["stopwords_function.txt", "stopwords_formulaic.txt"])
def test_stopword_files(name):
    assert {"version", "source", "description"} <= set(header(name))
    words = load_lines(name)
    assert len(set(words)) == len(words)
    # every stopword is one token, otherwise it could never match
    assert all(len(segment.segment_text(w, "rjieba")) == 1 for w in words)


def test_stopword_levels():
    assert segment.stopwords("none") == frozenset()
    fn = segment.stopwords("function")
    fo = segment.stopwords("formulaic")
    assert {"的", "了", "和", "对", "在"} <= fn
    assert {"进一步", "切实", "持续", "不断", "认真", "全面", "扎实", "深入"} <= fo
    assert fn < fo and not ({"进一步", "切实"} & fn)
    with pytest.raises(ValueError):
        segment.stopwords("all")  # type: ignore[arg-type]


def test_cache_dir_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    assert segment.cache_dir() == tmp_path
    monkeypatch.delenv("ANALYSIS_CACHE_DIR")
    # the default is anchored at the repository, not at the working directory
    assert segment.cache_dir() == paths.REPO_ROOT / ".cache" / "jieba"


def test_reference_engine_is_a_private_tokenizer():
    import jieba

    seg = segment.get_segmenter("jieba")
    assert seg.tokenizer is not jieba.dt
    assert seg.tokenizer.tmp_dir and seg.tokenizer.cache_file == "jieba.cache"
    assert "三会一课" not in jieba.dt.FREQ  # the global tokenizer is untouched


UNITS = pd.DataFrame(
    {
        "doc_id": ["d1", "d1", "d2", "d2"],
        "unit_kind": ["problem", "measure", "problem", "section"],
        "unit_no": [1, 1001, 1, 0],
        "text": [
            "落实“三会一课”制度不严格。",
            "一是召开组织生活会，二是建立整改台账。",
            "党费收缴不规范",
            None,
        ],
    }
)


@pytest.mark.parametrize("engine", ["jieba", "rjieba"])
def test_tokenize_units(engine):
    t = units.tokenize_units(UNITS, engine=engine, workers=1)
    assert list(t.columns) == TOKEN_COLUMNS
    d1 = t[(t.doc_id == "d1") & (t.unit_kind == "problem")]
    assert d1["token"].tolist() == ["落实", "三会一课", "制度", "不", "严格"]
    assert d1["position"].tolist() == [0, 1, 2, 3, 4]
    assert d1["pos"].tolist()[1] == "nz"
    m = t[t.unit_no == 1001]["token"].tolist()
    assert "一" in m and "二" in m  # one-character CJK tokens are kept
    assert not any(tok in {"，", "。", "“", "”"} for tok in t["token"])
    assert t["pos"].notna().all()
    assert (t.unit_kind == "section").sum() == 0


def test_tokenize_units_parallel_and_batches_match():
    single = units.tokenize_units(UNITS, workers=1)
    pooled = units.tokenize_units(UNITS, workers=2, min_parallel_chars=0, chunk_chars=10)
    pd.testing.assert_frame_equal(single, pooled)
    batched = units.tokenize_units([UNITS.iloc[:2], UNITS.iloc[2:]], workers=1)
    pd.testing.assert_frame_equal(single, batched)
    empty = units.tokenize_units(UNITS.iloc[:0])
    assert list(empty.columns) == TOKEN_COLUMNS and len(empty) == 0


def test_tokenize_deterministic():
    a = units.tokenize_units(UNITS)
    b = units.tokenize_units(UNITS)
    pd.testing.assert_frame_equal(a, b)


def test_vocabulary():
    tokens = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a", "b"],
            "unit_kind": ["problem", "problem", "measure", "problem"],
            "unit_no": [1, 1, 1001, 1],
            "position": [0, 1, 0, 0],
            "token": ["党费", "党费", "党费", "整改"],
            "pos": ["nz", "nz", "nz", "v"],
        }
    )
    v = units.vocabulary(tokens)
    assert list(v.columns) == segment.VOCAB_COLUMNS
    assert v.iloc[0].to_dict() == {"token": "党费", "freq": 3, "doc_freq": 1, "unit_freq": 2, "kind": "content"}
    assert v.iloc[1].to_dict() == {"token": "整改", "freq": 1, "doc_freq": 1, "unit_freq": 1, "kind": "content"}
    streamed = units.vocabulary([tokens.iloc[:2], tokens.iloc[2:]])
    pd.testing.assert_frame_equal(v, streamed)


def test_remove_stopwords():
    t = units.tokenize_units(UNITS.iloc[:1], workers=1)
    assert "不" in set(t["token"])
    kept = remove_stopwords(t, "formulaic")
    assert set(kept["token"]) <= set(t["token"])
    assert remove_stopwords(t, "none") is t
