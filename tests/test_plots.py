"""Tests for analysis.outputs.plots: CJK glyphs, label layout, reproducible exports, empty input."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from analysis import __version__
from analysis.outputs import plots
from analysis.outputs.plots import fonts, style

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3400-\u9fff]")

# Real and invented districts, incl. long and rare-character names.
DISTRICTS = [
    "滨海新区", "市中区", "普陀区", "和平区", "河西区", "南开区", "红桥区", "东丽区", "西青区",
    "津南区", "北辰区", "武清区", "宝坻区", "蓟州区", "鄞州区", "瀍河回族区", "槐荫区", "历城区",
    "云栖新区", "青禾县", "北漳区", "镜湖生态经济开发区", "澄江高新技术产业园区", "石岭乡", "临渊区",
]
ACTIONS = ["立行立改", "建章立制", "约谈提醒", "诫勉谈话", "党纪政务处分", "移交问题线索", "追缴资金",
           "组织处理", "开展专项整治行动并建立长效机制"]
CATEGORIES = ["政治建设", "全面从严治党", "形式主义官僚主义", "选人用人", "基层党组织建设", "意识形态工作"]


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """Realistic tidy inputs for every chart, with a few NaNs sprinkled in."""
    rng = np.random.default_rng(7)
    counts = pd.DataFrame([(d, a, int(rng.integers(0, 12))) for d in DISTRICTS for a in ACTIONS],
                          columns=["district", "action", "n"])
    counts.loc[3, "n"] = np.nan
    share = pd.DataFrame([(d, c, float(rng.random())) for d in DISTRICTS for c in CATEGORIES],
                         columns=["district", "category", "share"])
    share.loc[0, "share"] = np.nan
    silhouette = pd.DataFrame({"k": range(2, 12), "silhouette": rng.uniform(0.1, 0.4, 10)})
    silhouette.loc[4, "silhouette"] = np.nan
    pairs = pd.DataFrame([(a, b, float(rng.uniform(0.2, 0.95)))
                          for i, a in enumerate(DISTRICTS) for b in DISTRICTS[i + 1:]],
                         columns=["group_a", "group_b", "cosine"])
    pairs.loc[1, "cosine"] = np.nan
    tokens = ["整改", "问题", "落实", "责任", "制度", "资金", "监督", "干部", "群众", "形式主义", "长效机制",
              "巡察反馈意见", "台账", "销号", "约谈", "线索", "纪律", "作风"]
    keyness = pd.DataFrame([(g, t, float(rng.normal(0, 2)), float(rng.uniform(0, 0.2)), int(rng.integers(1, 90)))
                            for g in DISTRICTS[:3] for t in tokens],
                           columns=["group", "token", "log_ratio", "p_adj", "count"])
    keyness.loc[0, "log_ratio"] = np.inf
    keyness.loc[1, "p_adj"] = np.nan
    starts = pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 400, len(DISTRICTS)), unit="D")
    timeline = pd.DataFrame({
        "label": [f"中共{d}委巡察整改进展情况的通报" for d in DISTRICTS],
        "inspection_start": starts,
        "inspection_end": starts + pd.Timedelta(days=40),
        "feedback_date": starts + pd.Timedelta(days=80),
        "publish_date": starts + pd.Timedelta(days=200),
    })
    timeline.loc[2, "feedback_date"] = pd.NaT
    timeline.loc[4, ["inspection_start", "inspection_end", "feedback_date", "publish_date"]] = pd.NaT
    specificity = pd.DataFrame([(d, float(rng.random())) for d in DISTRICTS for _ in range(int(rng.integers(2, 15)))],
                               columns=["district", "specificity"])
    specificity.loc[0, "specificity"] = np.nan
    stated = rng.integers(2, 40, 60)
    found = np.where(rng.random(60) < 0.5, stated, np.maximum(0, stated + rng.integers(-6, 6, 60)))
    scatter = pd.DataFrame({"doc": [f"{DISTRICTS[i % 25]}第{i // 25 + 1}号通报" for i in range(60)],
                            "stated": stated.astype(float), "found": found.astype(float)})
    scatter.loc[0, "found"] = np.nan
    return {"counts": counts, "share": share, "silhouette": silhouette, "pairs": pairs, "keyness": keyness,
            "timeline": timeline, "specificity": specificity, "scatter": scatter}


CHARTS: dict[str, Callable[[dict[str, pd.DataFrame]], Figure]] = {
    "bar_counts": lambda f: plots.bar_counts(
        f["counts"].groupby("district", as_index=False)["n"].sum(), "district", "n",
        title="各区整改措施数量", subtitle="Rectification measures per district"),
    "bar_counts_stacked": lambda f: plots.bar_counts(
        f["counts"], "district", "n", hue="action", title="各区整改措施构成", legend_title="措施类型"),
    "heatmap": lambda f: plots.heatmap(
        f["share"], "district", "category", "share", title="各区问题类别占比", subtitle="Category share", fmt=".0%"),
    "heatmap_signed": lambda f: plots.heatmap(
        f["share"].assign(share=f["share"]["share"] - 0.5), "district", "category", "share",
        title="与平均值之差", fmt="+.2f"),
    "line_curve": lambda f: plots.line_curve(f["silhouette"], "k", "silhouette", highlight=4),
    "dendrogram": lambda f: plots.dendrogram_chart(f["pairs"]),
    "keyness": lambda f: plots.keyness_chart(f["keyness"], top_n=8),
    "timeline": lambda f: plots.timeline_intervals(f["timeline"]),
    "box": lambda f: plots.box_by_group(f["specificity"], "district", "specificity",
                                        title="各区措施具体性分布", xlabel="具体性得分"),
    "scatter": lambda f: plots.scatter_stated_vs_found(f["scatter"], "stated", "found", "doc"),
}


def _draw(fig: Figure):
    """Lay out and return a renderer for measuring artists."""
    canvas = FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    return canvas.get_renderer()


def _off_view_tick_labels(fig: Figure) -> set[int]:
    """Tick labels matplotlib keeps but does not draw (tick outside the view interval)."""
    hidden = set()
    for ax in fig.axes:
        if not ax.axison:  # an unused panel
            hidden.update(id(t) for t in ax.get_xticklabels() + ax.get_yticklabels())
            continue
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            span = (hi - lo) * 1e-9
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - span <= tick.get_loc() <= hi + span:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return hidden


def _texts(fig: Figure) -> list[Text]:
    """Texts that are drawn."""
    hidden = _off_view_tick_labels(fig)
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def _assert_no_overlap(labels: list[Text], renderer) -> None:
    """Neighbouring tick labels do not collide (rotation-aware for slanted labels)."""
    labels = [t for t in labels if t.get_visible() and t.get_text()]
    rotation = {round(t.get_rotation()) % 180 for t in labels}
    if rotation - {0}:  # parallel slanted labels: compare their spacing with the line height
        angle = np.deg2rad(rotation.pop())
        anchors = np.array([t.get_transform().transform(t.get_position()) for t in labels])
        gaps = np.hypot(*np.diff(anchors, axis=0).T) * abs(np.sin(angle))
        for text, gap in zip(labels[1:], gaps, strict=True):
            height = text.get_fontsize() * renderer.dpi / 72 * 1.2 * (text.get_text().count("\n") + 1)
            assert gap >= height, f"labels overlap at {text.get_text()!r}"
        return
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels]
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            assert not box_a.overlaps(box_b), f"labels overlap: {a!r} / {b!r}"


# ---------------------------------------------------------------------------------------------- fonts


@pytest.fixture
def fonts_set_up() -> None:
    """The font registered already, as importing the module used to do (it is lazy now)."""
    plots.setup_fonts()


def test_setup_fonts_uses_packaged_noto_sans_sc() -> None:
    family = plots.setup_fonts()
    assert family == "Noto Sans SC"
    assert mpl.rcParams["font.sans-serif"][:2] == [family, "DejaVu Sans"]
    assert mpl.rcParams["font.family"] == ["sans-serif"]
    assert mpl.rcParams["axes.unicode_minus"] is False
    assert mpl.rcParams["pdf.fonttype"] == 42
    packaged = fonts._packaged_font_file()
    assert packaged is not None and packaged.is_file() and "pylopdf_fonts_zh_cn" in str(packaged)
    resolved = Path(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))
    assert resolved == fonts._truetype_copy(packaged)[0]
    assert resolved.read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType outlines, embeddable as FontFile2


@pytest.mark.usefixtures("fonts_set_up")
def test_setup_fonts_is_idempotent() -> None:
    before = len(font_manager.fontManager.ttflist)
    assert plots.setup_fonts() == plots.setup_fonts(force=True)
    assert len(font_manager.fontManager.ttflist) == before


def test_truetype_fonts_are_used_as_is() -> None:
    dejavu = Path(mpl.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    assert fonts._truetype_copy(dejavu) == (dejavu, 0)


@pytest.mark.usefixtures("fonts_set_up")
def test_falls_back_to_system_cjk_font_without_package(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        with monkeypatch.context() as m:
            m.setattr(fonts, "_packaged_font_file", lambda: None)
            # the registered Noto Sans SC stands in for a system font here
            assert plots.setup_fonts(force=True) == "Noto Sans SC"
            system = fonts._system_cjk_font()
            assert system is not None and fonts._covers(str(system[0]), system[1], "巡察整改")
    finally:
        plots.setup_fonts(force=True)


def test_no_cjk_font_raises_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        with monkeypatch.context() as m:
            m.setattr(fonts, "_packaged_font_file", lambda: None)
            m.setattr(fonts, "_system_cjk_font", lambda: None)
            with pytest.raises(RuntimeError, match="pylopdf-fonts-zh-cn"):
                plots.setup_fonts(force=True)
    finally:
        plots.setup_fonts(force=True)
    assert mpl.rcParams["font.sans-serif"][0] == "Noto Sans SC"


def test_failed_conversion_still_sets_up_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(path: Path, index: int = 0) -> tuple[Path, int]:
        raise OSError("read-only cache")

    try:
        with monkeypatch.context() as m:
            m.setattr(fonts, "_truetype_copy", boom)
            assert plots.setup_fonts(force=True) == "Noto Sans SC"
    finally:
        plots.setup_fonts(force=True)


def test_missing_glyphs_are_detected() -> None:
    """Guard for the glyph tests below: a character no font has must warn."""
    fig = Figure()
    fig.text(0.5, 0.5, "滨海新区 \U0001f004")
    with pytest.warns(UserWarning, match="Glyph"):
        fig.savefig(io.BytesIO(), format="png")


# ---------------------------------------------------------------------------------------------- charts


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_chart_renders_chinese_without_missing_glyphs(chart: str, frames, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any "Glyph … missing" (or other) warning fails the test
        fig = CHARTS[chart](frames)
        assert isinstance(fig, Figure)
        for ext in ("png", "svg", "pdf"):
            fig.savefig(tmp_path / f"{chart}.{ext}")
    assert all((tmp_path / f"{chart}.{ext}").stat().st_size > 0 for ext in ("png", "svg", "pdf"))
    chinese = [t for t in _texts(fig) if CJK.search(t.get_text())]
    assert chinese, "chart should carry Chinese labels"
    for text in chinese:
        path = font_manager.findfont(text.get_fontproperties())
        assert font_manager.get_font(path).family_name == "Noto Sans SC", text.get_text()


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_labels_neither_overlap_nor_clip(chart: str, frames) -> None:
    fig = CHARTS[chart](frames)
    renderer = _draw(fig)
    figure_box = fig.bbox.expanded(1.0, 1.0)
    hidden = _off_view_tick_labels(fig)
    for ax in fig.axes:
        _assert_no_overlap([t for t in ax.get_yticklabels() if id(t) not in hidden], renderer)
        _assert_no_overlap([t for t in ax.get_xticklabels() if id(t) not in hidden], renderer)
    for text in _texts(fig):
        box = text.get_window_extent(renderer)
        tol = 2.0  # pixels
        inside = Bbox.from_extents(figure_box.x0 - tol, figure_box.y0 - tol, figure_box.x1 + tol, figure_box.y1 + tol)
        assert inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1), \
            f"{chart}: {text.get_text()!r} is clipped"


def test_many_districts_grow_the_figure(frames) -> None:
    small = plots.bar_counts(pd.DataFrame({"d": DISTRICTS[:3], "n": [1, 2, 3]}), "d", "n")
    large = plots.bar_counts(pd.DataFrame({"d": DISTRICTS, "n": range(25)}), "d", "n")
    assert large.get_figheight() > small.get_figheight() + 4


def test_bar_counts_sorts_and_accepts_swapped_columns() -> None:
    df = pd.DataFrame({"district": ["普陀区", "市中区", "滨海新区", "市中区"], "n": [1, 5, 3, 2]})
    for fig in (plots.bar_counts(df, "district", "n"), plots.bar_counts(df, "n", "district")):
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert labels == ["市中区", "滨海新区", "普陀区"]  # top to bottom: 7 (summed), 3, 1


def test_bar_counts_merges_excess_hue_levels() -> None:
    df = pd.DataFrame({"d": "市中区", "a": [f"措施{i}" for i in range(12)], "n": range(12)})
    fig = plots.bar_counts(df, "d", "n", hue="a", max_hue=5)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert len(legend) == 5 and legend[-1] == plots.OTHER_LABEL


def test_heatmap_uses_diverging_palette_for_signed_values(frames) -> None:
    seq = plots.heatmap(frames["share"], "district", "category", "share")
    div = plots.heatmap(frames["share"].assign(share=frames["share"]["share"] - 0.5), "district", "category", "share")
    assert seq.axes[0].collections[0].get_cmap().name == "viridis"
    assert div.axes[0].collections[0].get_cmap().name == "RdBu"


def test_line_curve_marks_highlight(frames) -> None:
    fig = plots.line_curve(frames["silhouette"], "k", "silhouette", highlight=4)
    assert any("k = 4" in t.get_text() for t in _texts(fig))


def test_keyness_accepts_compare_keyness_columns(frames) -> None:
    """analysis.compare.keyness names the count ``count_target`` and adds other columns."""
    table = frames["keyness"].rename(columns={"count": "count_target"}).assign(
        count_reference=5, g2=1.0, p_value=0.01, direction="over")
    fig = plots.keyness_chart(table, groups=["市中区"], top_n=5)
    assert any(t.get_text().startswith("n=") for t in fig.axes[0].texts)


def test_dendrogram_accepts_all_ordered_pairs_and_matrices() -> None:
    """analysis.compare.clustering gives every ordered pair, self-pairs included."""
    names = ["滨海新区", "市中区", "普陀区", "云栖新区"]
    sim = np.array([[1, 0.9, 0.2, 0.1], [0.9, 1, 0.3, 0.2], [0.2, 0.3, 1, 0.8], [0.1, 0.2, 0.8, 1]])
    pairs = pd.DataFrame([(a, b, sim[i, j]) for i, a in enumerate(names) for j, b in enumerate(names)],
                         columns=["group_a", "group_b", "cosine"])
    for source in (pairs, pd.DataFrame(sim, index=names, columns=names)):
        fig = plots.dendrogram_chart(source)
        leaves = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert sorted(leaves) == sorted(names)
        pair_positions = {frozenset(leaves[i:i + 2]) for i in (0, 2)}
        assert pair_positions == {frozenset(names[:2]), frozenset(names[2:])}


def test_scatter_labels_do_not_overlap(frames) -> None:
    fig = plots.scatter_stated_vs_found(frames["scatter"], "stated", "found", "doc", max_labels=25)
    renderer = _draw(fig)
    labels = [t for t in fig.axes[0].texts if "通报" in t.get_text()]
    assert labels
    boxes = [Text.get_window_extent(t, renderer) for t in labels]
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1:])


# ---------------------------------------------------------------------------------------------- empty / NaN

EMPTY_CALLS: dict[str, Callable[[pd.DataFrame], Figure]] = {
    "bar_counts": lambda df: plots.bar_counts(df, "district", "n", title="空"),
    "heatmap": lambda df: plots.heatmap(df, "district", "category", "share"),
    "line_curve": lambda df: plots.line_curve(df, "k", "silhouette"),
    "dendrogram": lambda df: plots.dendrogram_chart(df),
    "keyness": lambda df: plots.keyness_chart(df),
    "timeline": lambda df: plots.timeline_intervals(df),
    "box": lambda df: plots.box_by_group(df, "district", "specificity"),
    "scatter": lambda df: plots.scatter_stated_vs_found(df, "stated", "found", "doc"),
}
EMPTY_COLUMNS = {
    "bar_counts": ["district", "n"], "heatmap": ["district", "category", "share"],
    "line_curve": ["k", "silhouette"], "dendrogram": ["group_a", "group_b", "cosine"],
    "keyness": ["group", "token", "log_ratio", "p_adj", "count"],
    "timeline": ["label", "inspection_start", "inspection_end", "feedback_date", "publish_date"],
    "box": ["district", "specificity"], "scatter": ["doc", "stated", "found"],
}


def _shows_no_data(fig: Figure) -> bool:
    return any("无数据" in t.get_text() or "至少需要" in t.get_text() for t in _texts(fig))


@pytest.mark.parametrize("chart", sorted(EMPTY_CALLS))
@pytest.mark.parametrize("shape", ["no_columns", "no_rows", "all_nan"])
def test_empty_input_gives_no_data_figure(chart: str, shape: str, tmp_path: Path) -> None:
    columns = EMPTY_COLUMNS[chart]
    if shape == "no_columns":
        df = pd.DataFrame()
    elif shape == "no_rows":
        df = pd.DataFrame(columns=columns)
    else:
        df = pd.DataFrame({c: [np.nan, np.nan] for c in columns})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = EMPTY_CALLS[chart](df)
        fig.savefig(tmp_path / "empty.pdf")
    assert isinstance(fig, Figure)
    assert _shows_no_data(fig)


def test_none_input_gives_no_data_figure() -> None:
    assert _shows_no_data(plots.bar_counts(None, "district", "n"))


def test_single_group_dendrogram_explains() -> None:
    fig = plots.dendrogram_chart(pd.DataFrame({"group_a": ["市中区"], "group_b": ["市中区"], "cosine": [1.0]}))
    assert any("至少需要两个组" in t.get_text() for t in _texts(fig))


def test_missing_column_is_an_error() -> None:
    with pytest.raises(KeyError, match="nope"):
        plots.bar_counts(pd.DataFrame({"district": ["市中区"], "n": [1]}), "district", "nope")


def test_missing_values_are_reported(frames) -> None:
    fig = plots.box_by_group(frames["specificity"], "district", "specificity")
    assert any("缺失值" in t.get_text() for t in fig.texts)


# ---------------------------------------------------------------------------------------------- export


def _export(frames, outdir: Path) -> dict[str, Path]:
    data = frames["counts"].groupby("district", as_index=False)["n"].sum()
    fig = plots.bar_counts(data, "district", "n", title="各区整改措施数量", subtitle="Measures per district")
    return plots.export_figure(fig, "各区整改措施数量 district_counts", data, params={"top_n": None, "k": np.int64(4)},
                               query="整改 AND 巡察", corpus_hash="sha256:abc123", outdir=outdir)


def test_export_writes_all_files(frames, tmp_path: Path) -> None:
    paths = _export(frames, tmp_path)
    assert set(paths) == {"png", "svg", "pdf", "csv", "json"}
    assert {p.parent for p in paths.values()} == {tmp_path}
    assert {p.stem for p in paths.values()} == {"各区整改措施数量-district_counts"}
    from PIL import Image

    with Image.open(paths["png"]) as image:
        assert round(image.info["dpi"][0]) == 300


def test_export_is_byte_stable(frames, tmp_path: Path) -> None:
    first = {k: p.read_bytes() for k, p in _export(frames, tmp_path / "a").items()}
    again = {k: p.read_bytes() for k, p in _export(frames, tmp_path / "a").items()}
    elsewhere = {k: p.read_bytes() for k, p in _export(frames, tmp_path / "b").items()}
    assert first == again == elsewhere


def test_export_is_byte_stable_across_processes(tmp_path: Path) -> None:
    script = (
        "import sys, pandas as pd\n"
        "from pathlib import Path\n"
        "from analysis.outputs import plots\n"
        "df = pd.DataFrame({'district': ['滨海新区', '市中区', '普陀区'], 'n': [3, 5, 2]})\n"
        "fig = plots.bar_counts(df, 'district', 'n', title='各区数量')\n"
        "plots.export_figure(fig, '各区数量', df, query='整改', outdir=Path(sys.argv[1]))\n"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-c", script, str(tmp_path / seed)], check=True, env=env, cwd=ROOT)
    names = sorted(p.name for p in (tmp_path / "1").iterdir())
    assert len(names) == 5
    for name in names:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_pdf_embeds_truetype_font(frames, tmp_path: Path) -> None:
    pdf = _export(frames, tmp_path)["pdf"].read_bytes()
    assert b"FontFile2" in pdf and b"NotoSansSC" in pdf
    assert b"/Type3" not in pdf
    streams = [zlib.decompress(pdf[m.end():pdf.index(b"endstream", m.end())])
               for m in re.finditer(rb"/Length1 \d+[^>]*>>\s*stream\r?\n", pdf)]
    assert streams and all(s[:4] in (b"\x00\x01\x00\x00", b"true") for s in streams)  # not CFF ("OTTO")
    assert b"CreationDate" not in pdf


def test_svg_and_png_carry_no_dates(frames, tmp_path: Path) -> None:
    paths = _export(frames, tmp_path)
    assert b"<dc:date>" not in paths["svg"].read_bytes()
    assert b"Software" not in paths["png"].read_bytes()


def test_csv_is_utf8_with_bom(frames, tmp_path: Path) -> None:
    paths = _export(frames, tmp_path)
    raw = paths["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "滨海新区".encode() in raw
    back = pd.read_csv(paths["csv"], encoding="utf-8-sig")
    assert list(back.columns) == ["district", "n"] and len(back) == len(DISTRICTS)


def test_csv_keeps_a_meaningful_index(tmp_path: Path) -> None:
    table = pd.DataFrame({"share": [0.5, 0.5]}, index=pd.Index(["市中区", "普陀区"], name="district"))
    paths = plots.export_figure(plots.heatmap(table.reset_index().assign(c="类别"), "district", "c", "share"),
                                "index", table, outdir=tmp_path)
    assert pd.read_csv(paths["csv"], encoding="utf-8-sig").columns.tolist() == ["district", "share"]


def test_sidecar_records_provenance_without_timestamps(frames, tmp_path: Path) -> None:
    paths = _export(frames, tmp_path)
    text = paths["json"].read_text(encoding="utf-8")
    meta = json.loads(text)
    assert meta["name"] == "各区整改措施数量 district_counts"
    assert meta["query"] == "整改 AND 巡察"
    assert meta["params"] == {"top_n": None, "k": 4}
    assert meta["corpus_hash"] == "sha256:abc123"
    assert meta["package"] == {"name": "analysis", "version": __version__}
    assert set(meta["files"]) == {"png", "svg", "pdf", "csv"}
    assert all("/" not in f["file"] for f in meta["files"].values())  # relative names only
    assert meta["files"]["pdf"]["sha256"] and meta["font_family"] == "Noto Sans SC"
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text)


@pytest.mark.parametrize(("name", "slug"), [
    ("District counts (2023)", "district-counts-2023"),
    ("各区 问题/数量", "各区-问题-数量"),
    ("district_counts", "district_counts"),
    ("  //  ", "figure"),
    ("ＡＢＣ１２３", "abc123"),
])
def test_slugify(name: str, slug: str) -> None:
    assert plots.slugify(name) == slug


def test_wrap_label_respects_width() -> None:
    text = "开展专项整治行动并建立长效机制，确保整改落实到位"
    wrapped = plots.wrap_label(text, 12, max_lines=10)
    lines = wrapped.split("\n")
    assert "".join(lines) == text
    assert all(style._columns(line) <= 12 + 2 for line in lines)  # + a trailing punctuation mark
    assert not any(line.startswith("，") for line in lines)
    assert plots.wrap_label("Rectification measures per district", 16) == "Rectification\nmeasures per\ndistrict"
    assert plots.wrap_label(np.nan) == "（缺失）"


# ---------------------------------------------------------------------------------------------- scale

MANY = 5000  # fake districts / notices: every chart must stay bounded and add up


@pytest.fixture(scope="module")
def many() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(11)
    names = [f"第{i}区" for i in range(MANY)]
    counts = pd.DataFrame({"district": names, "n": rng.integers(1, 50, MANY)})
    stacked = pd.DataFrame({"district": np.repeat(names, 3), "action": ACTIONS[:3] * MANY,
                            "n": rng.integers(0, 9, 3 * MANY)})
    values = pd.DataFrame({"district": rng.choice(names, 20 * MANY), "score": rng.normal(0, 1, 20 * MANY)})
    return {"names": pd.DataFrame({"district": names}), "counts": counts, "stacked": stacked, "values": values}


def _bars(fig: Figure) -> tuple[list[str], np.ndarray]:
    """Row labels (top to bottom) and the total bar length drawn in each row."""
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    rows = {}
    for patch in ax.patches:
        y = round(patch.get_y() + patch.get_height() / 2)
        rows[y] = rows.get(y, 0.0) + patch.get_width()
    return labels, np.array([rows[y] for y in sorted(rows, reverse=True)])


def test_bar_counts_keeps_top_n_and_pools_the_rest(many) -> None:
    counts = many["counts"]
    fig = plots.bar_counts(counts, "district", "n", top_n=25)
    labels, widths = _bars(fig)
    assert len(labels) == len(widths) == 26
    assert labels[-1] == plots.other_label(MANY - 25)
    top = counts.sort_values("n", ascending=False, kind="stable").head(25)
    assert labels[:25] == list(top["district"])
    assert widths[-1] == counts["n"].sum() - top["n"].sum()  # the bucket adds up
    assert widths.sum() == counts["n"].sum()
    assert fig.get_figheight() < 15


def test_bar_counts_default_is_bounded_too(many) -> None:
    labels, widths = _bars(plots.bar_counts(many["counts"], "district", "n"))
    assert len(labels) == plots.MAX_ROWS + 1 and widths.sum() == many["counts"]["n"].sum()


def test_stacked_bars_pool_every_level(many) -> None:
    stacked = many["stacked"]
    fig = plots.bar_counts(stacked, "district", "n", hue="action", top_n=30)
    labels, widths = _bars(fig)
    assert len(labels) == 31 and labels[-1].startswith("其他")
    assert widths.sum() == stacked["n"].sum()
    assert len(fig.axes[0].get_legend().get_texts()) == 3


def test_a_bucket_from_sql_is_drawn_last_and_cut_when_it_dwarfs_the_rest() -> None:
    other = "其他 4960 个区县"
    df = pd.DataFrame({"place": [other, "滨海新区", "市中区"], "n": [9000, 12, 30]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every glyph of the cut-bar label is in the font
        fig = plots.bar_counts(df, "place", "n", other=other)
        fig.savefig(io.BytesIO(), format="png")
    labels, widths = _bars(fig)
    assert labels == ["市中区", "滨海新区", other] and list(widths) == [30, 12, 9000]
    ax = fig.axes[0]
    assert ax.get_xlim()[1] < 100  # the other bars stay readable
    assert any(t.get_text().startswith("9000") for t in ax.texts)  # the cut bar says its value


def test_heatmap_is_bounded(many) -> None:
    share = many["counts"].assign(category="类别", share=lambda d: d["n"] / 50)
    fig = plots.heatmap(share, "district", "category", "share", max_rows=40)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 41 and labels[-1] == plots.other_label(MANY - 40)
    mesh = fig.axes[0].collections[0].get_array()
    assert np.isclose(mesh[-1], share["share"].iloc[40:].mean())  # the bucket row is their mean


def test_box_plot_is_bounded_and_counts_add_up(many) -> None:
    values = many["values"]
    fig = plots.box_by_group(values, "district", "score", max_groups=20, max_points=50)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 21 and labels[-1].startswith("其他")
    assert sum(int(re.search(r"n=(\d+)", lab).group(1)) for lab in labels) == len(values)
    assert sum(len(c.get_offsets()) for c in ax.collections) <= 21 * 50
    assert any("随机显示" in t.get_text() for t in fig.texts)


def test_box_plot_from_precomputed_statistics() -> None:
    rng = np.random.default_rng(3)
    raw = pd.DataFrame({"g": np.repeat(["滨海新区", "市中区"], 400), "v": rng.normal(0, 1, 800)})
    stats = pd.DataFrame([{"g": g, **{k: plots._box_stats(part.to_numpy())[k] for k in plots.BOX_STAT_COLUMNS}}
                          for g, part in raw.groupby("g")["v"]])
    points = raw.groupby("g").head(30)
    fig = plots.box_by_group(points, "g", "v", stats=stats, overall_median=float(raw["v"].median()))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert sorted(labels) == ["市中区 (n=400)", "滨海新区 (n=400)"]
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == 60
    direct = plots.box_by_group(raw, "g", "v", max_points=None)
    whiskers = [ln.get_xdata().tolist() for ln in direct.axes[0].lines[:4]]
    assert whiskers == [ln.get_xdata().tolist() for ln in fig.axes[0].lines[:4]]


def test_timeline_samples_many_notices(many) -> None:
    n = 5000
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(np.arange(n) % 700, unit="D")
    df = pd.DataFrame({"label": [f"通报{i}" for i in range(n)], "inspection_start": start,
                       "inspection_end": start + pd.Timedelta(days=30), "feedback_date": start + pd.Timedelta(days=60),
                       "publish_date": start + pd.Timedelta(days=150)})
    fig = plots.timeline_intervals(df, max_rows=40)
    assert len(fig.axes[0].get_yticklabels()) == 40
    assert any("随机抽样 40 / 5000" in t.get_text() for t in fig.texts)
    again = plots.timeline_intervals(df, max_rows=40)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == \
        [t.get_text() for t in again.axes[0].get_yticklabels()]  # seeded


def test_keyness_draws_at_most_max_groups_panels(many) -> None:
    rng = np.random.default_rng(5)
    groups = many["names"]["district"].head(500)
    df = pd.DataFrame({"group": np.repeat(groups, 4), "token": ["整改", "落实", "台账", "销号"] * len(groups),
                       "log_ratio": rng.normal(0, 2, 4 * len(groups)), "p_adj": 0.01, "count": 5})
    fig = plots.keyness_chart(df, top_n=3, max_groups=4)
    assert sum(ax.axison for ax in fig.axes) == 4
    assert any("另有 496 组未显示" in t.get_text() for t in fig.texts)


def test_scatter_of_aggregated_points_caps_marker_size() -> None:
    df = pd.DataFrame({"stated": [10, 10, 12, 30], "found": [10, 9, 12, 31], "notices": [4000, 1, 900, 99],
                       "place": ["滨海新区", "市中区", "普陀区", "云栖新区"]})
    fig = plots.scatter_stated_vs_found(df, "stated", "found", "place", count="notices")
    sizes = np.concatenate([c.get_sizes() for c in fig.axes[0].collections])
    assert sizes.max() <= 400 and sizes.min() >= 28
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("(4900)" in t for t in legend)  # counts are notices, not rows
    assert any("等99篇" in t.get_text() for t in fig.axes[0].texts)


def test_stacked_bars_with_a_cut_bucket_keep_their_legend() -> None:
    other = "其他 1418 个区县"
    df = pd.DataFrame({"place": [other, other, "东丰县", "东丰县", "原阳县"], "type": ["town", "street"] * 2 + ["town"],
                       "n": [1000, 908, 3, 2, 4]})
    fig = plots.bar_counts(df, "place", "n", hue="type", other=other)
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["town", "street"]
    assert all(type(h).__name__ == "Rectangle" for h in legend.legend_handles)
    labels, widths = _bars(fig)
    assert labels[-1] == other and widths[-1] == 1908 and widths.sum() == df["n"].sum()


def test_import_does_no_font_work_and_first_chart_sets_up_the_font() -> None:
    root = Path(__file__).resolve().parent.parent
    script = (
        "import matplotlib as mpl, pandas as pd\n"
        "from analysis.outputs import plots\n"
        "from analysis.outputs.plots import fonts\n"
        "assert fonts._font_family is None and 'Noto Sans SC' not in mpl.rcParams['font.sans-serif']\n"
        "plots.bar_counts(pd.DataFrame({'d': ['滨海新区'], 'n': [1]}), 'd', 'n')\n"
        "assert mpl.rcParams['font.sans-serif'][0] == 'Noto Sans SC'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ, "PYTHONPATH": str(root)}, cwd=root)
