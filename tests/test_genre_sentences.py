"""Tests of the one sentence splitter (analysis.genre.sentences), on small invented texts."""

from __future__ import annotations

import re

import pytest

from analysis.genre.sentences import (
    PIECE_BREAKS,
    SENTENCE_BREAK_CLASS,
    SENTENCE_BREAKS,
    SENTENCE_END_CLASS,
    sentence_bounds,
    sentence_spans,
    split_pieces,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("", []),
    ("一句话", [(0, 3)]),
    ("甲。乙！丙？", [(0, 2), (2, 4), (4, 6)]),
    ("甲。。乙", [(0, 3), (3, 4)]),                      # a run of end marks closes one sentence
    ("。甲", [(1, 2)]),                                  # a lone leading mark belongs to nothing
    ("一、标题\n正文。", [(0, 4), (5, 8)]),               # a line break ends a sentence
    ("  甲。 \n\n 乙  ", [(2, 4), (8, 9)]),                # whitespace trimmed, blank lines dropped
    ("一是整改；二是问责。", [(0, 10)]),                   # ； separates clauses, not sentences
])
def test_sentence_spans(text: str, expected: list[tuple[int, int]]) -> None:
    assert sentence_spans(text) == expected


@pytest.mark.parametrize(("text", "pos", "expected"), [
    ("甲乙。丙丁。", 0, (0, 2)),
    ("甲乙。丙丁。", 1, (0, 2)),
    ("甲乙。丙丁。", 2, (0, 2)),       # on the mark: the sentence it closes
    ("甲乙。丙丁。", 3, (3, 5)),
    ("甲乙\n丙丁", 4, (3, 5)),         # no final mark: up to the end of the text
    ("甲；乙", 2, (0, 3)),
    ("", 0, (0, 0)),
])
def test_sentence_bounds(text: str, pos: int, expected: tuple[int, int]) -> None:
    assert sentence_bounds(text, pos) == expected


@pytest.mark.parametrize(("text", "merge_runs", "expected"), [
    ("一是强化责任。二是完善制度；\n（三）加强监督", True, ["一是强化责任", "二是完善制度", "（三）加强监督"]),
    ("一是强化责任。二是完善制度；\n（三）加强监督", False, ["一是强化责任", "二是完善制度", "", "（三）加强监督"]),
    ("甲!乙?丙;丁", True, ["甲", "乙", "丙", "丁"]),
    ("甲。", True, ["甲", ""]),
])
def test_split_pieces(text: str, merge_runs: bool, expected: list[str]) -> None:
    assert split_pieces(text, merge_runs=merge_runs) == expected


def test_classes_match_the_marks() -> None:
    assert re.fullmatch(f"[{SENTENCE_BREAK_CLASS}]+", SENTENCE_BREAKS)
    assert re.fullmatch(f"[{SENTENCE_END_CLASS}]+", "。！？")
    assert not re.search(f"[{SENTENCE_BREAK_CLASS}]", "；，、")
    assert set("；!?;") <= set(PIECE_BREAKS)
    assert SENTENCE_BREAK_CLASS == "。！？\\n"    # pasted as is into the search SQL
