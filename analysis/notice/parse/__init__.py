"""Notice structure parser: sections, problem areas, problems and measures, with offsets.

Input is the stored normalised text of one notice (see :mod:`analysis.ingest.normalize`); output is
plain rows whose ``char_start``/``char_end`` index that text, so ``text[char_start:char_end]`` is
the unit. The parser never opens a file. Each step is a rule about notices, not about one notice,
and has its own module:

1. :mod:`~analysis.notice.parse.lines` — lines and markers: each line's leading outline marker
   (numbering families of :mod:`analysis.genre.enumerators`: 一、 （一） 1. （1） ① 问题N …),
   damaged markers repaired, block openers (contact, next steps, signature) marked;
2. :mod:`~analysis.notice.parse.tree` — the outline tree: a family seen for the first time nests,
   one already on the stack closes everything below it;
3. :mod:`~analysis.notice.parse.problems` — the problem level (the family whose headings state
   problems) and each problem's area, heading, finding and rectification text;
4. :mod:`~analysis.notice.parse.measures` — the measures under a problem: child headings, else
   ordinals 一是/二是…, else labelled paragraphs (整改情况：), else one passage;
5. :mod:`~analysis.notice.parse.sections` — the section rows and the coverage of the
   rectification section.

:mod:`~analysis.notice.parse.parser` runs the steps (:func:`parse_notice`);
:mod:`~analysis.notice.parse.vocabulary` loads the data files they read.
"""

from analysis.genre.numerals import cn_to_int
from analysis.notice.parse.measures import measure_features, split_measures
from analysis.notice.parse.parser import ParseResult, parse_notice
from analysis.notice.parse.problems import find_quoted
from analysis.notice.parse.tree import Node
from analysis.notice.parse.vocabulary import classify_kind

__all__ = ["Node", "ParseResult", "classify_kind", "cn_to_int", "find_quoted", "measure_features", "parse_notice",
           "split_measures"]
