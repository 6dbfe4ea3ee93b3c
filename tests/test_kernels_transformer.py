"""Tests for kernels.transformer: FLOPs per token (Narayanan et al. 2021), activation bytes
(Korthikanti et al. 2022 Table 2) and ZeRO state.

Expected values are worked by hand (arithmetic in comments) or from the papers' own formulas.
"""

import pytest

from explorer.kernels import transformer as ktr
from kernel_checks import approx, catalogue_test


@pytest.mark.parametrize("recompute,expected", [
    (0.0, 6e9 + 1.2e8),  # 6N + 12·l·h·s = 6e9 + 12·10·1000·1000
    (1.0, 6e9 + 1.2e8 + 4e7),  # + attention forward 4·l·h·s
    (2.0, 8e9 + 1.6e8),  # + a whole forward 2N + 4lhs
])
def test_flops_per_token_hand_values(recompute, expected):
    assert float(ktr.flops_per_token(1e9, 10.0, 1000.0, 1000.0, recompute)) == approx(expected)


def test_full_recompute_matches_narayanan_equation_3():
    # Narayanan et al. 2021 eq. 3 per token, without the logit term (V = 0): 96·l·h²·(1 + s/(6h)),
    # with the 12·l·h² parameters of a GPT layer
    l, h, s = 96.0, 12288.0, 2048.0
    n = 12 * l * h * h
    narayanan = 96 * l * h * h * (1 + s / (6 * h))
    assert float(ktr.flops_per_token(n, l, h, s, 2.0)) == approx(narayanan, rel=1e-6)


@pytest.mark.parametrize("sp,flash,recompute,expected", [
    (0.0, 0.0, 0.0, 1000 * (10 + 24 / 4) + 5 * 10 * 1000 / 4),  # h(10 + 24/t) + 5as/t = 28,500
    (1.0, 0.0, 0.0, (34 * 1000 + 5 * 10 * 1000) / 4),  # sequence parallel: (34h + 5as)/t = 21,000
    (1.0, 0.0, 1.0, 34 * 1000 / 4),  # selective drops the scores: 8,500
    (1.0, 1.0, 0.0, 34 * 1000 / 4),  # flash attention never stores them
    (0.0, 0.0, 2.0, 2 * 1000),  # full recompute keeps the layer input: 2h
    (1.0, 0.0, 2.0, 2 * 1000 / 4),  # ... split over t with sequence parallelism
])
def test_activation_bytes_korthikanti_table_2(sp, flash, recompute, expected):
    got = float(ktr.activation_bytes_per_token_layer(1000.0, 10.0, 1000.0, 4.0, sp, flash, recompute))
    assert got == approx(expected)


def test_elementwise_traffic_is_four_passes_over_the_activations():
    stored = float(ktr.activation_bytes_per_token_layer(1000.0, 10.0, 1000.0, 4.0, 1.0, 0.0, 0.0))
    assert float(ktr.elementwise_bytes_per_token_layer(1000.0, 10.0, 1000.0, 4.0, 1.0, 0.0)) == approx(4 * stored)


@pytest.mark.parametrize("stage,expected", [
    (0.0, 16 * 2.5e8),  # 2 + 2 + 12 bytes on N/(tp·pp) = 2.5e8 parameters
    (1.0, (2 + 2 + 12 / 4) * 2.5e8),  # optimiser state over dp = 4
    (2.0, (2 + 2 / 4 + 12 / 4) * 2.5e8),  # and gradients
    (3.0, (2 / 4 + 2 / 4 + 12 / 4) * 2.5e8),  # and weights (FSDP)
])
def test_zero_state_hand_values(stage, expected):
    assert float(ktr.state_bytes_per_device(1e9, 2.0, 2.0, 4.0, stage)) == approx(expected)


test_catalogue = catalogue_test([
    pytest.param(lambda n: ktr.flops_per_token(n, 80.0, 8192.0, 8192.0, 1.0), (7e10,), (0,), id="flops"),
    pytest.param(lambda h: ktr.activation_bytes_per_token_layer(h, 64.0, 8192.0, 8.0, 1.0, 1.0, 1.0), (8192.0,),
                 (0,), id="activations"),
    pytest.param(lambda h: ktr.elementwise_bytes_per_token_layer(h, 64.0, 8192.0, 8.0, 1.0, 0.0), (8192.0,),
                 (0,), id="elementwise"),
    pytest.param(lambda n: ktr.state_bytes_per_device(n, 8.0, 4.0, 16.0, 1.0), (7e10,), (0,), id="state"),
], scales=[0.5, 1.0, 2.0])
