"""The rates of earlier sweeps: stored, recalled, and turned into a duration a person reads."""

import pytest

from explorer import rate_memory


def test_a_rate_is_recalled_by_its_key_and_the_last_one_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert rate_memory.recall("llm_training|grid|frontier|cpu") is None
    rate_memory.remember("llm_training|grid|frontier|cpu", 1.5e7)
    rate_memory.remember("llm_training|grid|frontier|cpu", 2.0e7)
    rate_memory.remember("seed000|grid|all|cpu", 3.0e6)
    assert rate_memory.recall("llm_training|grid|frontier|cpu") == 2.0e7
    assert rate_memory.recall("seed000|grid|all|cpu") == 3.0e6
    (tmp_path / "explorer" / "rates.json").write_text("[not, json")
    assert rate_memory.recall("seed000|grid|all|cpu") is None  # a damaged file is no error
    rate_memory.remember("seed000|grid|all|cpu", 1.0)
    assert rate_memory.recall("seed000|grid|all|cpu") == 1.0


@pytest.mark.parametrize("seconds,text", [(40, "40 s"), (600, "10 min"), (3 * 3600, "3.0 h"),
                                          (5 * 86400, "5.0 days"), (3 * 365.25 * 86400, "3.0 years")])
def test_durations_read_in_the_units_people_use(seconds, text):
    assert rate_memory.duration(seconds) == text
