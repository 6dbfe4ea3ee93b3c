"""Rank the parameters an answer hinges on: elasticities ∂ln(objective)/∂ln(parameter), by
autodiff (explorer.sensitivity). −1 means "twice the parameter, half the objective"; 0, that it
does not matter there.

Give one configuration as NAME=VALUE pairs (as for `explorer evaluate`, one value each), or a
result file or a spec:
  - an optimiser output (.parquet) or an optimise spec (.toml with [optimize], solved first):
    at the best run, where the optimised objective's elasticity is that of the optimum itself
    (the active constraints' multipliers included: the envelope theorem);
  - a sweep output or a sweep spec (swept in memory): at the front's knee and at the best of
    each objective, or at every front row with --rows all.

Examples:
  explorer sensitivity --hardware h100-sxm --workload llama3.1-70b nu=1.5GHz n_parallel=4096
  explorer sensitivity data/results/optimize_energy.parquet
  explorer sensitivity sweeps/optimize_seed003.toml --top 5
"""

from __future__ import annotations

from explorer.cli.common import add_configuration_arguments, add_output_arguments, print_json


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    add_configuration_arguments(parser)
    parser.add_argument("--outputs", metavar="A,B,...", help="outputs to differentiate (default: the objectives)")
    parser.add_argument("--top", type=int, default=8, help="parameters shown per output (default 8)")
    parser.add_argument("--rows", choices=("named", "all"), default="named",
                        help="with a sweep file or spec: the knee and per-objective bests (named), or every "
                             "front row (all, at most 200)")
    add_output_arguments(parser, progress=False)


def _source(settings):
    """(result file or spec path, the remaining NAME=VALUE settings)."""
    if settings and "=" not in settings[0] and settings[0].endswith((".parquet", ".toml")):
        return settings[0], settings[1:]
    return None, settings


def _points(args, model_name):
    """Points of the configuration on the command line, or of the file or spec named."""
    from explorer.cli.evaluate import parse_settings
    from explorer.errors import ExplorerError
    from explorer.models import get_model
    from explorer.sensitivity_points import Point, Points, points_of

    source, settings = _source(args.settings)
    if source is not None:
        if settings:
            raise ExplorerError(f"{settings[0]!r}: give a result file or spec, or NAME=VALUE settings, not both")
        return points_of(source, args.rows)
    model = get_model(model_name)
    design, params = parse_settings(model, settings)
    for name, values in design.items():
        if len(values) != 1:
            raise ExplorerError(f"{name}: give one value (sensitivities are taken at one configuration)")
    params |= {kind: getattr(args, kind) for kind in ("hardware", "workload") if getattr(args, kind)}
    return Points(model, [], [Point("this configuration", {k: v[0] for k, v in design.items()}, params, {})])


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    from explorer.display import human
    from explorer.errors import ExplorerError
    from explorer.models import get_model
    from explorer.sensitivity import default_outputs, elasticities

    found = _points(args, args.model)
    model = get_model(found.model)
    outputs = [c.strip() for c in args.outputs.split(",") if c.strip()] if args.outputs else None
    unknown = [o for o in outputs or () if o not in model.output_names]
    if unknown:
        raise ExplorerError(f"--outputs: {unknown[0]!r} is not an output of {model.name}")
    outputs = outputs or list(dict.fromkeys(found.objectives + default_outputs(model)))
    frames = []
    for point in found.points:
        envelope = point.envelope if point.envelope and outputs[0] == found.objectives[0] else None
        frames.append((point, elasticities(point.design, model, point.params, outputs, envelope)))
    if args.json:
        print_json({"model": model.name, "points": [
            {"label": p.label, "configuration": f.attrs["configuration"], "envelope": p.envelope,
             "elasticities": {o: f[o].to_dict() for o in f.columns if o != "unit"}} for p, f in frames]})
        return 0
    if args.quiet:
        return 0
    for point, frame in frames:
        print(f"elasticities ∂ln(output)/∂ln(parameter) of {model.name} at {point.label}: "
              + ", ".join(f"{k} = {human(v, model.variable(k).unit, exact=k in model.integers)}"
                          for k, v in frame.attrs["configuration"].items()))
        for output in (c for c in frame.columns if c != "unit"):
            ranked = frame[output].abs().sort_values(ascending=False, kind="stable").index[: max(args.top, 1)]
            optimum = " (of the optimum, re-optimised)" if point.envelope and output == outputs[0] else ""
            print(f"  {output}{optimum}:")
            for name in ranked:
                value = frame.at[name, output]
                effect = f"{value:+.2g}% per +1% of {name}" if value else "no effect here"
                print(f"    {name:<24} {value:+8.3f}   ({effect})")
    return 0
