"""Support for the notebooks: open the warehouse read-only, run named queries, export charts.

Notebooks hold parameters and short calls; the logic they need lives here and in the stage
modules, so it is tested and reused.

Settings arrive as arguments, never as environment variables: each notebook's cell tagged
``parameters`` holds ``db``, ``figures_dir`` and ``pseudonymize``, which ``analysis report`` overrides
through papermill. ``None`` means the default of :mod:`analysis.paths` (the warehouse at the
repository root, charts under ``reports/figures``), so a notebook opened by hand works as it is.

Scale: a warehouse may hold tens of thousands of notices and millions of token rows, so every
chart's data is aggregated (or sampled) in DuckDB and only the rows drawn reach pandas. Places are
resolved once per notebook by :func:`use_places` (district, city or province; the *top_n* places
by notices, the rest pooled into one "其他" bucket); samples are deterministic (``md5(seed || key)``
order, which does not depend on DuckDB's threads or version). Every helper returns a caption
saying what was aggregated or sampled, for the chart's subtitle; it is empty when all is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd

from analysis.outputs.plots import export_figure
from analysis.outputs.privacy import for_connection
from analysis.paths import DEFAULT_DB, FIGURES_DIR
from analysis.warehouse.db import connect_readonly


def open_warehouse(db: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse *db* (None: the repository's) opened read-only; a clear message (not a traceback)
    when it is missing or damaged."""
    return connect_readonly(Path(db) if db else DEFAULT_DB)


def corpus_hash(con: duckdb.DuckDBPyConnection) -> str | None:
    """The hash of the corpus the warehouse was built from, recorded with every chart."""
    row = con.execute("select value from build_info where key = 'corpus_hash'").fetchone()
    return row[0] if row else None


class Exporter:
    """Save each chart with the table behind it, its query/parameters and the corpus hash.

    Charts go to *figures_dir* (the notebook parameter; None: ``reports/figures``)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, figures_dir: str | Path | None = None,
                 params: dict | None = None) -> None:
        self.outdir = Path(figures_dir or FIGURES_DIR)
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.params = params or {}
        self.hash = corpus_hash(con)

    def save(self, fig, name: str, data: pd.DataFrame, query: str | None = None, **params) -> dict[str, Path]:
        """Export *fig* as *name* with *data*, *query* and the notebook's parameters plus *params*; in a
        notebook, also show the saved PNG where the chart is made (see :func:`show_png`)."""
        paths = export_figure(fig, name, data, params={**self.params, **params}, query=query,
                              corpus_hash=self.hash, outdir=self.outdir)
        show_png(paths["png"], fig)
        return paths


SCREEN_DPI = 100  # the 300-dpi PNG is shown at this density: the figure's own size on screen


def show_png(png: Path, fig=None) -> bool:
    """Show *png* as the cell's image output when running in a Jupyter kernel; True when shown.

    Charts are drawn without pyplot, so nothing appears by itself: this embeds the exported PNG (the
    same bytes as the file) in the notebook and so in its HTML copy, *fig*'s width at ``SCREEN_DPI``.
    Outside a kernel (scripts, tests) it does nothing."""
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover - IPython comes with the notebook dependencies
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return False
    width = round(fig.get_figwidth() * SCREEN_DPI) if fig is not None else None
    display(Image(data=Path(png).read_bytes(), format="png", width=width))
    return True


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None, *,
          pseudonymize: bool = False) -> pd.DataFrame:
    """Run SQL and return a DataFrame.

    With *pseudonymize* (the notebook parameter that ``analysis report --pseudonymize`` sets) person
    names in text columns are replaced by keyed pseudonyms, so charts and tables drawn from the
    result show none. The key is the warehouse's own (``<db>.pseudonym-key`` beside the file *con* has
    open, created on first use): the same name gets the same pseudonym in every notebook and export.
    """
    df = con.execute(sql, params or []).df()
    return for_connection(con).frame(df) if pseudonymize else df


def querier(con: duckdb.DuckDBPyConnection, pseudonymize: bool = False) -> Callable[..., pd.DataFrame]:
    """A short ``q(sql, *params)`` for notebook cells, pseudonymizing when the notebook asks to."""
    return lambda sql, *params: query(con, sql, list(params), pseudonymize=pseudonymize)


def where_filter(column: str, values: list[str] | None) -> tuple[str, list]:
    """A SQL filter clause and its parameters for an optional list of values (None/[] = no filter)."""
    if not values:
        return "true", []
    return f"{column} in ({', '.join('?' for _ in values)})", list(values)


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Any:
    """The first value of the first row (None when there is no row)."""
    row = con.execute(sql, params or []).fetchone()
    return row[0] if row else None


# ------------------------------------------------------------------------------------------ places

# level -> (Chinese noun for captions, English)
PLACE_LEVELS: dict[str, tuple[str, str]] = {"district": ("区县", "district"), "city": ("市", "city"),
                                            "province": ("省份", "province")}


@dataclass(frozen=True)
class Places:
    """How notices were grouped into places for charts (see :func:`use_places`)."""

    level: str
    top_n: int | None
    n_places: int
    other: str | None = None
    n_other: int = 0
    order: list[str] = field(default_factory=list)
    caption: str = ""

    def subtitle(self, text: str) -> str:
        """*text* with the caption saying what was aggregated (unchanged when nothing was)."""
        return subtitle(text, self.caption)


def use_places(con: duckdb.DuckDBPyConnection, level: str = "auto", top_n: int | None = 40,
               provinces: list[str] | None = None, table: str = "place") -> Places:
    """Create the temporary table *table* (doc_id, place, place_rank, place_label, district_label).

    ``place`` is what charts group by: the place at *level* for the *top_n* places with most notices
    and one "其他 N 个区县" bucket for the rest (so every chart has at most top_n + 1 places and
    still adds up to the whole corpus); ``place_label`` is the place before pooling and
    ``district_label`` the district. Districts are named as in ``documents`` (a notice without one
    by its unit or file); a district name used in several cities (朝阳区, 市中区 …) is prefixed by
    its city. *level* "auto" takes the finest of district, city, province with at most *top_n*
    places (province when none). *provinces* restricts to notices from those provinces.
    Works on a read-only connection (temporary tables live in memory).
    """
    if level not in ("auto", *PLACE_LEVELS):
        raise ValueError(f"level must be 'auto' or one of {list(PLACE_LEVELS)}, not {level!r}")
    flt, args = where_filter("province", provinces)
    con.execute(f"""
        create or replace temp table _place_levels as
        select doc_id,
               case when nullif(district, '') is null
                      then coalesce(nullif(unit, ''), regexp_replace(source_file, '\\.[^.]*$', ''))
                    when count(distinct coalesce(city, province, '')) over (partition by district) > 1
                      then coalesce(city, province, '') || district
                    else district end as district,
               coalesce(nullif(city, ''), nullif(province, ''), '未知') as city,
               coalesce(nullif(province, ''), '未知') as province
        from documents where {flt}""", args)
    counts = dict(zip(PLACE_LEVELS, con.execute(
        "select count(distinct district), count(distinct city), count(distinct province) from _place_levels"
    ).fetchone(), strict=True))
    if level == "auto":
        level = next((lv for lv in PLACE_LEVELS if top_n is None or counts[lv] <= top_n), "province")
    n_places = int(counts[level])
    n_other = max(0, n_places - top_n) if top_n is not None else 0
    cn, en = PLACE_LEVELS[level]
    other = f"其他 {n_other} 个{cn}" if n_other else None
    keep = n_places if top_n is None else top_n
    con.execute(f"""
        create or replace temp table "{table}" as
        with c as (select {level} as label, count(*) as n from _place_levels group by 1),
             r as (select label, row_number() over (order by n desc, label) as rank from c)
        select p.doc_id, case when r.rank <= ? then r.label else ? end as place,
               least(r.rank, ? + 1)::integer as place_rank, r.label as place_label, p.district as district_label
        from _place_levels p join r on r.label = p.{level}""", [keep, other or "", keep])
    con.execute("drop table _place_levels")
    order = [r[0] for r in con.execute(
        f'select place from "{table}" group by place order by min(place_rank), place').fetchall()]
    if n_other:
        caption = (f"按{cn}：通报最多的前 {top_n} 个，其余 {n_other} 个合并为“其他” / by {en}: the {top_n} with "
                   f"most notices, {n_other} others pooled")
    elif level != "district":
        caption = f"按{cn}汇总（{n_places} 个）/ aggregated by {en} ({n_places})"
    else:
        caption = ""
    return Places(level, top_n, n_places, other, n_other, order, caption)


# ------------------------------------------------------------------------------- chart selections


class Selection(NamedTuple):
    """Rows for one chart, the SQL that produced them, and what was aggregated or sampled."""

    data: pd.DataFrame
    query: str
    caption: str = ""
    other: str | None = None


def subtitle(*parts: str | None) -> str:
    """A chart subtitle: the non-empty *parts* (text, then captions), one per line."""
    return "\n".join(p for p in parts if p)


def sample_caption(shown: int, total: int, seed: int, what: tuple[str, str] = ("篇", "notices")) -> str:
    """'随机抽样 40 / 10000 篇（种子 0）…' when *shown* < *total*, else ''."""
    if shown >= total:
        return ""
    return (f"随机抽样 {shown} / {total} {what[0]}（种子 {seed}）/ random sample of {shown} of {total} "
            f"{what[1]} (seed {seed})")


def box_data(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None, *, points: int = 200,
             seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, float | None]:
    """Box-plot statistics per group computed in DuckDB, a seeded sample of points, the overall median.

    *sql* yields ``group, value, key`` (key: a unique text per row, e.g. doc_id || '/' || measure_no).
    Returns (stats: group, n, q1, med, q3, whislo, whishi — quartiles interpolated and whiskers at
    1.5 IQR, as matplotlib computes them; points: group, value, at most *points* per group, chosen by
    ``md5(seed || key)``; the median of all values), ready for ``plots.box_by_group(points, "group",
    "value", stats=stats, overall_median=median)``.
    """
    args = list(params or [])
    stats = con.execute(f"""
        with v as (select * from ({sql}) where value is not null),
        q as (select "group", count(*) as n, quantile_cont(value, [0.25, 0.5, 0.75]) as qs from v group by 1)
        select q."group", any_value(q.n) as n, any_value(q.qs[1]) as q1, any_value(q.qs[2]) as med,
               any_value(q.qs[3]) as q3,
               min(v.value) filter (where v.value >= q.qs[1] - 1.5 * (q.qs[3] - q.qs[1])) as whislo,
               max(v.value) filter (where v.value <= q.qs[3] + 1.5 * (q.qs[3] - q.qs[1])) as whishi
        from q join v using ("group") group by q."group" order by q."group" """, args).df()
    pts = con.execute(f"""
        select "group", value from ({sql}) where value is not null
        qualify row_number() over (partition by "group" order by md5(? || key), key) <= ?
        order by "group", md5(? || key), key""", [*args, str(seed), int(points), str(seed)]).df()
    median = scalar(con, f"select median(value) from ({sql})", args)
    return stats, pts, (float(median) if median is not None else None)


def keyness_top(con: duckdb.DuckDBPyConnection, top_n: int = 12, groups: list[str] | None = None,
                max_groups: int = 6, *, pseudonymize: bool = False) -> Selection:
    """The *top_n* terms per direction (largest |log ratio|) of a few groups, selected in DuckDB.

    *groups* names them; else the *max_groups* groups with most measure tokens (keyness counts).
    Only these rows are fetched, never the whole keyness table. *pseudonymize* as in :func:`query`.
    """
    flt, args = where_filter('"group"', groups)
    sql = f"""
        with sizes as (select "group", sum(count_target) as tokens from keyness group by 1),
        pick as (select "group" from sizes where {flt} order by tokens desc, "group" limit ?)
        select k."group", k.token, k.count_target, k.count_reference, k.log_ratio, k.g2, k.p_adj, k.direction
        from keyness k semi join pick using ("group")
        where k.log_ratio is not null and not isnan(k.log_ratio) and k.log_ratio <> 0
        qualify row_number() over (partition by k."group", k.log_ratio > 0
                                   order by abs(k.log_ratio) desc, k.g2 desc, k.token) <= ?
        order by k."group", k.g2 desc, k.token"""
    limit = len(groups) if groups else max_groups
    data = query(con, sql, [*args, limit, top_n], pseudonymize=pseudonymize)
    n_groups = scalar(con, 'select count(distinct "group") from keyness') or 0
    shown = data["group"].nunique()
    caption = "" if shown >= n_groups or groups else (
        f"措施词数最多的 {shown} 个区县（共 {n_groups} 个）/ the {shown} largest of {n_groups} groups by measure tokens")
    return Selection(data, sql, caption)


def similarity_top(con: duckdb.DuckDBPyConnection, max_groups: int = 40, *,
                   pseudonymize: bool = False) -> Selection:
    """District similarity pairs among the *max_groups* groups with most measures (all pairs fetched
    for those only, never the whole n² table). *pseudonymize* as in :func:`query`."""
    sql = """
        with g as (select group_a as "group", min(order_a) as ord from district_similarity group by 1),
        sizes as (select g."group", sum(d.measures_found) as n from documents d join document_groups g using (doc_id)
                  group by 1),
        pick as (select g."group" from g left join sizes using ("group")
                 order by coalesce(sizes.n, 0) desc, g.ord, g."group" limit ?)
        select s.* from district_similarity s
        where s.group_a in (select "group" from pick) and s.group_b in (select "group" from pick)
        order by s.order_a, s.order_b"""
    data = query(con, sql, [max_groups], pseudonymize=pseudonymize)
    n_groups = scalar(con, "select count(distinct group_a) from district_similarity") or 0
    shown = len(set(data["group_a"])) if len(data) else 0
    caption = "" if shown >= n_groups else (
        f"措施最多的 {shown} 个区县（共 {n_groups} 个）/ the {shown} of {n_groups} groups with most measures")
    return Selection(data, sql, caption)


def boilerplate_top(con: duckdb.DuckDBPyConnection, top_n: int = 40, *,
                    pseudonymize: bool = False) -> Selection:
    """Boilerplate share of the *top_n* most formulaic notices and one pooled row for the rest
    (their sentences summed, so the share is the share of all their sentences). *pseudonymize* as
    in :func:`query`."""
    sql = """
        with b as (select d.source_file, b.n_sentences, b.n_shared,
                          row_number() over (order by b.share desc nulls last, d.source_file) as rk,
                          count(*) over () as n_docs
                   from boilerplate b join documents d using (doc_id))
        select case when rk <= ? then source_file else '其他 ' || (n_docs - ?) || ' 篇' end as source_file,
               sum(n_sentences)::integer as n_sentences, sum(n_shared)::integer as n_shared,
               sum(n_shared) / nullif(sum(n_sentences), 0) as share, count(*) as notices
        from b group by 1 order by min(rk)"""
    data = query(con, sql, [top_n, top_n], pseudonymize=pseudonymize)
    n_docs = int(data["notices"].sum()) if len(data) else 0
    other = data["source_file"].iloc[-1] if n_docs > top_n else None
    caption = "" if other is None else (
        f"套话占比最高的 {top_n} 篇，其余 {n_docs - top_n} 篇合并（句子加总）/ the {top_n} most formulaic of "
        f"{n_docs} notices; the rest pooled")
    return Selection(data, sql, caption, other)
