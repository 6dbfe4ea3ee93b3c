"""Run a sweep spec: stream configurations through the model into a Parquet frontier.

The spec (TOML; see sweeps/README.md and sweeps/quickstart.toml) names the model
and presets, the axes, the sampler, the objectives and constraints, and the
output. The whole spec is checked before any work starts. Ctrl-C leaves a
checkpoint beside the output; run again with --resume to finish the run with
an identical result.

Example:
  explorer sweep sweeps/quickstart.toml
  explorer sweep sweeps/llama70b_b200.toml --out data/results/mine.parquet
  explorer sweep sweeps/quickstart.toml --devices 2
  explorer sweep sweeps/quickstart.toml --hardware b200 --param usd_per_kwh=0.12 --json
  explorer sweep sweeps/quickstart.toml --ray              # a local Ray instance
  explorer sweep sweeps/quickstart.toml --ray HOST:6379    # a Ray cluster
"""

from __future__ import annotations

from explorer.cli.common import add_model_arguments, add_output_arguments, model_overrides, print_json


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    parser.add_argument("spec", help="sweep spec (TOML)")
    parser.add_argument("--out", help="output Parquet path (overrides the spec's output.path)")
    parser.add_argument("--samples", type=int, help="sample count (random, sobol and lhs samplers)")
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint of a killed run")
    add_model_arguments(parser)
    add_output_arguments(parser)
    parser.add_argument("--checkpoint-every", type=float, default=5.0, metavar="SECONDS",
                        help="seconds between checkpoints, taken at chunk boundaries (default 5; at least ten "
                             "times the last checkpoint's duration)")
    parser.add_argument("--devices", type=int, metavar="N", help="use at most N local JAX devices (default: all)")
    parser.add_argument("--ray", nargs="?", const=True, metavar="ADDRESS",
                        help="run as Ray tasks: on the cluster at ADDRESS, or without one on a new local Ray "
                             "instance (needs the ray extra; see docs/scale.md)")


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    import os
    import signal
    import sys
    import threading

    stop = threading.Event()

    def on_sigint(signum, frame):
        stop.set()  # seen at the next chunk boundary even if the exception below is swallowed
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)  # first: importing JAX takes seconds
    report_unraisable = sys.unraisablehook  # an interrupt swallowed in a GC callback is no error to show
    sys.unraisablehook = lambda u: None if isinstance(u.exc_value, KeyboardInterrupt) else report_unraisable(u)

    from explorer.engine import sweep
    from explorer.errors import SweepInterrupted
    from explorer.spec import load_spec
    from explorer.rate_memory import duration, rate_key, recall, remember
    from explorer.sweep_plan import SweepSettings

    planned = {}

    spec = load_spec(args.spec, path=args.out, samples=args.samples, model=model_overrides(args))
    def announce(plan):  # once the input and the output path passed their checks
        import jax

        planned["key"] = rate_key(plan, jax.devices()[0].platform)
        if not args.quiet:
            rate = recall(planned["key"])
            eta = f"; about {duration(plan.total / rate)} at this machine's last rate" if rate else ""
            print(f"explorer sweep: {plan.summary()}{eta}", file=sys.stderr)
    try:
        result = sweep(spec, resume=args.resume, progress=not args.quiet and sys.stderr.isatty(),
                       devices=args.devices, ray=args.ray,
                       settings=SweepSettings(checkpoint_every_s=max(args.checkpoint_every, 0.0)), stop=stop,
                       announce=announce)
    except SweepInterrupted as stop:
        if stop.checkpoint is not None:
            print(f"explorer sweep: interrupted; checkpoint {str(stop.checkpoint)!r} holds the run so far. Resume "
                  f"with: explorer sweep {args.spec} --resume{' --out ' + args.out if args.out else ''}",
                  file=sys.stderr)
        else:
            print("explorer sweep: interrupted before the first chunk finished; no checkpoint was saved",
                  file=sys.stderr)
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(130)  # skip interpreter teardown: XLA's compiler threads may still be running
    if "key" in planned and result.evaluated - result.evaluated_before >= 1 << 20:  # a rate worth keeping
        remember(planned["key"], result.configs_per_s)
    if args.json:
        print_json({"path": str(result.path), "evaluated": result.evaluated,
                    "evaluated_in_this_run": result.evaluated - result.evaluated_before, "feasible": result.feasible,
                    "on_front": result.on_front, "compile_s": result.compile_s, "run_s": result.run_s,
                    "configs_per_s": result.configs_per_s, "devices": result.devices, "ray_workers": result.workers,
                    "empty_reason": result.empty_reason or None})
        return 0
    resumed = f" ({result.evaluated - result.evaluated_before:,} in this run)" if result.evaluated_before else ""
    print(f"{result.evaluated:,} configurations evaluated{resumed}, {result.feasible:,} feasible, "
          f"{result.on_front:,} on the Pareto front")
    if result.empty_reason:
        print(f"explorer sweep: warning: {result.empty_reason}", file=sys.stderr)
    where = f"{result.workers} Ray workers" if result.workers > 1 else \
        f"{result.devices} device{'s' if result.devices > 1 else ''}"
    print(f"compile {result.compile_s:.2f} s, stream {result.run_s:.2f} s "
          f"({result.configs_per_s:,.0f} configurations/s on {where})")
    print(f"wrote {result.path}")
    return 0
