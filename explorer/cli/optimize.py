"""Find constrained optima by gradient descent: many starts (and scalarization weights) at once.

The spec is a sweep spec whose [axes] are the free inputs (ranges; integer axes are
rounded at the end) plus an [optimize] table:

  [optimize]
  scalarization = "chebyshev"   # weighted_sum | chebyshev | epsilon (2+ objectives)
  n_weights = 16                # or weights = [[0.5, 0.5], ...]
  starts = 32                   # per weight, scrambled Sobol' in the box
  solver = "adam"               # or "lbfgs"
  outer = 12                    # augmented-Lagrangian iterations
  inner = 150                   # solver steps per outer iteration
  tolerance = 1e-4              # largest violation counted as feasible

Prints the best configuration with units, its constraint margins, and how many runs
converged; writes the runs (output.mode: frontier | feasible | all) to Parquet.

With a [schedule] table (explorer.schedule: phases = K, vary = ["batch", ...]) it solves the
constant problem first, then the K-phase schedule from it at no higher final loss, and
prints the schedule phase by phase beside the best constant configuration.

Example:
  explorer optimize sweeps/optimize_energy.toml
"""

from __future__ import annotations

from explorer.cli.common import add_model_arguments, add_output_arguments, model_overrides, print_json


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    parser.add_argument("spec", help="optimisation spec (TOML)")
    parser.add_argument("--out", help="output Parquet path (overrides the spec's output.path)")
    add_model_arguments(parser)
    add_output_arguments(parser)


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    import sys

    from explorer.optimizer import optimize
    from explorer.spec import load_spec
    from explorer.display import configuration_lines, number
    from explorer.problem import Problem
    from explorer.shadow_prices import describe

    spec = load_spec(args.spec, path=args.out, model=model_overrides(args))
    if spec.schedule is not None:
        return _run_schedule(args, spec)
    frame = optimize(spec, progress=not args.quiet and sys.stderr.isatty())
    n, converged, feasible = len(frame), int(frame.converged.sum()), int(frame.feasible.sum())
    if args.json:
        best = frame[frame.best] if frame.best.any() else frame.loc[[frame.max_violation.idxmin()]]
        print_json({"path": str(spec.path), "runs": n, "converged": converged, "feasible": feasible,
                    "on_front": int(frame.on_front.sum()), "best_found": bool(frame.best.any()),
                    "best": best.iloc[0].to_dict()})
        return 0
    print(f"{n} runs: {converged} converged, {feasible} feasible, {int(frame.on_front.sum())} on the front")
    if not frame.best.any():
        print("no feasible configuration: the least-violating run is")
        best = frame.loc[frame.max_violation.idxmin()]
    else:
        print("best configuration" + (" (the knee of the front)" if len(spec.objectives) > 1 else "") + ":")
        best = frame[frame.best].iloc[0]
    model = spec.model
    units = {v.name: v.unit for v in model.design} | {o.name: o.unit for o in model.outputs}
    units |= {name: model.param(name).unit for name in model.param_names}
    shown = list(model.design_names) + [a.name for a in spec.axes if a.name not in model.design_names]
    shown += [name for name, _ in spec.objectives] + list(model.margins)
    shares = {o.name for o in model.outputs if o.share}
    values = {c: float(best[c]) for c in dict.fromkeys(shown)}
    for line in configuration_lines(values, units, shares, model.margins, model.integers):
        print(line)
    print(f"  largest violation {number(best.max_violation, 3)}, KKT residual {number(best.kkt_residual, 3)}")
    prices = describe(Problem.from_spec(spec), best) if frame.best.any() else []
    if prices:
        print("what the active constraints cost (shadow prices):")
        for line in prices:
            print(f"  {line}")
    print(f"wrote {spec.path}")
    return 0


def _run_schedule(args, spec):
    """Prints the best schedule phase by phase and its gains over the best constant configuration."""
    import sys

    from explorer.display import display_frame, human
    from explorer.models import get_model
    from explorer.schedule_run import optimize_schedule

    result = optimize_schedule(spec, progress=not args.quiet and sys.stderr.isatty())
    frame, base = result.schedule, get_model(spec.model.name)  # a schedule keeps its model's name
    if args.json:
        print_json({"path": str(spec.path), "runs": len(frame), "feasible": int(frame.feasible.sum()),
                    "phases": result.phases.to_dict(orient="records"),
                    "comparison": result.comparison.to_dict(orient="records")})
        return 0
    schedule = spec.schedule
    print(f"{len(frame)} runs: {int(frame.converged.sum())} converged, {int(frame.feasible.sum())} feasible")
    print(f"best schedule, {schedule.phases} phases ({', '.join(schedule.vary)} per phase):")
    columns = ["phase", "share", *schedule.vary, *(c for c in ("time_s", "energy_j", "power_w", "clock_hz")
                                                   if c in result.phases and c not in schedule.vary)]
    units = {**base.units, "share": "1", "phase": ""}
    table = display_frame(result.phases[columns], units, shares=("share",), integers=base.integers)
    print("  " + table.to_string(index=False).replace("\n", "\n  "))
    print("against the best constant configuration" + (" at equal final loss:" if "final_loss" in base.output_names
                                                         else ":"))
    for row in result.comparison.itertuples():
        unit = base.units[row.output]
        print(f"  {row.output}: {human(row.schedule, unit)} (constant {human(row.constant, unit)}, "
              f"{row.change:+.2%})")
    print(f"wrote {spec.path}")
    return 0
