"""List the shipped presets, or show one preset's values with their units and sources.

  explorer presets                  list every hardware and workload preset
  explorer presets h100-sxm         show one preset, value by value, with sources
  explorer presets --table hardware print all presets of a kind as CSV (data/hardware.csv)
"""

from __future__ import annotations

from explorer.cli.common import add_output_arguments, print_json


def add_arguments(parser):
    """Adds this subcommand\'s options to its argparse parser."""
    parser.add_argument("name", nargs="?", help="preset to show")
    parser.add_argument("--table", choices=("hardware", "workload"), help="print all presets of a kind as CSV")
    add_output_arguments(parser, progress=False)


def table(kind: str) -> str:
    """All presets of ``kind`` in long CSV form: preset, parameter, value, unit, source, note."""
    import csv
    import io

    from explorer.presets import load_preset, preset_names

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["preset", "parameter", "value", "unit", "source", "note"])
    for name in preset_names(kind):
        for key, entry in load_preset(kind, name).entries.items():
            writer.writerow([name, key, f"{entry.value:.6g}" if isinstance(entry.value, float) else entry.value,
                             entry.unit, entry.source, entry.note])
    return out.getvalue()


def run(args):
    """Runs the subcommand with parsed ``args``; returns the exit status."""
    from explorer.display import human
    from explorer.presets import KINDS, find_preset, load_preset, preset_names

    if args.table:
        print(table(args.table), end="")
        return 0
    if args.json:
        if args.name is None:
            print_json({kind: {name: load_preset(kind, name).description for name in preset_names(kind)}
                        for kind in KINDS})
        else:
            preset = find_preset(args.name)
            print_json({"name": preset.name, "kind": preset.kind, "description": preset.description,
                        "values": {k: {"value": e.value, "unit": e.unit, "source": e.source, "note": e.note}
                                   for k, e in preset.entries.items()}})
        return 0
    if args.name is None:
        for kind in KINDS:
            print(f"{kind}:")
            for name in preset_names(kind):
                print(f"  {name:<18} {load_preset(kind, name).description}")
        return 0
    preset = find_preset(args.name)
    print(f"{preset.name} ({preset.kind}): {preset.description}")
    for key, entry in preset.entries.items():
        value = human(entry.value, entry.unit, digits=5) if isinstance(entry.value, float) else str(entry.value)
        print(f"  {key:<22} {value:>24}  {entry.source}")
        if entry.note:
            print(f"  {'':<22} {'':>24}  ↳ {entry.note}")
    return 0
