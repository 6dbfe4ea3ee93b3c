"""llm_training's data accounting: the Chinchilla curve and the noise-scale integral along it."""

import pytest
from scipy.integrate import quad

from explorer.models.llm_training_data import chinchilla_loss, noise_scale_data_ratio

P = {"n_params": 1e9, "tokens": 1e12, "loss_e": 1.69, "loss_a": 406.4, "loss_b": 410.7, "loss_alpha": 0.34,
     "loss_beta": 0.28, "noise_scale_b_star": 2e8, "noise_scale_alpha": 0.21, "batch_ref": 1000.0, "seq_len": 1000.0}


def test_chinchilla_loss_by_hand():
    # E + A/N^α + B/D^β with N = D = 1: 1 + 2 + 3
    assert float(chinchilla_loss(1.0, 1.0, 1.0, 2.0, 3.0, 0.34, 0.28)) == pytest.approx(6.0)


@pytest.mark.parametrize("start, end", [(0.0, 1.0), (0.0, 0.1), (0.3, 0.7)])
def test_the_integral_matches_scipy_quad(start, end):
    def integrand(u):
        b_noise = 2e8 / (1.69 + 406.4 / 1e9**0.34 + 410.7 / (u * 1e12) ** 0.28) ** (1 / 0.21)
        return (1 + 4e6 / b_noise) / (1 + 1e6 / b_noise)

    ratio = noise_scale_data_ratio(4e6, {**P, "progress_start": start, "progress_end": end})
    assert float(ratio) == pytest.approx(quad(integrand, start, end, limit=200)[0], rel=1e-5)
