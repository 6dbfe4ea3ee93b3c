"""Evaluate a model at one or more configurations and print every output with its unit.

Settings are NAME=VALUE pairs. NAME is a design variable (for llm_training:
nu, batch, temperature, n_parallel) or any model parameter (e.g. pue=1.3).
VALUE may carry a unit ("nu=1.5GHz", "t_max=90days") and may be a
comma-separated list: lists broadcast into several configurations (--grid: every
combination). --columns picks the outputs printed; --json prints one JSON document.

Example:
  explorer evaluate --hardware h100-sxm --workload llama3.1-70b nu=1.5e9 batch=1024 n_parallel=4096
"""

from __future__ import annotations

from explorer.cli.common import add_configuration_arguments, add_output_arguments, print_json


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    add_configuration_arguments(parser)
    parser.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    parser.add_argument("--grid", action="store_true",
                        help="every combination of the lists (their product), instead of broadcasting them")
    parser.add_argument("--columns", metavar="A,B,...",
                        help="print only these columns (the design variables are always printed)")
    add_output_arguments(parser, progress=False)


def parse_settings(model, settings):
    """NAME=VALUE strings -> (design arrays, parameter overrides), units converted."""
    from explorer.errors import ExplorerError
    from explorer.units import parse_quantity, split_list

    design, overrides = {}, {}
    for item in settings:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise ExplorerError(f"setting {item!r} is not NAME=VALUE")
        if name in model.design_names:
            unit = model.variable(name).unit
            design[name] = [parse_quantity(v, unit, name) for v in split_list(text)]
        elif name in model.param_names:
            param = model.param(name)
            overrides[name] = text if param.choices else parse_quantity(text, param.unit, name)
        else:
            raise ExplorerError(f"unknown design variable or parameter {name!r} for model {model.name} "
                                f"(design variables: {', '.join(model.design_names)}; parameters: "
                                f"`explorer presets NAME` or docs/model.md)")
    return design, overrides


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    import pandas as pd

    from explorer.errors import ExplorerError
    from explorer.evaluation import evaluate
    from explorer.display import configuration_lines, display_frame
    from explorer.error_band import band_line
    from explorer.models import get_model

    model = get_model(args.model)
    design, overrides = parse_settings(model, args.settings)
    params = dict(overrides)
    for kind in ("hardware", "workload"):
        if getattr(args, kind):
            params[kind] = getattr(args, kind)
    if args.grid:  # the lists' product: one axis per list
        import numpy as np

        names = list(design)
        mesh = np.meshgrid(*(np.asarray(design[n], float) for n in names), indexing="ij")
        design = {n: m.ravel() for n, m in zip(names, mesh)}
    df = evaluate(design, model=model, params=params)
    units = df.attrs["units"]
    if args.columns:
        wanted = [c.strip() for c in args.columns.split(",") if c.strip()]
        unknown = [c for c in wanted if c not in df.columns]
        if unknown:
            raise ExplorerError(f"--columns: {unknown[0]!r} is not an output or design variable of {model.name}")
        df = df[list(dict.fromkeys([*model.design_names, *wanted]))]
    hardware = params.get("hardware", model.default_presets.get("hardware"))
    if args.json:
        print_json({"model": model.name, "units": {c: units[c] for c in df.columns},
                    "rows": df.to_dict(orient="records"), "error_band": band_line(model.name, hardware)})
        return 0
    if args.quiet:  # errors only: the evaluation ran, its input was good
        return 0
    headed = df.rename(columns={c: f"{c} [{units[c]}]" for c in df.columns if units[c]})
    if args.csv:
        headed.to_csv(__import__("sys").stdout, index=False)
        return 0
    presets = ", ".join(f"{k}={v}" for k, v in params.items() if k in model.preset_kinds) or "defaults"
    print(f"model {model.name} v{model.version} ({presets}), {len(df)} configuration(s)")
    shares = {o.name for o in model.outputs if o.share}
    if len(df) == 1:
        row = df.iloc[0]
        for line in configuration_lines(row.drop("feasible", errors="ignore"), units, shares, model.margins,
                                        model.integers):
            print(line)
        if "feasible" in row:
            print(f"  {'feasible':<22} {'yes (every margin ≤ 0)' if row.feasible else 'no (a margin is > 0)'}")
    else:
        with pd.option_context("display.max_columns", None, "display.width", 200):
            print(display_frame(df, units, shares, model.integers).to_string(index=False))
    band = band_line(model.name, hardware)
    if band:
        print(band)
    return 0
