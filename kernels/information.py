"""Landauer's bound and practical energy: seed 004 "Theoretical Bounds"."""

from .constants import K_B, LN2


def landauer_bit_energy(t_kelvin):
    """Landauer's limit k_B·T·ln2 (seed 004, seed 000 §1.1's first term).

    Args:
      t_kelvin: temperature, K.

    Returns:
      Minimum energy to erase one bit, J (2.871e-21 J at 300 K).
    """
    return K_B * t_kelvin * LN2


def landauer_minimum_energy(t_kelvin, n_params, h_data_bits):
    """Seed 004: E_min = k_B·T·ln2·N_params·H_data.

    Args:
      t_kelvin: temperature, K.
      n_params: number of model parameters, 1.
      h_data_bits: entropy of the training data, bits.

    Returns:
      Energy, J.
    """
    return landauer_bit_energy(t_kelvin) * n_params * h_data_bits


def practical_energy(efficiency_factor, e_min):
    """Seed 004: E_practical = η·E_min (η typically 1e6–1e9 today).

    Args:
      efficiency_factor: practical efficiency factor η, 1.
      e_min: Landauer minimum energy, J.

    Returns:
      Energy, J.
    """
    return efficiency_factor * e_min


def landauer_ratio(energy, t_kelvin, n_params, h_data_bits):
    """Seed 004's η read backwards: energy / (k_B·T·ln2·N_params·H_data).

    Args:
      energy: energy actually spent, J.
      t_kelvin: temperature, K.
      n_params: number of model parameters, 1.
      h_data_bits: entropy of the training data, bits.

    Returns:
      How many times the Landauer minimum was spent, 1.
    """
    return energy / landauer_minimum_energy(t_kelvin, n_params, h_data_bits)
