"""Recompute an exact Pareto frontier from any Parquet file.

Works on explorer outputs (e.g. a sweep written in mode "all" or "feasible")
and on files written by other tools, as long as they have the objective columns.
Rows with NaN or infinite objectives are never on the front. Without
--objectives, an explorer output's own objectives are used.

Example:
  explorer frontier data/results/all.parquet --objectives time_s,energy_j,final_loss   # writes all.front.parquet
  explorer frontier runs.parquet --objectives tokens_per_s,cost_usd --maximize tokens_per_s --out f.parquet
"""

from __future__ import annotations

from explorer.cli.common import add_output_arguments, print_json


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    parser.add_argument("file", help="input Parquet file")
    parser.add_argument("--objectives", help="comma-separated objective columns (default: the file's own)")
    parser.add_argument("--maximize", default="", help="comma-separated objectives to maximise (others are minimised)")
    parser.add_argument("--feasible-only", action="store_true",
                        help="keep only rows whose 'feasible' column is true (files written in mode 'all')")
    parser.add_argument("--out", help="output Parquet path (default: FILE's name with .front.parquet)")
    add_output_arguments(parser, progress=False)


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    from pathlib import Path

    from explorer.errors import ExplorerError
    from explorer.file_front import default_out, frontier
    from explorer.output_checks import check_output

    objectives = [o for o in (args.objectives or "").split(",") if o] or None
    maximize = [o for o in args.maximize.split(",") if o]
    out = Path(args.out) if args.out else default_out(args.file)
    if not out.name.endswith(".parquet"):
        raise ExplorerError(f"--out must end in .parquet (the front is written as Parquet), got {args.out!r}")
    check_output(out)
    front = frontier(args.file, out, objectives, maximize, feasible_only=args.feasible_only)
    if args.json:
        print_json({"path": str(out), "on_front": len(front), "rows_in": front.attrs["rows_in"]})
    else:
        print(f"{len(front):,} of {front.attrs['rows_in']:,} rows on the front; wrote {out}")
    return 0
