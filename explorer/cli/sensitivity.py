"""Rank the parameters an answer hinges on: elasticities ∂ln(objective)/∂ln(parameter) at one
configuration, by autodiff (explorer.sensitivity). −1 means "twice the parameter, half the
objective"; 0, that it does not matter there.

Settings are NAME=VALUE pairs, as for `explorer evaluate` (one value each).

Example:
  explorer sensitivity --hardware h100-sxm --workload llama3.1-70b nu=1.5GHz n_parallel=4096
"""

from __future__ import annotations

from explorer.cli.common import add_configuration_arguments, add_output_arguments, print_json


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    add_configuration_arguments(parser)
    parser.add_argument("--outputs", metavar="A,B,...", help="outputs to differentiate (default: the objectives)")
    parser.add_argument("--top", type=int, default=8, help="parameters shown per output (default 8)")
    add_output_arguments(parser, progress=False)


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    from explorer.cli.evaluate import parse_settings
    from explorer.display import human
    from explorer.errors import ExplorerError
    from explorer.models import get_model
    from explorer.sensitivity import elasticities

    model = get_model(args.model)
    design, params = parse_settings(model, args.settings)
    for name, values in design.items():
        if len(values) != 1:
            raise ExplorerError(f"{name}: give one value (sensitivities are taken at one configuration)")
    params |= {kind: getattr(args, kind) for kind in ("hardware", "workload") if getattr(args, kind)}
    outputs = [c.strip() for c in args.outputs.split(",") if c.strip()] if args.outputs else None
    unknown = [o for o in outputs or () if o not in model.output_names]
    if unknown:
        raise ExplorerError(f"--outputs: {unknown[0]!r} is not an output of {model.name}")
    frame = elasticities({k: v[0] for k, v in design.items()}, model, params, outputs)
    if args.json:
        print_json({"model": model.name, "configuration": frame.attrs["configuration"],
                    "elasticities": {o: frame[o].to_dict() for o in frame.columns if o != "unit"}})
        return 0
    if args.quiet:
        return 0
    print(f"elasticities ∂ln(output)/∂ln(parameter) of {model.name} at "
          + ", ".join(f"{k} = {human(v, model.variable(k).unit, exact=k in model.integers)}"
                      for k, v in frame.attrs["configuration"].items()))
    for output in (c for c in frame.columns if c != "unit"):
        ranked = frame[output].abs().sort_values(ascending=False, kind="stable").index[: max(args.top, 1)]
        print(f"  {output}:")
        for name in ranked:
            value = frame.at[name, output]
            effect = f"{value:+.2g}% per +1% of {name}" if value else "no effect here"
            print(f"    {name:<24} {value:+8.3f}   ({effect})")
    return 0
