"""``llm_training``'s data accounting: the Chinchilla loss curve and the tokens a batch needs
along it (docs/model.md §6)."""

import jax.numpy as jnp
import numpy as np

from explorer.kernels import batch as kb


def chinchilla_loss(n_params, tokens, e, a, b, alpha, beta):
    """Hoffmann et al. 2022 eq. 2: L(N, D) = E + A/N^α + B/D^β, nats/token."""
    return e + a / n_params**alpha + b / tokens**beta


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(12)  # Gauss–Legendre on [−1, 1]


def noise_scale_data_ratio(tokens_per_step, p):
    """Tokens needed per recipe token over the recipe's share [progress_start, progress_end):
    McCandlish's 1 + B/B_noise relative to the recipe's batch, with Kaplan's B_noise(L) =
    B*/L^(1/α_B) along the Chinchilla loss curve L(N, u·D), integrated over the share u."""
    def trailing(x):
        return jnp.expand_dims(jnp.asarray(x), -1)

    # nodes in w = u^(1/3): near u = 0 the loss falls as u^(−β), and in w the integrand is smooth
    start, end = trailing(p["progress_start"]) ** (1.0 / 3.0), trailing(p["progress_end"]) ** (1.0 / 3.0)
    half = 0.5 * (end - start)
    nodes, weights = (jnp.asarray(x, half.dtype) for x in (_NODES, _WEIGHTS))  # the run's float width
    w = start + half * (1.0 + nodes)
    u = w**3
    loss = chinchilla_loss(trailing(p["n_params"]), trailing(p["tokens"]) * u, *map(trailing, (
        p["loss_e"], p["loss_a"], p["loss_b"], p["loss_alpha"], p["loss_beta"])))
    b_noise = trailing(p["noise_scale_b_star"]) / loss ** (1.0 / trailing(p["noise_scale_alpha"]))
    return kb.noise_scale_data_ratio(tokens_per_step, p["batch_ref"] * p["seq_len"], b_noise, half * weights * 3.0 * w**2)
