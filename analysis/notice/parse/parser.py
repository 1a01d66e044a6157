"""The parser's entry point: one normalised notice in, its outline rows out (the steps in order)."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.notice.parse.lines import read_lines, warning
from analysis.notice.parse.problems import problem_family, problem_nodes, problem_rows, top_kinds
from analysis.notice.parse.sections import build_sections, coverage
from analysis.notice.parse.tree import build_tree


@dataclass
class ParseResult:
    sections: list[dict]
    problems: list[dict]
    measures: list[dict]
    warnings: list[dict]
    coverage: float | None
    rect_chars: int
    lead_chars: int = 0


def parse_notice(text: str) -> ParseResult:
    """Parse one normalised notice into sections, problems, measures and warnings."""
    warnings: list[dict] = []
    lines = read_lines(text, warnings)  # 1. lines and markers
    root = build_tree(lines, len(text))  # 2. the outline tree
    top_kind = top_kinds(root, text)  # 3. the problem level
    problems = problem_nodes(root, text, top_kind, problem_family(root, text, top_kind))
    if not problems:
        warnings.append(warning("no_structure", "no problem headings recognised in this notice"))
    sections = build_sections(text, root, problems, top_kind)
    problem_table, measures, covered = problem_rows(text, problems, warnings)  # 4. problems and measures
    cov, rect_chars, lead_chars = coverage(text, sections, covered)  # 5. coverage
    for s in sections:
        s.pop("_lead_end", None)
    return ParseResult(sections=sections, problems=problem_table, measures=measures, warnings=warnings,
                       coverage=cov, rect_chars=rect_chars, lead_chars=lead_chars)
