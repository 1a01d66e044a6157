"""Where a discipline count sits in its notice: in a summary section or a problem, in a quotation.

A count is a ``summary`` of the notice when it stands before the first problem or under a summary
heading (三、整改成效); inside a problem it is a ``mention``. The problems come from the parser
(their spans) or, without them, from the problem-heading patterns of
``analysis/data/discipline_actions.csv``. Action words inside a “quotation” or a 《book title》
are cited, not reported.
"""

from __future__ import annotations

from bisect import bisect_right

from analysis.notice.discipline.grammar import Grammar
from analysis.notice.row_helpers import ProblemIndex, ProblemSpan, quoted_spans


class NoticeLayout:
    """Sections and quotations of one notice, for position look-ups."""

    def __init__(self, g: Grammar, text: str, spans: list[ProblemSpan]) -> None:
        self.problems = ProblemIndex(spans)
        # headings: where problems start (from ``problems`` or the heading patterns) and where a
        # summary section (整改成效, 总体情况…) starts; a count belongs to the section it is in
        problem_starts = [ps for ps, _, _ in spans] or [
            m.start() for rx in g.heading_rx for m in rx.finditer(text)]
        marks = [(p, "problem") for p in problem_starts]
        marks += [(m.start(), "summary") for m in g.summary_heading_rx.finditer(text)]
        marks.sort()
        self.has_sections = bool(problem_starts)
        self.mark_pos = [p for p, _ in marks]
        self.mark_kind = [k for _, k in marks]
        self.quotes = [(qs, qe) for qs, qe, _ in quoted_spans(text)]
        self.quote_starts = [q[0] for q in self.quotes]

    def section(self, pos: int) -> str:
        """'summary' before the first problem or under a summary heading, else 'problem'."""
        if self.problems.holds(pos):
            return "problem"
        i = bisect_right(self.mark_pos, pos) - 1
        return "summary" if i < 0 else self.mark_kind[i]

    def in_quote(self, a: int, b: int) -> bool:
        """``a:b`` lies inside a “quotation” or a 《book title》 (cited words, not a report)."""
        i = bisect_right(self.quote_starts, a) - 1
        while i >= 0:
            qs, qe = self.quotes[i]
            if qs < a and b < qe:
                return True
            if qe <= a:
                # quote spans do not nest; an earlier one that ends before a cannot contain it
                return False
            i -= 1
        return False
