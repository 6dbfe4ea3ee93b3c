"""Compare llm_training with published training runs.

For every run in data/published_runs.csv the model is evaluated at the
published configuration (workload preset) on the matching hardware preset,
and the predicted device-hours, energy (in the published scope) and MFU are
printed next to the published numbers with the relative error.
"""

from __future__ import annotations


def add_arguments(parser):
    parser.add_argument("--csv", action="store_true", help="print CSV instead of a Markdown table")


def run(args):
    import sys

    from explorer.calibration import calibration_table, format_table

    table = calibration_table()
    if args.csv:
        table.to_csv(sys.stdout, index=False)
    else:
        print(format_table(table))
    return 0
