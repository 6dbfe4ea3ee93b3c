"""Measure the engine on this machine: configurations/s of the llm_training sweep with the
streaming frontier, the same model in plain NumPy (the ratio), and the streaming Pareto
front against moocore's one-shot filter on the same points. --quick takes a few seconds.
--scale measures instead how the sweep scales: 1 device against every local device, and
Ray tasks on 1 and 2 local workers against the single process (docs/scale.md).
"""

from __future__ import annotations

from explorer.cli.common import add_output_arguments, print_json


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    parser.add_argument("--quick", action="store_true", help="small sizes (a few seconds)")
    parser.add_argument("--scale", action="store_true",
                        help="devices and Ray workers against one device and one process (a 10^8 sweep)")
    add_output_arguments(parser)


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    import sys

    progress = not args.quiet and not args.json and sys.stderr.isatty()
    if args.scale:
        from explorer.bench_scale import run_scale_bench

        rows = run_scale_bench(quick=args.quick)
    else:
        from explorer.bench import run_bench

        rows = run_bench(quick=args.quick, progress=progress)
    title = f"explorer bench{' --scale' if args.scale else ''}{' --quick' if args.quick else ''}"
    if args.json:
        print_json({"bench": title, "rows": dict(rows)})
        return 0
    width = max(len(label) for label, _ in rows)
    print(title)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    return 0
