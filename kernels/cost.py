"""Combined optimisation: seed 000 §6 (total cost and the practical operating points)."""

from .batch import batch_opt
from .energy import nu_efficient, nu_max_thermal
from .parallel import critical_batch
from .quality import temperature_opt


def total_cost(w_time, t_train, w_energy, energy, w_quality, loss_gap):
    """Seed 000 §6.1: C_total = w_time·t_train + w_energy·E_total + w_quality·(L* − L_min).

    Args:
      w_time: weight of time, cost/s.
      t_train: training time, s.
      w_energy: weight of energy, cost/J.
      energy: energy, J.
      w_quality: weight of quality, cost/nat.
      loss_gap: L* − L_min, nats.

    Returns:
      Cost, the weights' cost unit.
    """
    return w_time * t_train + w_energy * energy + w_quality * loss_gap


def operating_points(alpha, t_kelvin, thermal_limit, b_max, gamma_comm, n_parallel,
                     delta_l, t_min, t_available, compute_budget):
    """Seed 000 §6.3: the speed-, efficiency- and quality-optimised (ν₀, B, T).

    - speed: ν₀ = ν₀_max, B = B_max, T = ΔL/log(ν₀_max·t_min)
    - efficiency: ν₀ = ν₀_efficient, B = B_crit, T = ΔL/log(ν₀_efficient·t_available)
    - quality: ν₀ = ν₀_efficient, B = B_opt, T = T_opt/2 with
      T_opt = ΔL/log(ν₀_efficient·t_available) and B_opt taken at that T.

    Args:
      alpha: dynamic energy coefficient α, J·s².
      t_kelvin: temperature, K.
      thermal_limit: seed 000's T_max, J per operation (see ``nu_max_thermal``).
      b_max: largest batch, samples.
      gamma_comm: communication overhead γ of §5, 1.
      n_parallel: devices, 1.
      delta_l: loss barrier ΔL, nats.
      t_min: shortest time considered (speed point), s.
      t_available: time available, s.
      compute_budget: compute budget C of §2.4.

    Returns:
      {"speed" | "efficiency" | "quality": {"nu": Hz, "batch": samples, "temperature": nats}}.
    """
    nu_fast = nu_max_thermal(thermal_limit, alpha)
    nu_eff = nu_efficient(alpha, t_kelvin)
    t_opt = temperature_opt(delta_l, nu_eff, t_available)
    t_quality = t_opt / 2.0
    return {
        "speed": {"nu": nu_fast, "batch": b_max,
                  "temperature": temperature_opt(delta_l, nu_fast, t_min)},
        "efficiency": {"nu": nu_eff, "batch": critical_batch(gamma_comm, n_parallel),
                       "temperature": t_opt},
        "quality": {"nu": nu_eff, "batch": batch_opt(compute_budget, nu_eff, delta_l, t_quality, b_max),
                    "temperature": t_quality},
    }
