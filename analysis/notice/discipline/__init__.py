"""Discipline counts of one notice: who was given which disciplinary measure, and how many.

Input text is always the output of :func:`analysis.ingest.normalize.normalize_text`, so digits are
half-width and clause punctuation is full-width (，；：（）！？). Every phrasing the rules use
(action words, governing verbs, roles, negation and policy contexts) lives in the versioned data
file ``analysis/data/discipline_actions.csv``; the code holds only the grammar that combines them:

- :mod:`.grammar` compiles the vocabulary into patterns;
- :mod:`.layout` tells where a position is (summary section or problem, inside a quotation);
- :mod:`.targets` reads the people an action is given to;
- :mod:`.sentence` reads the rows of one sentence, step by step;
- :mod:`.hierarchy` puts the rows of a notice in their hierarchy (group totals and their components,
  wherever they stand) and counts each person once (columns level, measure, relation, tally, basis);
- this module puts the rows of a notice together (:func:`discipline_columns`,
  :func:`extract_discipline`). Sentences are those of :mod:`analysis.genre.sentences`, numbers
  those of :mod:`analysis.genre.numerals`.

Discipline grammar, per sentence:

* an action word (诫勉谈话, 党内严重警告, 立案…) outside quotes and book titles, not used as a noun
  (谈话提醒制度, 函询工作流程), becomes a row only when something governs it:
  a count attached to it (诫勉谈话5人, 立案 1件, 给予政务处分0人), a counted or named target before it
  (2名社区班子成员给予诫勉谈话, 对社区报账员、街道财政办会计进行批评教育 = 2), a strong governing verb
  (给予, 予以, 发放…) or, for 约谈/函询, a person after it (约谈社区书记);
* a row is ``summary`` when it precedes the first problem of the notice (from ``problems`` or, without
  them, the first problem heading), sits under a summary heading outside the problems (三、整改成效) or
  follows 共/累计/合计/先后; otherwise it is a ``mention``; a notice with no recognisable problem
  heading falls back to: counts attached to the action word without a named target are ``summary``;
* breakdowns (政务处分3人（记大过1人，记过2人）, a bracket cut short, …，其中党内警告2人) point to their
  parent row and are never added to it; a mention that only repeats the sanction of the same named
  people already counted (灵秀社区主要负责人 twice) also points to the first row; components and
  mentions elsewhere in the notice point to the stated total that holds them (:mod:`.hierarchy`);
* a count is never invented: a row whose number the text does not give (给予党内警告处分; 对相关责任人
  立案审查; 对有关社区负责同志开展约谈) keeps count NULL; one person is counted only where one is named
  (对灵秀社区主要负责人…, 对王某…); ``count_stated`` says whether the number is written;
* no row from placeholders (X人), from negated or planned measures (拟给予, 将立案), from policy
  statements (情节严重的，给予…), from routine preventive talks without a count (对重要岗位人员进行谈话
  提醒，加强廉洁风险防控 — the ambiguous case of the issue is read as prevention, not sanction), from
  non-discipline actors (执法部门约谈商户) or from non-person targets (对物业开展约谈).
"""

from __future__ import annotations

import pandas as pd

from analysis.genre.sentences import sentence_spans
from analysis.notice.discipline.hierarchy import arrange, mismatch_warnings
from analysis.notice.discipline.sentence import DisciplineExtractor, Row
from analysis.notice.row_helpers import ProblemIndex, ProblemSpan, nullable_int, problem_column, problem_spans
from analysis.schema import TABLES

DISCIPLINE_COLUMNS: list[str] = list(TABLES["discipline_actions"].column_names)
__all__ = ["DISCIPLINE_COLUMNS", "discipline_columns", "discipline_warnings", "extract_discipline"]


def _link_repeated_mentions(rows: list[Row]) -> None:
    """A mention that only repeats already-counted named people points to the first row naming them."""
    seen: dict[tuple[str, str], int] = {}
    for i, r in enumerate(rows):
        if r.parent is not None or r.scope != "mention" or not r.keys:
            continue
        firsts = [seen.get((r.name, k)) for k in r.keys]
        if r.all_specific and all(f is not None for f in firsts):
            r.parent, r.relation = firsts[0], "repeat"
            continue
        for k in r.keys:
            seen.setdefault((r.name, k), i)


def _columns(doc_id: str, text: str, spans: list[ProblemSpan], rows: list[Row]) -> dict[str, list]:
    """The rows as the table's column lists (row_no and parent numbered from 1).

    The rows of one sentence share one string object for it (a long sentence with many rows is
    not copied once per row)."""
    out: dict[str, list] = {c: [] for c in DISCIPLINE_COLUMNS}
    where = ProblemIndex(spans)
    sentence = ""
    for i, r in enumerate(rows):
        if i == 0 or (r.s, r.e) != (rows[i - 1].s, rows[i - 1].e):
            sentence = text[r.s:r.e]
        values = {
            "doc_id": doc_id, "row_no": i + 1, "action": r.name, "action_group": r.action.group,
            "level": r.level, "measure": r.measure, "form": r.action.form, "action_raw": r.raw,
            "count": r.count, "count_stated": r.count_stated, "unit": r.unit, "unit_kind": r.unit_kind,
            "scope": r.scope, "target": r.target, "parent": None if r.parent is None else r.parent + 1,
            "relation": r.relation, "tally": r.tally, "tally_unit": r.tally_unit, "basis": r.basis,
            "problem_no": where.problem_of(r.s, r.e, r.a), "sentence": sentence,
            "char_start": r.s, "char_end": r.e, "match_start": r.m_start, "match_end": r.m_end,
        }
        for c in DISCIPLINE_COLUMNS:
            out[c].append(values[c])
    return out


def discipline_columns(doc_id: str, text: str, spans: list[ProblemSpan],
                       sentences: list[tuple[int, int]] | None = None) -> dict[str, list]:
    """The rows of :func:`extract_discipline` as column lists (the build's fast path, no pandas)."""
    spans = problem_spans(doc_id, spans)
    ex = DisciplineExtractor(text, spans)
    rows: list[Row] = []
    for s, e in (sentence_spans(text) if sentences is None else sentences):
        base = len(rows)
        for r in ex.sentence_rows(s, e):
            if r.parent is not None:
                r.parent += base
            rows.append(r)
    _link_repeated_mentions(rows)
    arrange(rows)
    return _columns(doc_id, text, spans, rows)


def discipline_warnings(columns: dict[str, list]) -> list[dict]:
    """Parse warnings of one notice's discipline rows (:func:`discipline_columns`): stated totals that
    their parts add up to more than (both kept; the total is counted)."""
    return mismatch_warnings(columns)


def extract_discipline(doc_id: str, text: str, problems: pd.DataFrame | None = None) -> pd.DataFrame:
    """Disciplinary measures a notice reports, one row per counted action (columns DISCIPLINE_COLUMNS)."""
    out = discipline_columns(doc_id, text, problem_spans(doc_id, problems))
    df = pd.DataFrame(out, columns=DISCIPLINE_COLUMNS)
    df["row_no"] = df["row_no"].astype("int64")
    df["count"] = nullable_int(out["count"])
    df["tally"] = nullable_int(out["tally"])
    df["count_stated"] = df["count_stated"].astype("bool")
    df["form"] = nullable_int(out["form"])
    df["parent"] = nullable_int(out["parent"])
    df["problem_no"] = problem_column(out["problem_no"])
    for c in ("char_start", "char_end", "match_start", "match_end"):
        df[c] = df[c].astype("int64")
    return df
