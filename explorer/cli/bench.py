"""Measure the engine on this machine: configurations/s of the llm_training sweep with the
streaming frontier, the same model in plain NumPy (the ratio), and the streaming Pareto
front against moocore's one-shot filter on the same points. --quick takes a few seconds.
"""

from __future__ import annotations


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    parser.add_argument("--quick", action="store_true", help="small sizes (a few seconds)")


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    from explorer.bench import run_bench

    rows = run_bench(quick=args.quick)
    width = max(len(label) for label, _ in rows)
    print(f"explorer bench{' --quick' if args.quick else ''}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    return 0
