"""The calibrated error band: leave-one-out errors summarised per device, cached by input digest."""

import math

import numpy as np
import pytest

import explorer.calibration as calibration_module
from explorer import error_band as eb


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def test_band_summarises_the_devices_leave_one_out_errors(cache):
    table = calibration_module.calibrate().table
    a100 = table[table.hardware == "a100-sxm-80gb"]
    band = eb.error_band("a100-sxm-80gb")
    assert band.runs == len(a100) >= 12
    assert band.mean == pytest.approx(np.mean(np.abs(a100.loo_error)), rel=1e-9)
    assert band.largest == pytest.approx(np.max(np.abs(a100.loo_error)), rel=1e-9)
    published_energy = a100.energy_error.notna()
    assert band.energy_runs == int(published_energy.sum())
    assert band.energy_mean == pytest.approx(np.mean(np.abs(a100.energy_error[published_energy])), rel=1e-9)


def test_a_device_with_no_published_run_gets_the_band_of_every_run_and_says_so(cache):
    everything = eb.loo_table()
    band = eb.error_band("b200")
    assert band.runs == 0 and band.largest == pytest.approx(np.max(np.abs(everything.loo_error)))
    assert "b200 has no published run" in eb.band_sentence(band)


def test_the_table_is_cached_and_recomputed_when_an_input_changes(cache, monkeypatch):
    first = eb.loo_table()
    assert len(list((cache / "explorer").glob("calibration-llm_training-*.json"))) == 1

    def no_calibration(*_args, **_kwargs):
        raise AssertionError("calibrated again although nothing changed")

    monkeypatch.setattr(calibration_module, "calibrate", no_calibration)
    np.testing.assert_allclose(eb.loo_table().loo_error, first.loo_error)  # read from the cache
    monkeypatch.setattr(eb, "_inputs_digest", lambda model: "another-digest")  # e.g. an edited preset
    with pytest.raises(AssertionError, match="calibrated again"):
        eb.loo_table()


def test_sentences_worked_by_hand():
    band = eb.ErrorBand("a100-sxm-80gb", 30, 0.0634, 0.175, 1, 0.115)
    assert eb.band_sentence(band) == ("model error on a100-sxm-80gb: ±6.3% mean, ±17.5% at most in step time or "
                                      "device-hours (leave-one-out over 30 published runs); energy ±12% (1 run); "
                                      "see explorer calibrate")
    lone = eb.ErrorBand("v100", 1, 0.06, 0.06, 0, math.nan)
    assert "over 1 published run)" in eb.band_sentence(lone) and "energy" not in eb.band_sentence(lone)
    assert eb.band_line("seed000", "h100-sxm") == ""  # a model no published run calibrates
