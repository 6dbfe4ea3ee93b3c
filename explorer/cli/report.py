"""Write the report of a sweep or optimiser output: PNG figures, an offline HTML page, a summary.

Into OUT (default: <file stem>_report beside the file): frontier_<a>_vs_<b>.png for each
pair of objectives with the operating points and the knee marked, design_along_front.png,
convergence.png for optimiser outputs, index.html (interactive, self-contained, works
offline) and summary.md.

Example:
  explorer sweep sweeps/quickstart.toml
  explorer report data/results/quickstart.parquet
"""

from __future__ import annotations

from explorer.cli.common import add_output_arguments, print_json


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    parser.add_argument("file", help="an explorer Parquet output (sweep or optimize)")
    parser.add_argument("--out", help="output folder (default: <stem>_report beside the file)")
    add_output_arguments(parser, progress=True)


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    from explorer.report_files import report

    files = report(args.file, args.out, progress=not args.quiet and not args.json)
    folder = next(iter(files.values())).parent
    if args.json:
        print_json({"folder": str(folder), "files": {name: str(path) for name, path in files.items()}})
        return 0
    print(f"wrote {len(files)} files to {folder}:")
    for name in files:
        print(f"  {name}")
    return 0
