"""The seeds' closed-form optima next to the optimiser's answers, for a hardware preset.

Seed 000's constants are taken from the preset (α from its energy per FLOP and clock,
T from its coolant temperature, ν₀_max its highest clock, memory from its datasheet);
then ν₀_efficient, T_opt (a constrained optimum), the §6.3 speed point, and seed 004's
B* are each computed in closed form and by the optimiser, with the relative error.
"""

from __future__ import annotations

from explorer.cli.common import add_output_arguments, print_json


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    parser.add_argument("--hardware", default="h100-sxm", help="hardware preset (default h100-sxm)")
    add_output_arguments(parser)


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    import sys

    from explorer.display import human, number
    from explorer.optima import seed_optima

    table = seed_optima(args.hardware, progress=not args.quiet and not args.json and sys.stderr.isatty())
    if args.json:
        print_json({"hardware": args.hardware, "optima": table.to_dict(orient="records")})
        return 0
    print(f"seed optima for {args.hardware} (float64)")
    for row in table.itertuples(index=False):
        print(f"  {row.quantity}")
        optimiser = human(row.optimiser, row.unit, digits=10) if row.optimiser == row.optimiser else "none"
        error = number(row.relative_error, 2) if row.relative_error == row.relative_error else "n/a"
        print(f"      closed form {human(row.closed_form, row.unit, digits=10)}   optimiser {optimiser}   "
              f"relative error {error}")
        print(f"      {row.note}")
    return 0
