"""explorer: explore the time, energy and loss trade-offs of training large models."""

from __future__ import annotations

import argparse
import importlib
import sys

from explorer.errors import ExplorerError
from explorer.output_checks import os_error_line

# subcommand name -> module in explorer.cli (imported only when run, so --help is instant)
COMMANDS = {"sweep": "sweep", "optimize": "optimize", "optima": "optima", "frontier": "frontier", "report": "report",
            "evaluate": "evaluate", "sensitivity": "sensitivity", "presets": "presets", "calibrate": "calibrate",
            "bench": "bench"}
SUMMARIES = {
    "sweep": "run a sweep spec (TOML) into a Parquet Pareto frontier",
    "optimize": "find constrained optima by gradient descent (many starts and weights at once)",
    "optima": "the seeds' closed-form optima next to the optimiser's answers",
    "frontier": "recompute the exact Pareto frontier of any Parquet file",
    "report": "PNG figures, an offline interactive HTML page and a summary of a result",
    "evaluate": "evaluate a model at one or more configurations and print outputs with units",
    "sensitivity": "rank the parameters by the elasticity of each objective at one configuration",
    "presets": "list hardware and workload presets, or show one with its sources",
    "calibrate": "fit llm_training to published runs (leave-one-out errors); --dvfs: best power limits",
    "bench": "measure configurations/s against a NumPy reference and the Pareto filter against moocore",
}


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line and exit status 2."""

    def error(self, message):
        """Prints ``message`` as one line and exits with status 2 (argparse's hook for bad usage)."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``explorer`` parser with one subparser per command (each module's docstring is its help)."""
    from explorer import __version__

    parser = _Parser(prog="explorer", description=__doc__)
    parser.add_argument("--version", action="version", version=f"explorer {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, module in COMMANDS.items():
        mod = importlib.import_module(f"explorer.cli.{module}")
        cmd = sub.add_parser(name, help=SUMMARIES[name], description=mod.__doc__,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(cmd)
        cmd.set_defaults(run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The console entry point: runs one subcommand; bad input is one line and exit 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except ExplorerError as err:
        print(f"explorer {args.command}: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a full disk, a vanished folder, a permission: one line, not a traceback
        print(f"explorer {args.command}: error: {os_error_line(err)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("explorer: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
