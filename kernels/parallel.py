"""Parallelism against communication: seed 000 §5, seed 003 "Workload Distribution"."""

from ._safe import as_float, safe_log, x_log_x


def parallel_speedup(n_parallel, gamma):
    """Seed 000 §5.1: S(N) = N / (1 + γ·N·log N), natural log; S(1) = 1.

    Args:
      n_parallel: number of devices N (real-valued allowed for relaxation), 1.
      gamma: communication overhead γ, 1.

    Returns:
      Speed-up over one device, 1.
    """
    n_parallel = as_float(n_parallel)
    return n_parallel / (1.0 + gamma * x_log_x(n_parallel))


def critical_batch(gamma, n_parallel):
    """Seed 000 §5.2: B_crit = 1 / (γ·log N_parallel).

    Infinite at N = 1 (no communication to amortise); finite and
    differentiable for N > 1.

    Args:
      gamma: communication overhead γ, 1.
      n_parallel: number of devices, 1.

    Returns:
      Batch size, samples.
    """
    return 1.0 / (gamma * safe_log(n_parallel, tiny=1.0))


def comm_compute_ratio(beta, d_mem, n_comm, alpha, nu, n_compute):
    """Seed 000 §5.3: CCR = (β·d_mem·N_comm) / (α·ν₀²·N_compute).

    Args:
      beta: energy per access per unit distance, J/m.
      d_mem: communication distance, m.
      n_comm: values communicated, 1.
      alpha: dynamic energy coefficient, J·s².
      nu: clock frequency, Hz.
      n_compute: operations, FLOP.

    Returns:
      Communication energy over computation energy, 1.
    """
    return beta * d_mem * n_comm / (alpha * nu**2 * n_compute)


def workload_share(w_total, p_i, p_total, alpha):
    """Seed 003 Workload Distribution: W_i = W_total·(P_i/P_total)^α.

    Args:
      w_total: total work, any unit.
      p_i: power (capability) of unit i, W.
      p_total: total power, W.
      alpha: distribution exponent α, 1.

    Returns:
      Work given to unit i, unit of w_total.
    """
    return w_total * (p_i / p_total) ** alpha
