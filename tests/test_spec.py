"""Sweep specs: a valid spec parses completely; every mistake is one ExplorerError line naming its key."""

import copy

import numpy as np
from pathlib import Path

import pytest

from explorer.errors import ExplorerError
from explorer.models import get_model, resolve_params
from explorer.samplers import MAX_CHUNK
from explorer.spec import Bound, SweepSpec, load_spec, parse_spec

# sweeps/quickstart.toml, as tomllib reads it
QUICKSTART = {
    "model": {"name": "llm_training", "hardware": "h100-sxm", "workload": "llama3.1-70b"},
    "axes": {
        "nu": {"low": "0.6 GHz", "high": "1.98 GHz", "scale": "linear", "count": 64},
        "batch": {"low": 256, "high": 16384, "scale": "log", "count": 40},
        "temperature": {"low": 1e-3, "high": 3e-2, "scale": "log", "count": 32},
        "n_parallel": {"low": 512, "high": 65536, "scale": "log", "count": 120},
    },
    "sampler": {"kind": "grid"},
    "objectives": {"time_s": "min", "energy_j": "min", "final_loss": "min"},
    "constraints": {"margins": "all", "bounds": ["time_s <= 365 days"]},
    "output": {"mode": "frontier", "path": "data/results/quickstart.parquet", "chunk_size": 1048576},
}

QUICKSTART_TOML = '''
[model]
name = "llm_training"
hardware = "h100-sxm"
workload = "llama3.1-70b"

[axes]
nu = { low = "0.6 GHz", high = "1.98 GHz", scale = "linear", count = 64 }
batch = { low = 256, high = 16384, scale = "log", count = 40 }
temperature = { low = 1e-3, high = 3e-2, scale = "log", count = 32 }
n_parallel = { low = 512, high = 65536, scale = "log", count = 120 }

[sampler]
kind = "grid"

[objectives]
time_s = "min"
energy_j = "min"
final_loss = "min"

[constraints]
margins = "all"
bounds = ["time_s <= 365 days"]

[output]
mode = "frontier"
path = "data/results/quickstart.parquet"
chunk_size = 1048576
'''

MINIMAL = {"axes": {"nu": {"low": "1 GHz", "high": "1.9 GHz", "count": 4}}, "objectives": {"time_s": "min"}}

MODEL = get_model("llm_training")
MARGINS = tuple(name for name in MODEL.output_names if name.endswith("_margin"))


def spec(**changes):
    """QUICKSTART with top-level tables replaced (None removes one)."""
    raw = copy.deepcopy(QUICKSTART)
    for key, value in changes.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return raw


def edited(edit):
    raw = copy.deepcopy(QUICKSTART)
    edit(raw)
    return raw


# --- a valid spec ---------------------------------------------------------------------------------

def test_quickstart_parses():
    s = parse_spec(copy.deepcopy(QUICKSTART), "sweeps/quickstart.toml")
    assert isinstance(s, SweepSpec)
    assert s.model is MODEL
    assert s.presets == {"hardware": "h100-sxm", "workload": "llama3.1-70b"}
    assert s.params == resolve_params(MODEL, s.presets, {})
    assert [a.name for a in s.axes] == ["nu", "batch", "temperature", "n_parallel"]
    nu, batch, temperature, n = s.axes
    assert (nu.unit, nu.scale, nu.count, nu.integer) == ("Hz", "linear", 64, False)
    assert nu.low == pytest.approx(6e8, rel=1e-15) and nu.high == pytest.approx(1.98e9, rel=1e-15)
    assert (batch.low, batch.high, batch.scale, batch.count) == (256.0, 16384.0, "log", 40)
    assert temperature.low == pytest.approx(1e-3, rel=1e-15, abs=0)
    assert temperature.high == pytest.approx(3e-2, rel=1e-15, abs=0)
    assert (n.unit, n.integer, n.low, n.high) == ("devices", True, 512.0, 65536.0)  # integer from the model
    assert all(a.values is None for a in s.axes)
    assert s.sampler == "grid" and s.samples is None and s.seed == 0
    assert s.objectives == (("time_s", False), ("energy_j", False), ("final_loss", False))
    assert s.margins == MARGINS
    assert s.bounds == (Bound("time_s", "<=", 365 * 86400.0),)
    assert s.mode == "frontier" and s.dtype == "float32"
    assert s.path == Path("data/results/quickstart.parquet")
    assert s.chunk_size == 1048576


def test_quickstart_file_matches_dict(tmp_path):
    file = tmp_path / "quickstart.toml"
    file.write_text(QUICKSTART_TOML, encoding="utf-8")
    from_file = load_spec(file)
    from_dict = parse_spec(copy.deepcopy(QUICKSTART), "quickstart.toml")
    assert from_file.raw == QUICKSTART
    assert from_file.axes == from_dict.axes and from_file.bounds == from_dict.bounds
    assert load_spec(str(file)).axes == from_dict.axes  # a str path works too


def test_load_spec_passes_spec_and_dict():
    s = parse_spec(copy.deepcopy(QUICKSTART))
    assert load_spec(s) is s
    assert load_spec(copy.deepcopy(QUICKSTART)).axes == s.axes


def test_defaults():
    s = parse_spec(copy.deepcopy(MINIMAL))
    assert s.model.name == "llm_training"
    assert s.presets == {} and s.overrides == {}
    # default presets still resolve every parameter
    assert s.params == resolve_params(MODEL, {"hardware": "h100-sxm", "workload": "llama3.1-70b"}, {})
    assert s.sampler == "grid" and s.seed == 0 and s.samples is None
    assert s.mode == "frontier" and s.dtype == "float32"
    assert s.margins == MARGINS and len(MARGINS) == 7
    assert all(MODEL.output(m).kind == "margin" for m in s.margins)
    assert s.bounds == ()
    assert s.chunk_size == 1 << 20
    assert s.path == Path("data/results/sweep.parquet")
    (axis,) = s.axes
    assert axis.scale == "linear" and axis.count == 4 and axis.low == 1e9 and axis.high == pytest.approx(1.9e9)


def test_default_path_from_file_stem(tmp_path):
    file = tmp_path / "my_sweep.toml"
    file.write_text('[axes]\nbatch = { low = 256, high = 1024 }\n[objectives]\nenergy_j = "min"\n')
    s = load_spec(file)
    assert s.path == Path("data/results/my_sweep.parquet")
    assert s.axes[0].count == 16  # default count
    assert parse_spec(copy.deepcopy(MINIMAL), "sweeps/other.toml").path == Path("data/results/other.parquet")


@pytest.mark.parametrize("text,seconds", [("time_s <= 90 days", 7776000.0), ("time_s <= 2 weeks", 1209600.0),
                                          ("time_s<=36h", 129600.0), ("time_s >= 1e4", 1e4)])
def test_bound_units(text, seconds):
    s = parse_spec(spec(constraints={"bounds": [text]}))
    (bound,) = s.bounds
    assert bound.output == "time_s" and bound.op == text.replace(" ", "")[6:8]
    assert bound.value == pytest.approx(seconds, rel=1e-15)


def test_bounds_and_margins():
    s = parse_spec(spec(constraints={"margins": ["memory_margin", "time_margin"],
                                     "bounds": ["energy_j <= 10 GWh", "mfu >= 0.3", "power_w <= 800 W"]}))
    assert s.margins == ("memory_margin", "time_margin")
    assert s.bounds == (Bound("energy_j", "<=", pytest.approx(3.6e13)), Bound("mfu", ">=", 0.3),
                        Bound("power_w", "<=", 800.0))
    assert parse_spec(spec(constraints={"margins": []})).margins == ()


def test_units_converted_on_axes():
    s = parse_spec(spec(axes={"nu": {"low": "600 MHz", "high": "1.98GHz"},
                              "peak_flops": {"low": "500 TFLOP/s", "high": "2 PFLOP/s", "scale": "log", "count": 3},
                              "t_max": {"values": ["30 days", "1 year"]}}))
    nu, peak, t_max = s.axes
    assert nu.low == pytest.approx(6e8) and nu.high == pytest.approx(1.98e9)
    assert (peak.unit, peak.low, peak.high, peak.integer) == ("FLOP/s", 5e14, 2e15, False)
    assert t_max.values == (30 * 86400.0, 31557600.0) and t_max.unit == "s"


def test_values_axis_and_integer_override():
    s = parse_spec(spec(axes={"batch": {"values": [512, 1024, "2048"]},
                              "n_parallel": {"low": 512, "high": 4096, "integer": False}}))
    batch, n = s.axes
    assert batch.values == (512.0, 1024.0, 2048.0)
    assert n.integer is False


def test_model_params_and_presets():
    s = parse_spec(spec(model={"name": "llm_training", "hardware": "b200", "workload": "llama3.1-8b",
                               "params": {"pue": 1.3, "t_max": "90 days", "batch_law": "power"}}))
    assert s.presets == {"hardware": "b200", "workload": "llama3.1-8b"}
    assert s.overrides == {"pue": 1.3, "t_max": 7776000.0, "batch_law": "power"}
    assert s.params["pue"] == 1.3 and s.params["t_max"] == 7776000.0 and s.params["batch_law"] == "power"
    assert s.params["mem_capacity"] != parse_spec(copy.deepcopy(QUICKSTART)).params["mem_capacity"]


def test_other_model():
    s = parse_spec({"model": {"name": "seed000"},
                    "axes": {get_model("seed000").design_names[0]: {"low": 1, "high": 2}},
                    "objectives": {get_model("seed000").output_names[0]: "min"}})
    assert s.model.name == "seed000"


@pytest.mark.parametrize("kind", ["random", "sobol", "lhs"])
def test_samplers_with_samples(kind):
    s = parse_spec(spec(sampler={"kind": kind, "samples": 1000, "seed": 42}))
    assert (s.sampler, s.samples, s.seed) == (kind, 1000, 42)


def test_output_options():
    s = parse_spec(spec(output={"mode": "all", "dtype": "float64", "chunk_size": MAX_CHUNK, "path": "x/y.parquet"}))
    assert (s.mode, s.dtype, s.chunk_size, s.path) == ("all", "float64", MAX_CHUNK, Path("x/y.parquet"))
    assert parse_spec(spec(output={"mode": "feasible", "chunk_size": 1})).mode == "feasible"
    assert parse_spec(spec(objectives={"tokens_per_s": "max", "time_s": "min"})).objectives == (
        ("tokens_per_s", True), ("time_s", False))


def test_overrides():
    raw = spec(sampler={"kind": "random", "samples": 1000})
    s = parse_spec(copy.deepcopy(raw), path="elsewhere/out.parquet", samples=5)
    assert s.path == Path("elsewhere/out.parquet") and s.samples == 5
    s = load_spec(copy.deepcopy(raw), path="a.parquet", samples=7)
    assert s.path == Path("a.parquet") and s.samples == 7
    # the override is validated like the file's value
    with pytest.raises(ExplorerError, match="sampler.samples"):
        parse_spec(copy.deepcopy(raw), samples=0)
    with pytest.raises(ExplorerError, match="output.path"):
        parse_spec(copy.deepcopy(raw), path="out.csv")
    # samples for a random sampler may come from the override alone
    assert parse_spec(spec(sampler={"kind": "sobol"}), samples=64).samples == 64
    # grids have no sample count: --samples on one is an error, not silently ignored
    with pytest.raises(ExplorerError, match="--samples applies to the random, sobol and lhs samplers"):
        parse_spec(copy.deepcopy(QUICKSTART), samples=5)


def test_sizes_have_limits():
    axes = {"nu": {"low": "1 GHz", "high": "2 GHz", "count": 1 << 16},
            "batch": {"low": 256, "high": 8192, "count": 1 << 16},
            "temperature": {"low": 1e-3, "high": 1e-2, "count": 1 << 16},
            "n_parallel": {"low": 1024, "high": 4096, "count": 1 << 15}}
    with pytest.raises(ExplorerError, match="at most 2\\^62"):  # 2^63 grid points
        parse_spec(spec(axes=axes))
    with pytest.raises(ExplorerError, match="at most 2\\^62"):
        parse_spec(spec(sampler={"kind": "random", "samples": 1 << 63}))
    with pytest.raises(ExplorerError, match="axes.nu.count must be at most 16,777,216"):
        parse_spec(spec(axes={"nu": {"low": "1 GHz", "high": "2 GHz", "count": 10**9}}))
    assert parse_spec(spec(sampler={"kind": "random", "samples": 10**15})).samples == 10**15  # big, not too big


def test_load_file_with_overrides(tmp_path):
    file = tmp_path / "q.toml"
    file.write_text(QUICKSTART_TOML.replace('kind = "grid"', 'kind = "lhs"\nsamples = 100'))
    s = load_spec(file, path="p.parquet", samples=50)
    assert s.sampler == "lhs" and s.samples == 50 and s.path == Path("p.parquet")


# --- every error ----------------------------------------------------------------------------------

def _axis(name, **fields):
    return lambda r: r["axes"].__setitem__(name, fields)


ERRORS = [
    # multiple_of: a positive integer step on a range that holds one
    ("multiple_of zero", lambda r: r["axes"]["n_parallel"].update(multiple_of=0), ["axes.n_parallel.multiple_of"]),
    ("multiple_of with values", lambda r: r["axes"].update(n_parallel={"values": [64, 128], "multiple_of": 32}),
     ["axes.n_parallel", "multiple_of"]),
    ("no multiple in range", lambda r: r["axes"].update(n_parallel={"low": 40, "high": 60, "multiple_of": 64}),
     ["axes.n_parallel", "multiple of 64"]),
    # unknown keys
    ("top-level", lambda r: r.update(plot={}), ["plot"]),
    ("model key", lambda r: r["model"].update(gpu="h100"), ["model.gpu"]),
    ("sampler key", lambda r: r["sampler"].update(method="x"), ["sampler.method"]),
    ("constraints key", lambda r: r["constraints"].update(margin="all"), ["constraints.margin"]),
    ("output key", lambda r: r["output"].update(format="csv"), ["output.format"]),
    ("axis key", lambda r: r["axes"]["nu"].update(step=2), ["axes.nu.step"]),
    # wrong types
    ("axes not a table", lambda r: r.update(axes=["nu"]), ["axes"]),
    ("axis not a table", lambda r: r["axes"].update(nu=5), ["axes.nu"]),
    ("model not a table", lambda r: r.update(model="llm_training"), ["model"]),
    ("sampler not a table", lambda r: r.update(sampler="grid"), ["sampler"]),
    ("output not a table", lambda r: r.update(output=["x"]), ["output"]),
    ("constraints not a table", lambda r: r.update(constraints=1), ["constraints"]),
    ("params not a table", lambda r: r["model"].update(params=["pue"]), ["model.params"]),
    ("hardware not a name", lambda r: r["model"].update(hardware=5), ["model.hardware"]),
    ("count str", lambda r: r["axes"]["nu"].update(count="64"), ["axes.nu.count"]),
    ("count float", lambda r: r["axes"]["nu"].update(count=2.5), ["axes.nu.count"]),
    ("count bool", lambda r: r["axes"]["nu"].update(count=True), ["axes.nu.count"]),
    ("count zero", lambda r: r["axes"]["nu"].update(count=0), ["axes.nu.count"]),
    ("samples str", lambda r: r.update(sampler={"kind": "random", "samples": "many"}), ["sampler.samples"]),
    ("samples float", lambda r: r.update(sampler={"kind": "random", "samples": 1e3}), ["sampler.samples"]),
    ("samples zero", lambda r: r.update(sampler={"kind": "lhs", "samples": 0}), ["sampler.samples"]),
    ("seed negative", lambda r: r["sampler"].update(seed=-1), ["sampler.seed"]),
    ("seed str", lambda r: r["sampler"].update(seed="x"), ["sampler.seed"]),
    ("seed bool", lambda r: r["sampler"].update(seed=True), ["sampler.seed"]),
    ("margins type", lambda r: r["constraints"].update(margins="memory_margin"), ["constraints.margins"]),
    ("bounds type", lambda r: r["constraints"].update(bounds="time_s <= 3"), ["constraints.bounds"]),
    ("direction type", lambda r: r["objectives"].update(time_s=1), ["objectives.time_s"]),
    # ranges
    ("inverted range", _axis("nu", low="1.9 GHz", high="1 GHz"), ["axes.nu"]),
    ("empty range", _axis("batch", low=256, high=256), ["axes.batch"]),
    ("log low zero", _axis("batch", low=0, high=1024, scale="log"), ["axes.batch"]),
    ("log low negative", _axis("temperature", low=-1e-3, high=1e-2, scale="log"), ["axes.temperature"]),
    ("no integer in range", _axis("n_parallel", low=8.2, high=8.7), ["axes.n_parallel"]),
    ("missing high", _axis("nu", low="1 GHz"), ["axes.nu"]),
    ("bad scale", _axis("nu", low=1e9, high=2e9, scale="cubic"), ["axes.nu.scale"]),
    ("empty values", _axis("batch", values=[]), ["axes.batch.values"]),
    ("values not a list", _axis("batch", values=512), ["axes.batch.values"]),
    ("values not numbers", _axis("batch", values=[512, "lots"]), ["axes.batch.values"]),
    # names
    ("unknown axis", lambda r: r["axes"].update(gpu_count={"low": 1, "high": 2}), ["gpu_count"]),
    ("choice axis", lambda r: r["axes"].update(batch_law={"values": [1, 2]}), ["batch_law"]),
    ("unknown hardware", lambda r: r["model"].update(hardware="h99"), ["h99", "hardware"]),
    ("unknown workload", lambda r: r["model"].update(workload="gpt9"), ["gpt9", "workload"]),
    ("unknown model", lambda r: r["model"].update(name="gpt5"), ["gpt5", "model"]),
    ("unknown param", lambda r: r["model"].update(params={"warp_factor": 9}), ["warp_factor"]),
    ("bad choice", lambda r: r["model"].update(params={"batch_law": "linear"}), ["batch_law", "linear"]),
    ("param unit", lambda r: r["model"].update(params={"pue": "3 W"}), ["model.params.pue"]),
    ("unknown objective", lambda r: r["objectives"].update(happiness="max"), ["happiness"]),
    ("direction", lambda r: r["objectives"].update(time_s="minimize"), ["objectives.time_s", "minimize"]),
    ("no objectives", lambda r: r.pop("objectives"), ["objectives"]),
    ("empty objectives", lambda r: r.update(objectives={}), ["objectives"]),
    ("objectives not a table", lambda r: r.update(objectives=["time_s"]), ["objectives"]),
    ("no axes", lambda r: r.pop("axes"), ["axes"]),
    ("empty axes", lambda r: r.update(axes={}), ["axes"]),
    ("margin not a margin", lambda r: r["constraints"].update(margins=["memory_margin", "time_s"]),
     ["constraints.margins", "time_s"]),
    ("unknown margin", lambda r: r["constraints"].update(margins=["fun_margin"]), ["constraints.margins", "fun_margin"]),
    # bounds
    ("bound <", lambda r: r["constraints"].update(bounds=["time_s < 90 days"]), ["constraints.bounds"]),
    ("bound reversed", lambda r: r["constraints"].update(bounds=["90 days >= time_s"]), ["constraints.bounds"]),
    ("bound empty value", lambda r: r["constraints"].update(bounds=["time_s <= "]), ["constraints.bounds"]),
    ("bound not a string", lambda r: r["constraints"].update(bounds=[5]), ["constraints.bounds"]),
    ("bound unknown output", lambda r: r["constraints"].update(bounds=["happiness >= 1"]), ["happiness"]),
    ("bound unit", lambda r: r["constraints"].update(bounds=["time_s <= 3 parsecs"]),
     ["constraints.bounds", "time_s", "parsecs"]),
    ("bound not a number", lambda r: r["constraints"].update(bounds=["time_s <= soon"]),
     ["constraints.bounds", "soon"]),
    # units on axes
    ("axis low unit", _axis("nu", low="3 parsecs", high="2 GHz"), ["axes.nu.low", "parsecs"]),
    ("axis high unit", _axis("nu", low="1 GHz", high="1.5 GW"), ["axes.nu.high", "GW"]),
    ("axis values unit", _axis("nu", values=["1 GHz", "3 parsecs"]), ["axes.nu.values", "parsecs"]),
    # sampler
    ("unknown sampler", lambda r: r.update(sampler={"kind": "halton"}), ["sampler.kind", "halton"]),
    ("random without samples", lambda r: r.update(sampler={"kind": "random"}), ["sampler.samples"]),
    ("sobol without samples", lambda r: r.update(sampler={"kind": "sobol"}), ["sampler.samples"]),
    ("lhs without samples", lambda r: r.update(sampler={"kind": "lhs", "seed": 3}), ["sampler.samples"]),
    # output
    ("bad mode", lambda r: r["output"].update(mode="pareto"), ["output.mode", "pareto"]),
    ("bad dtype", lambda r: r["output"].update(dtype="float16"), ["output.dtype", "float16"]),
    ("chunk zero", lambda r: r["output"].update(chunk_size=0), ["output.chunk_size"]),
    ("chunk too big", lambda r: r["output"].update(chunk_size=MAX_CHUNK + 1), ["output.chunk_size"]),
    ("chunk str", lambda r: r["output"].update(chunk_size="1M"), ["output.chunk_size"]),
    ("path csv", lambda r: r["output"].update(path="out.csv"), ["output.path", "out.csv"]),
    ("path no suffix", lambda r: r["output"].update(path="data/results/quickstart"), ["output.path"]),
    ("path not a string", lambda r: r["output"].update(path=5), ["output.path"]),
    # domains
    ("pue axis through 0", lambda r: r["axes"].update(pue={"values": [0, 1.1]}), ["axes.pue", "pue = 0", "≥ 1"]),
    ("efficiency axis above 1", lambda r: r["axes"].update(gemm_efficiency={"low": 0.5, "high": 1.5}),
     ["axes.gemm_efficiency.high", "gemm_efficiency = 1.5"]),
    ("clock axis from 0", lambda r: r["axes"].update(nu={"low": 0, "high": "2 GHz"}), ["axes.nu.low", "nu = 0 Hz", "> 0"]),
    ("override out of domain", lambda r: r["model"].update(params={"pue": -1.2}), ["model.params", "pue = -1.2"]),
    # distributed
    ("bad backend", lambda r: r.update(distributed={"backend": "mpi"}), ["distributed.backend", "mpi"]),
    ("unknown distributed key", lambda r: r.update(distributed={"workers": 2}), ["distributed.workers"]),
    ("tasks zero", lambda r: r.update(distributed={"tasks": 0}), ["distributed.tasks"]),
    ("num_cpus float", lambda r: r.update(distributed={"num_cpus": 1.5}), ["distributed.num_cpus"]),
    ("num_gpus negative", lambda r: r.update(distributed={"num_gpus": -1}), ["distributed.num_gpus"]),
    ("address not a string", lambda r: r.update(distributed={"address": 6379}), ["distributed.address"]),
]


def assert_one_line_naming(err, names):
    message = str(err.value)
    assert message and "\n" not in message and "\r" not in message, message
    for name in names:
        assert name in message, f"{name!r} not in {message!r}"


@pytest.mark.parametrize("label,edit,names", ERRORS, ids=[e[0] if isinstance(e, tuple) else e.id
                                                          for e in ERRORS])
def test_errors(label, edit, names):
    with pytest.raises(ExplorerError) as err:
        parse_spec(edited(edit))
    assert_one_line_naming(err, names)


def test_distributed_table_is_kept_and_left_out_of_what_the_run_is():
    raw = edited(lambda r: r.update(distributed={"backend": "ray", "tasks": 8, "num_gpus": 0.5}))
    assert parse_spec(raw).distributed == {"backend": "ray", "tasks": 8, "num_gpus": 0.5}
    assert parse_spec(copy.deepcopy(QUICKSTART)).distributed == {}


def test_error_names_origin_for_unknown_top_key():
    with pytest.raises(ExplorerError) as err:
        parse_spec(spec(plot={}), "sweeps/mine.toml")
    assert_one_line_naming(err, ["plot", "sweeps/mine.toml"])


def test_load_spec_missing_file(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ExplorerError) as err:
        load_spec(missing)
    assert_one_line_naming(err, [str(missing)])
    with pytest.raises(ExplorerError) as err:
        load_spec(tmp_path)  # a directory
    assert_one_line_naming(err, [str(tmp_path)])


@pytest.mark.parametrize("text", ["[model\nname = 'x'", "axes = {", "[axes]\nnu = { low = 1, low = 2 }",
                                  "a = 1\na = 2", "x = \"unterminated\n"])
def test_load_spec_invalid_toml(tmp_path, text):
    file = tmp_path / "bad.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ExplorerError) as err:
        load_spec(file)
    assert_one_line_naming(err, [str(file), "TOML"])


def test_load_spec_errors_name_the_file(tmp_path):
    file = tmp_path / "typo.toml"
    file.write_text(QUICKSTART_TOML.replace("[sampler]", "[sampler]\nknid = 'grid'").replace(
        "[output]", "[outptu]\nx = 1\n[output]"))
    with pytest.raises(ExplorerError) as err:
        load_spec(file)
    assert_one_line_naming(err, ["outptu", str(file)])


# --- regressions of bugs found by these tests -----------------------------------------------------------------------------------------

def test_load_spec_not_utf8(tmp_path):
    file = tmp_path / "latin1.toml"
    file.write_bytes('[model]\nname = "caf\u00e9"\n'.encode("latin-1"))
    with pytest.raises(ExplorerError) as err:
        load_spec(file)
    assert_one_line_naming(err, [str(file)])


def test_bound_unknown_output_names_constraints_bounds():
    with pytest.raises(ExplorerError) as err:
        parse_spec(spec(constraints={"bounds": ["happiness >= 1"]}))
    assert_one_line_naming(err, ["constraints.bounds", "happiness"])


@pytest.mark.parametrize("fields", [{"low": 1e9, "high": float("inf")}, {"values": [1e9, float("nan")]},
                                    {"values": [float("inf")]}], ids=["high-inf", "values-nan", "values-inf"])
def test_non_finite_axis_rejected(fields):
    with pytest.raises(ExplorerError) as err:
        parse_spec(spec(axes={"nu": fields}))
    assert_one_line_naming(err, ["axes.nu"])


def test_axis_integer_must_be_bool():
    with pytest.raises(ExplorerError) as err:
        parse_spec(spec(axes={"nu": {"low": 1e9, "high": 2e9, "integer": "false"}}))
    assert_one_line_naming(err, ["axes.nu.integer"])


def test_integer_axis_negative_range_without_integer():
    with pytest.raises(ExplorerError) as err:
        parse_spec(spec(axes={"recompute": {"low": -0.7, "high": -0.2, "integer": True}}))
    assert_one_line_naming(err, ["axes.recompute"])


def test_integer_values_axis():
    try:
        s = parse_spec(spec(axes={"n_parallel": {"values": [100.5, 200]}}))
    except ExplorerError as err:
        assert "axes.n_parallel" in str(err)
        return
    (axis,) = s.axes
    assert axis.integer
    assert all(v == round(v) for v in axis.grid_values())


def test_unknown_key_with_newline_one_line():
    with pytest.raises(ExplorerError) as err:
        parse_spec(spec(output={"a\nb": 1}))
    assert "\n" not in str(err.value)


def test_multiple_of_rounds_a_device_axis_to_the_layout():
    raw = spec()
    raw["axes"]["n_parallel"] = {"low": 500, "high": 70000, "scale": "log", "count": 50, "multiple_of": 128}
    (axis,) = [a for a in parse_spec(raw).axes if a.name == "n_parallel"]
    assert axis.integer and axis.multiple_of == 128.0
    grid = axis.grid_values()
    assert np.all(grid % 128 == 0) and grid[0] == 512 and grid[-1] == 69888  # ⌈500/128⌉·128, ⌊70000/128⌋·128
