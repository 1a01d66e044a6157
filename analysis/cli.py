"""Command line: a thin layer over the library; each command calls one function.

Run ``analysis --help`` or ``analysis COMMAND --help`` for examples.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from analysis.outputs.dfm import write_dfm
from analysis.outputs.export import export_parquet
from analysis.outputs.kwic import BY as KWIC_BY
from analysis.outputs.kwic import SORTS as KWIC_SORTS
from analysis.outputs.kwic import group_counts, kwic
from analysis.outputs.report import run_report
from analysis.outputs.search import search
from analysis.outputs.spreadsheet import OUTPUT_SUFFIXES, OutputError, check_suffix, csv_safe, write_frame
from analysis.outputs.trends import BY as TRENDS_BY
from analysis.outputs.trends import absent_terms, trends
from analysis.paths import DEFAULT_CORPUS, DEFAULT_DB, NOTEBOOKS_DIR, REPORTS_DIR, query_timeout
from analysis.pipeline.orchestrate import build
from analysis.schema import data_dictionary
from analysis.warehouse.db import QueryTimeout, WarehouseError, connect_readonly, execute_with_timeout


def _seconds(value: str) -> float:
    try:
        s = float(value)
    except ValueError:
        s = -1.0
    if not s > 0:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {value!r}")
    return s


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return n


def _output_file(value: str) -> Path:
    try:
        check_suffix(Path(value))
    except OutputError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return Path(value)


def _output_options(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    g.add_argument("--json", action="store_true", help="print JSON records instead of a table")
    p.add_argument("--output", "-o", type=_output_file,
                   help=f"write to this file instead of stdout; its ending chooses the format ({', '.join(OUTPUT_SUFFIXES)})")


def emit(df, args: argparse.Namespace) -> None:
    """Print or write a DataFrame in the format the shared output options ask for."""
    out: Path | None = getattr(args, "output", None)
    if out is not None:
        write_frame(df, out)
        print(f"wrote {len(df)} row(s) to {out}", file=sys.stderr)
        return
    if getattr(args, "csv", False):
        csv_safe(df).to_csv(sys.stdout, index=False)
    elif getattr(args, "json", False):
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, date_format="iso", indent=1) + "\n")
    else:
        with pd.option_context("display.max_rows", 200, "display.max_columns", 50, "display.width", 200,
                               "display.max_colwidth", 60, "display.unicode.east_asian_width", True):
            print(df.to_string(index=False) if len(df) else "(no rows)")


def cmd_build(args: argparse.Namespace) -> int:

    s = build(args.corpus, args.db, full=args.full, use_manifest=not args.no_manifest, workers=args.workers,
              quiet=args.quiet, refresh_comparisons=args.refresh_comparisons, allow_empty=args.allow_empty)
    for line in s.lines():
        print(line)
    if s.issues:
        print(f"data tests: {len(s.issues)} failed (see above)")
    if args.strict and (s.load_errors or s.issues):
        return 1
    return 0


def cmd_sql(args: argparse.Namespace) -> int:

    if not args.query.strip():
        print("error: the query is empty", file=sys.stderr)
        return 2
    try:
        timeout = args.timeout if args.timeout is not None else query_timeout()
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    con = connect_readonly(args.db)
    try:
        df = execute_with_timeout(con, args.query, timeout=timeout)
    except QueryTimeout:
        raise
    except Exception as e:  # any SQL mistake is the user's to fix: a message, not a traceback
        print(f"SQL error: {str(e).splitlines()[0]}", file=sys.stderr)
        return 2
    finally:
        con.close()
    emit(df, args)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:

    print(data_dictionary())
    return 0


def cmd_export(args: argparse.Namespace) -> int:

    written = export_parquet(args.db, args.dir, pseudonymize=args.pseudonymize, overwrite=args.overwrite)
    for p in written:
        print(p)
    return 0


def cmd_report(args: argparse.Namespace) -> int:

    return run_report(db=args.db, notebooks=args.notebooks, out=args.out, pseudonymize=args.pseudonymize)


def cmd_search(args: argparse.Namespace) -> int:

    df = search(args.db, args.query, limit=args.limit)
    emit(df, args)
    return 0


def _width(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"not a whole number of characters (0 or more): {value!r}")
    return n


def cmd_kwic(args: argparse.Namespace) -> int:

    df = kwic(args.db, args.term, args.width, sort=args.sort, by=args.by, limit=args.limit)
    if args.by and not (args.csv or args.json or args.output):
        print(group_counts(df, args.by).to_string(index=False) if len(df) else "(no hits)", file=sys.stderr)
    emit(df, args)
    return 0


def cmd_trends(args: argparse.Namespace) -> int:

    df = trends(args.db, args.terms, by=args.by)
    for t in absent_terms(df):
        print(f"note: no token equals {t!r} (the segmenter may split it; `analysis kwic {t}` finds the string)",
              file=sys.stderr)
    if df["period_unknown"].any():
        print(f"note: the row with period NULL holds the notices whose inspection {args.by} is unknown",
              file=sys.stderr)
    emit(df, args)
    return 0


def cmd_dfm(args: argparse.Namespace) -> int:

    kinds = None if args.all_kinds else tuple(args.kinds.split(","))
    for p in write_dfm(args.db, args.output, by=args.by, kinds=kinds):
        print(p)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="analysis", description="Comparative analytics for inspection-rectification "
                                "notices (巡察整改情况通报).", formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="examples:\n  analysis build\n  analysis sql \"select district, count(*) "
                                "from documents group by 1\"\n  analysis export parquet_out/")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_: str, example: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_, description=f"{help_}\n\nexample:\n  {example}",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        sp.set_defaults(func=func)
        sp.add_argument("--db", type=Path, default=DEFAULT_DB, help="warehouse file (default: %(default)s)")
        return sp

    b = add("build", cmd_build, "Build warehouse.duckdb from the corpus (incremental and atomic).",
            "analysis build --corpus corpus/ --db warehouse.duckdb")
    b.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder (default: %(default)s)")
    b.add_argument("--full", action="store_true", help="re-parse every document, even unchanged ones")
    b.add_argument("--refresh-comparisons", action="store_true",
                   help="recompute the corpus-wide comparisons even when few documents changed")
    b.add_argument("--strict", action="store_true", help="exit non-zero when a file did not load")
    b.add_argument("--no-manifest", action="store_true", help="ignore corpus/manifest.csv (metadata from text only)")
    b.add_argument("--workers", type=_positive_int, default=None, help="processes for parsing (default: up to 2)")
    b.add_argument("--quiet", action="store_true", help="no progress bar or per-file messages")
    b.add_argument("--allow-empty", action="store_true",
                   help="allow a corpus with no loadable notice to replace a warehouse that has notices")

    s = add("sql", cmd_sql, "Run a query on the warehouse (opened read-only) and print the result.",
            "analysis sql \"select action_group, count_unit, sum(count) from district_discipline group by all\" --csv")
    s.add_argument("query", help="SQL query (DuckDB dialect); the warehouse is read-only and no other file can be "
                   "read or written")
    s.add_argument("--timeout", type=_seconds, default=None,
                   help="stop the query after this many seconds (default: $ANALYSIS_QUERY_TIMEOUT, else none)")
    _output_options(s)

    add("schema", cmd_schema, "Print the data dictionary: every table, view and table macro with its columns.",
        "analysis schema > docs/schema.md")

    e = add("export", cmd_export, "Write every table and view as Parquet (partitioned by province where it helps).",
            "analysis export exports/ --pseudonymize")
    e.add_argument("dir", type=Path, help="output folder")
    e.add_argument("--pseudonymize", action="store_true",
                   help="replace person names with keyed pseudonyms (the key is kept in <db>.pseudonym-key)")
    e.add_argument("--overwrite", action="store_true",
                   help="replace the files an earlier export wrote in DIR (nothing else in DIR is touched)")

    r = add("report", cmd_report, "Run every notebook headless, write HTML copies and export every chart.",
            "analysis report --out reports/")
    r.add_argument("--notebooks", type=Path, default=NOTEBOOKS_DIR, help="notebook folder")
    r.add_argument("--out", type=Path, default=REPORTS_DIR, help="output folder")
    r.add_argument("--pseudonymize", action="store_true",
                   help="replace person names with keyed pseudonyms in every chart, table and HTML copy "
                        "(the key is kept in <db>.pseudonym-key)")

    q = add("search", cmd_search, "Full-text search (BM25 over lexicon tokens) of problems, measures and every other sentence "
            "(overview and summaries included).",
            "analysis search \"诫勉谈话\" --limit 20")
    q.add_argument("query", help="words to search for")
    q.add_argument("--limit", type=_positive_int, default=20, help="number of results (default: %(default)s)")
    _output_options(q)

    k = add("kwic", cmd_kwic, "Concordance (key word in context): every occurrence of a term in the notices, "
            "summaries included, with document, problem, measure and offsets into documents.text.",
            "analysis kwic 诫勉谈话 --width 15 --by district --sort left --csv > kwic.csv")
    k.add_argument("term", help="the string to find (matched literally in the normalised text)")
    k.add_argument("--width", type=_width, default=20, help="characters of context each side (default: %(default)s)")
    k.add_argument("--sort", choices=list(KWIC_SORTS), default="position",
                   help="order of hits: position, left (left context read outwards) or right (default: %(default)s)")
    k.add_argument("--by", choices=list(KWIC_BY), default=None,
                   help="order hits by district (group), year or document first; prints hits per group")
    k.add_argument("--limit", type=_positive_int, default=None, help="at most this many hits")
    _output_options(k)

    tr = add("trends", cmd_trends, "Term trends: occurrences of each term per 10,000 content tokens of problems and "
             "measures, by inspection year or round, with the notices and tokens of each period.",
             "analysis trends 整改 督查 --by round --csv > trends.csv")
    tr.add_argument("terms", nargs="+", metavar="TERM", help="tokens to follow (matched as whole tokens)")
    tr.add_argument("--by", choices=list(TRENDS_BY), default="year",
                    help="period: inspection year or inspection round as written (default: %(default)s)")
    _output_options(tr)

    f = add("dfm", cmd_dfm, "Write a document-feature matrix: a long table (.parquet or .csv) and a Matrix Market "
            "file (.mtx) with its row and column labels (.rows.csv, .cols.csv).",
            "analysis dfm --by district -o exports/dfm.parquet")
    f.add_argument("--by", choices=["document", "district"], default="document",
                   help="rows are documents or groups (district, else unit) (default: %(default)s)")
    f.add_argument("--output", "-o", type=Path, required=True,
                   help="long table to write: .parquet or .csv (the .mtx and label files go beside it)")
    f.add_argument("--kinds", default="content",
                   help="token kinds counted, comma-separated (default: %(default)s)")
    f.add_argument("--all-kinds", action="store_true", help="count tokens of every kind")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        rc = args.func(args) or 0
        sys.stdout.flush()           # a closed pipe shows here, inside the handler below
        return rc
    except BrokenPipeError:          # the reader went away (… | head): stop quietly, like other Unix tools
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())   # so the flush at exit finds nowhere to fail
        except (OSError, ValueError):
            pass
        return 141                   # 128 + SIGPIPE, what a shell reports for a tool ended by a closed pipe
    except (WarehouseError, OutputError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:   # a path the user gave cannot be read or written
        where = f"{e.filename}: " if e.filename else ""
        print(f"error: {where}{e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the previous warehouse is untouched", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

