"""Charts along a continuous x axis: a curve with a highlighted point, and a timeline of notices."""

from __future__ import annotations

import math

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from analysis.outputs.plots.style import (
    BLUE,
    GREEN,
    GREY,
    LABEL_SIZE,
    MAX_ROWS,
    ORANGE,
    VERMILLION,
    _empty,
    _integer_valued,
    _missing_note,
    _new_figure,
    _no_data_figure,
    _require,
    _row_height,
    _style_axes,
    wrap_label,
)

# ---------------------------------------------------------------------------------------- curve


def _mark_highlight(ax: Axes, data: pd.DataFrame, highlight: float) -> None:
    """A dashed line at x = *highlight*, and the point with its value when the curve has one."""
    ax.axvline(highlight, color=VERMILLION, linestyle="--", linewidth=1.1, zorder=1)
    hit = data.loc[np.isclose(data["x"], highlight) & data["y"].notna(), "y"]
    label = f"k = {highlight:g}"
    right_half = highlight > data["x"].min() + 0.6 * (data["x"].max() - data["x"].min())
    if len(hit):
        hy = float(hit.iloc[0])
        ax.scatter([highlight], [hy], s=90, color=VERMILLION, edgecolor="black", zorder=3)
        label += f"\n{hy:.3f}"
        ax.annotate(label, (highlight, hy), xytext=(-10 if right_half else 10, 10),
                    textcoords="offset points", ha="right" if right_half else "left",
                    va="bottom", fontsize=9, color=VERMILLION)
    else:
        ax.annotate(label, (highlight, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(4, -4), textcoords="offset points", va="top", fontsize=9,
                    color=VERMILLION)


def line_curve(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str | None = "不同聚类数 k 的轮廓系数",
    subtitle: str | None = "Silhouette score by number of clusters k",
    highlight: float | None = None,
    xlabel: str | None = "聚类数 k / number of clusters",
    ylabel: str | None = "平均轮廓系数 / mean silhouette",
) -> Figure:
    """Line with markers of *y* against *x* (silhouette per k); *highlight* marks the chosen x."""
    if _empty(df):
        return _no_data_figure(title, subtitle)
    _require(df, x, y)
    data = pd.DataFrame({"x": pd.to_numeric(df[x], errors="coerce"),
                         "y": pd.to_numeric(df[y], errors="coerce")})
    dropped = int(data.isna().any(axis=1).sum())
    data = data.dropna(subset=["x"])
    if data.empty or data["y"].isna().all():
        return _no_data_figure(title, subtitle)
    data = data.groupby("x", sort=True)["y"].mean().reset_index()
    fig = _new_figure(7.0, 3.8, title, subtitle, _missing_note(dropped))
    ax = fig.add_subplot()
    ax.plot(data["x"], data["y"], color=BLUE, marker="o", markersize=5, linewidth=1.8, zorder=2)
    if _integer_valued(data["x"]):
        if len(data) <= 25:
            ax.set_xticks(data["x"], [str(int(v)) for v in data["x"]])
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(x=0.06, y=0.18)
    if highlight is not None and np.isfinite(highlight):
        _mark_highlight(ax, data, highlight)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    _style_axes(ax, "y")
    return fig


# ---------------------------------------------------------------------------------------- timeline

_DATE_KEYS = ("s", "e", "f", "p")  # inspection start, inspection end, feedback, publication
_LABEL_COLUMNS = ("label", "doc_label", "doc", "doc_id", "title")


def _naive_dates(values: pd.Series) -> pd.Series:
    """Parse to datetime64 without time zone; unparseable values become NaT."""
    parsed = pd.to_datetime(values, errors="coerce")
    return parsed.dt.tz_localize(None) if parsed.dt.tz is not None else parsed


def _draw_notice(ax: Axes, pos: float, s: float, e: float, f: float, p: float) -> None:
    """One notice's row: inspection bar, line to the feedback, line to publication, days at right."""
    if np.isfinite(s) and np.isfinite(e):
        ax.barh(pos, e - s, left=s, height=0.5, color=BLUE, zorder=2)
    elif np.isfinite(s) or np.isfinite(e):
        ax.plot([s if np.isfinite(s) else e], [pos], marker="|", color=BLUE, markersize=9, zorder=2)
    last = e if np.isfinite(e) else s
    if np.isfinite(last) and np.isfinite(f):
        ax.plot([last, f], [pos, pos], color=ORANGE, linewidth=1.6, zorder=1)
    if np.isfinite(f):
        ax.plot([f], [pos], marker="D", color=ORANGE, markersize=5, zorder=3)
    before_p = f if np.isfinite(f) else last
    if np.isfinite(before_p) and np.isfinite(p):
        ax.plot([before_p, p], [pos, pos], color=GREEN, linewidth=1.6, zorder=1)
    if np.isfinite(p):
        ax.plot([p], [pos], marker="o", color=GREEN, markersize=6, zorder=3)
    if not any(np.isfinite(v) for v in (s, e, f, p)):
        ax.text(0.005, pos, "日期缺失 / no dates", transform=ax.get_yaxis_transform(),
                va="center", fontsize=8, color=GREY)
    days = [f - e if np.isfinite(e) and np.isfinite(f) else np.nan,
            p - f if np.isfinite(f) and np.isfinite(p) else np.nan]
    ax.text(1.01, pos, " / ".join("?" if np.isnan(d) else f"{d:.0f}" for d in days) + " 天",
            transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=8, color="#333333")


def _date_axis(ax: Axes, num: dict[str, np.ndarray]) -> None:
    """Fit the x axis to every date drawn; monthly ticks beyond four months, else daily dates."""
    every = np.concatenate([v[np.isfinite(v)] for v in num.values()])
    span = float(every.max() - every.min()) if len(every) else 0.0
    pad = max(span * 0.03, 3.0)
    ax.set_xlim(every.min() - pad, every.max() + pad)
    if span > 120:
        months = max(1, math.ceil(span / 30.4 / 9))
        ax.xaxis.set_major_locator(mdates.MonthLocator(interval=months))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=8))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    for tick in ax.get_xticklabels():
        tick.set(rotation=30, ha="right", rotation_mode="anchor")


def timeline_intervals(
    df: pd.DataFrame,
    *,
    label: str | None = None,
    start: str = "inspection_start",
    end: str = "inspection_end",
    feedback: str = "feedback_date",
    publish: str = "publish_date",
    title: str | None = "巡察、反馈与整改通报时间线",
    subtitle: str | None = "Per notice: inspection period (bar), then feedback and publication of the report",
    sort: bool = True,
    max_rows: int | None = MAX_ROWS,
    seed: int = 0,
) -> Figure:
    """One row per notice: inspection bar, line to the feedback date, line to publication.

    The right margin gives the days from end of inspection to feedback and from feedback to
    publication. *label* defaults to the first of label/doc_label/doc/doc_id/title present.
    With more than *max_rows* notices (None = no limit), a random sample of *max_rows* (seeded by
    *seed*) is drawn and the footnote says so; sample in SQL first for large tables
    (``order by md5(seed || doc_id) limit n``).
    """
    if _empty(df):
        return _no_data_figure(title, subtitle)
    if label is None:
        label = next((c for c in _LABEL_COLUMNS if c in df.columns), None)
        if label is None:
            raise KeyError("no label column: pass label= (tried label, doc_label, doc, doc_id, title)")
    _require(df, label, start, end, feedback, publish)
    dates = {k: _naive_dates(df[c]) for k, c in zip(_DATE_KEYS, (start, end, feedback, publish), strict=True)}
    data = pd.DataFrame({"label": df[label].to_numpy(), **{k: v.to_numpy() for k, v in dates.items()}})
    data = data.dropna(subset=["label"])
    no_dates = data[list(_DATE_KEYS)].isna().all(axis=1)
    if data.empty or no_dates.all():
        return _no_data_figure(title, subtitle)
    n_all = len(data)
    if max_rows is not None and n_all > max_rows:
        data = data.iloc[np.sort(np.random.default_rng(seed).choice(n_all, max_rows, replace=False))]
    if sort:
        first = data[list(_DATE_KEYS)].min(axis=1)
        data = data.assign(_k=first).sort_values(["_k", "label"], kind="stable", na_position="last")
    labels = [wrap_label(s, 24, max_lines=2) for s in data["label"]]
    note = "右侧数字：巡察结束→反馈 / 反馈→通报 天数；“?” 表示日期缺失。 " \
           "Right: days from end of inspection to feedback / feedback to publication; ? = missing date."
    if len(data) < n_all:
        note += f"\n随机抽样 {len(data)} / {n_all} 篇（种子 {seed}）/ random sample of {len(data)} of {n_all} (seed {seed})."
    handles = [
        Patch(color=BLUE, label="巡察期 inspection"),
        Line2D([], [], color=ORANGE, marker="D", markersize=5, linewidth=1.6, label="反馈 feedback"),
        Line2D([], [], color=GREEN, marker="o", markersize=6, linewidth=1.6, label="整改通报 publication"),
    ]
    fig = _new_figure(10.0, max(2.4, _row_height(labels) * len(data) + 1.0), title, subtitle, note, legend=handles)
    ax = fig.add_subplot()
    num = {k: mdates.date2num(data[k]) for k in _DATE_KEYS}  # NaT becomes nan
    positions = np.arange(len(data))[::-1]
    for i, pos in enumerate(positions):
        _draw_notice(ax, pos, *(num[k][i] for k in _DATE_KEYS))
    ax.set_yticks(positions, labels)
    ax.set_ylim(-0.7, len(data) - 0.3)
    _date_axis(ax, num)
    _style_axes(ax, "x")
    return fig
