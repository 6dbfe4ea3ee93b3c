"""Compare llm_training with published training runs, or find each device's best power limit.

Without options: the model's one fitted parameter per device (the sustained GEMM share of
peak) is fitted by least squares over that device's published runs, and every run in
data/published_runs.csv is printed with its published and predicted step time or
device-hours, the in-sample error, and the leave-one-out error (the run's device refitted
without it, then the run predicted). Energy is compared where it was published.

With --dvfs: for every hardware preset, the power limit that minimises device energy at a
reference run, with the clock it runs at, the energy saved against the limit at TDP, the
slowdown, and the published measurement it should match.
"""

from __future__ import annotations

from explorer.cli.common import add_output_arguments, print_json


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    parser.add_argument("--dvfs", action="store_true",
                        help="energy-optimal power limit and clock per hardware preset")
    parser.add_argument("--csv", action="store_true", help="print CSV instead of a Markdown table")
    add_output_arguments(parser, progress=False)


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    import sys

    if args.dvfs:
        from explorer.power_limits import format_power_limits, power_limit_table

        table = power_limit_table()
        text = format_power_limits(table)
    else:
        from explorer.calibration import calibrate, format_table

        result = calibrate()
        table, text = result.table, format_table(result)
    if args.json:
        print_json(table.to_dict(orient="records"))
    elif args.csv:
        table.to_csv(sys.stdout, index=False)
    else:
        print(text)
    return 0
