"""Charts for the notices analytics: Chinese text that renders anywhere, reproducible exports.

Fonts. The first chart drawn or figure exported in a process calls :func:`setup_fonts` (cached,
so it runs once), which registers the Noto Sans SC font shipped by the pinned
``pylopdf-fonts-zh-cn`` package with matplotlib (falling back to an installed system CJK font),
so notebooks need no font set-up of their own. Importing this package does no font work. Call
``setup_fonts()`` yourself before drawing a matplotlib figure of your own with Chinese text.

The packaged font has PostScript (CFF) outlines; matplotlib writes those into PDFs as if they were
TrueType (``FontFile2``), which strict readers such as Acrobat reject. A TrueType-outline copy is
therefore built once (about half a minute) and cached under matplotlib's cache directory, or
``$ANALYSIS_FONT_CACHE``; every chart and export uses that copy.

Charts. Chart functions take tidy DataFrames and return a :class:`matplotlib.figure.Figure`
(created without pyplot, so nothing accumulates in notebooks); empty or all-missing inputs give a
figure with a centred "无数据 / no data" message instead of an exception. Large inputs are
bounded: beyond ``MAX_ROWS`` categories the rest pool into one "其他" bar, row or box.
:func:`export_figure` writes PNG/SVG/PDF, the CSV behind the chart and a JSON sidecar,
byte-identical from run to run.

Modules: ``fonts`` (font discovery, conversion, registration), ``export`` (files on disk),
``style`` (palette, sizes, labels, the shared figure), and one per kind of chart: ``bars``,
``heatmap`` (with the dendrogram), ``lines`` (curve, timeline), ``keyness``, ``box``, ``scatter``.
"""

from __future__ import annotations

from analysis.outputs.plots.bars import bar_counts
from analysis.outputs.plots.box import BOX_STAT_COLUMNS, box_by_group
from analysis.outputs.plots.box import _box_stats as _box_stats  # used by tests/test_notebooks.py
from analysis.outputs.plots.export import DEFAULT_OUTDIR as DEFAULT_OUTDIR
from analysis.outputs.plots.export import export_figure, slugify
from analysis.outputs.plots.fonts import setup_fonts
from analysis.outputs.plots.heatmap import dendrogram_chart, heatmap
from analysis.outputs.plots.keyness import keyness_chart
from analysis.outputs.plots.lines import line_curve, timeline_intervals
from analysis.outputs.plots.scatter import scatter_stated_vs_found
from analysis.outputs.plots.style import MAX_ROWS, OKABE_ITO, OTHER_LABEL, other_label, wrap_label

__all__ = [
    "BOX_STAT_COLUMNS",
    "MAX_ROWS",
    "OKABE_ITO",
    "OTHER_LABEL",
    "bar_counts",
    "box_by_group",
    "dendrogram_chart",
    "export_figure",
    "heatmap",
    "keyness_chart",
    "line_curve",
    "other_label",
    "scatter_stated_vs_found",
    "setup_fonts",
    "slugify",
    "timeline_intervals",
    "wrap_label",
]
