"""``explorer bench --scale``: configurations/s on one device, on every local device, and as
Ray tasks on 1 and 2 local workers, against the single process, as ratios from one run.

Every measurement sweeps the same grid (``bench.bench_spec``; 10⁸ configurations, 10⁶ with
--quick) with the streaming frontier. Device runs go through a child process each, so that
on a CPU-only machine the second one can split the CPU into two devices
(``--xla_force_host_platform_device_count``); on a machine with accelerators every device is
real. Streaming rates exclude compilation, as ``explorer sweep`` prints them (best of two
runs); the Ray rates are end to end (worker start, compilation, the driver's merge and the
write are inside the measured time), so they are compared with the single process's end-to-end
rate (its first run, compilation and write included). JAX's persistent compilation cache is
on, as in normal use, so a program compiled before loads from disk in either.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from explorer.bench import bench_spec

_CHILD = """
import json, sys, time
import jax
from explorer.engine import sweep
spec, devices = json.loads(sys.argv[1]), json.loads(sys.argv[2])
t = time.perf_counter()
first = sweep(spec, progress=False, devices=devices)
wall = time.perf_counter() - t
second = sweep(spec, progress=False, devices=devices)  # reuses the compiled programs
print(json.dumps({"devices": first.devices, "platform": jax.devices()[0].platform, "evaluated": first.evaluated,
                  "run_s": min(first.run_s, second.run_s), "wall_s": wall}))
"""


def _device_run(spec: dict, devices: int | None, forced: int | None) -> dict:
    """One sweep (best of two) in a child process; ``forced`` CPU devices when set."""
    env = dict(os.environ)
    if forced:
        env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count={forced}".strip()
    run = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(spec), json.dumps(devices)], env=env,
                         capture_output=True, text=True, check=False)
    if run.returncode:
        raise RuntimeError(f"bench --scale child failed: {run.stderr.strip().splitlines()[-1]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def _ray_run(spec: dict, workers: int) -> dict:
    """One sweep as Ray tasks on a fresh local instance of ``workers`` CPUs (1 per task)."""
    import time

    import ray

    from explorer.engine import sweep

    ray.init(num_cpus=workers, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        spec = {**spec, "distributed": {"num_cpus": 1, "tasks": 4 * workers}}
        t = time.perf_counter()
        result = sweep(spec, progress=False, ray=True)
        return {"evaluated": result.evaluated, "wall_s": time.perf_counter() - t}
    finally:
        ray.shutdown()


def run_scale_bench(quick: bool = False) -> list[tuple[str, str]]:
    """Runs the measurements; returns (label, value) rows for printing."""
    n_side = 32 if quick else 100
    # The children (not this process, which starts no JAX backend and forks safely) split a CPU's
    # cores into two devices; the flag leaves accelerators alone, whose devices are all real.
    forced = 2
    with tempfile.TemporaryDirectory(prefix="explorer-bench-scale-") as tmp:
        spec = bench_spec(n_side, 1 << 20)
        spec["output"]["path"] = str(Path(tmp) / "scale.parquet")
        one = _device_run(spec, 1, forced)
        every = _device_run(spec, None, forced)
        platform = every["platform"]
        rows = [("machine", f"{platform}, {every['devices']} devices"
                            f"{' (forced: one CPU split in two)' if platform == 'cpu' else ''}"),
                ("sweep", f"{one['evaluated']:,} configurations, streaming frontier")]
        rate_one = one["evaluated"] / one["run_s"]
        rate_all = every["evaluated"] / every["run_s"]
        rows += [("1 device", f"{rate_one / 1e6:,.1f} M configurations/s"),
                 (f"{every['devices']} devices", f"{rate_all / 1e6:,.1f} M configurations/s "
                                                 f"({rate_all / rate_one:.2f}x of 1 device)")]
        if importlib.util.find_spec("ray") is None:
            rows.append(("ray", 'not installed (pip install "trade-explorer[ray]")'))
            return rows
        end_to_end = one["evaluated"] / one["wall_s"]
        rows.append(("1 process, end to end", f"{end_to_end / 1e6:,.1f} M configurations/s (compile and write "
                                              "included)"))
        for workers in (1, 2):
            r = _ray_run(spec, workers)
            rate = r["evaluated"] / r["wall_s"]
            rows.append((f"ray, {workers} local worker{'s' if workers > 1 else ''}",
                         f"{rate / 1e6:,.1f} M configurations/s end to end ({rate / end_to_end:.2f}x of one process)"))
    return rows
