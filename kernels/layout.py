"""Parallel layout: collective times, the pipeline bubble and point-to-point sends
(DESIGN.md §model 3; Narayanan et al. 2021, "Efficient Large-Scale Language Model Training
on GPU Clusters Using Megatron-LM", SC'21, §2–3).

A layout splits N devices into tensor parallel ``tp`` (inside a node), pipeline parallel
``pp`` and data parallel ``dp = N/(tp·pp)``. Bandwidths are per device and one way, in
B/s, as achieved by the collective library (datasheet rate × its efficiency). Every
argument broadcasts; every function is pure ``jax.numpy``.
"""

import jax.numpy as jnp


def ring_allreduce_time(message_bytes, n_ranks, bandwidth):
    """Ring all-reduce (Patarasuk & Yuan 2009): 2·(n−1)/n · bytes / bandwidth, s.

    A reduce-scatter followed by an all-gather moves the same bytes, so this is also the
    time of ZeRO's gradient reduce-scatter plus parameter all-gather.

    Args:
      message_bytes: bytes each rank contributes, B.
      n_ranks: ranks in the ring, 1 (no time for one rank).
      bandwidth: per-rank bandwidth, B/s.

    Returns:
      Time, s.
    """
    return 2.0 * (n_ranks - 1.0) / n_ranks * message_bytes / bandwidth


def hierarchical_allreduce_time(message_bytes, n_ranks, ranks_per_node, bw_intra, bw_inter):
    """Two-level all-reduce: reduce-scatter and all-gather inside a node, ring across nodes, s.

    With k = min(ranks_per_node, n) ranks of the group in one node, each node first
    reduce-scatters over its k ranks (NVLink), every rank then all-reduces its 1/k share
    with its peers in the other n/k nodes over its own NIC (rail-optimised fabric), and
    the node all-gathers the result:

    .. math:: t = 2\\frac{k-1}{k}\\frac{M}{b_{intra}} + 2\\frac{n/k-1}{n/k}\\frac{M/k}{b_{inter}}

    With k = 1 this is the flat ring over the scale-out links.

    Args:
      message_bytes: bytes per rank M, B.
      n_ranks: ranks in the data-parallel group n, 1.
      ranks_per_node: ranks of this group that share a node k, 1.
      bw_intra: per-rank intra-node bandwidth, B/s.
      bw_inter: per-rank scale-out bandwidth, B/s.

    Returns:
      Time, s.
    """
    k = jnp.clip(ranks_per_node, 1.0, n_ranks)
    nodes = n_ranks / k
    return (ring_allreduce_time(message_bytes, k, bw_intra)
            + ring_allreduce_time(message_bytes / k, nodes, bw_inter))


def tensor_parallel_time(tokens, d_model, layers, tp, allreduces_per_layer, bandwidth, bytes_per_value=2.0):
    """Megatron tensor parallelism: all-reduces of the activations, per micro-batch, s.

    Each layer all-reduces its b·s·h activations twice in the forward pass and twice in
    the backward (Narayanan et al. 2021 §2.3); a recomputed forward pass adds two more.
    Sequence parallelism replaces each all-reduce by an all-gather and a reduce-scatter of
    the same total volume (Korthikanti et al. 2022 §4.2.2), so the time is the same.

    Args:
      tokens: tokens in the micro-batch b·s, tokens.
      d_model: hidden size h, 1.
      layers: layers this device holds (n_layers/pp), 1.
      tp: tensor-parallel degree, 1 (no time for tp = 1).
      allreduces_per_layer: 4, or 6 with full recompute, 1.
      bandwidth: per-device intra-node bandwidth, B/s.
      bytes_per_value: activation precision, B (2 for bf16).

    Returns:
      Time, s.
    """
    message = bytes_per_value * tokens * d_model
    return layers * allreduces_per_layer * ring_allreduce_time(message, tp, bandwidth)


def pipeline_bubble_fraction(pp, microbatches, interleave):
    """Share of a step the pipeline idles: (p−1)/(v·m + p − 1) (Narayanan et al. 2021 §2.2).

    The 1F1B schedule idles (p−1)·t_mb per step against m·t_mb of work; interleaving v
    model chunks per device divides the idle time by v. With v = 1 this is the seed's
    (p−1)/(m+p−1).

    Args:
      pp: pipeline stages p, 1.
      microbatches: micro-batches per step m, 1.
      interleave: model chunks per device v, 1.

    Returns:
      Fraction of the step, 1.
    """
    return (pp - 1.0) / (interleave * microbatches + pp - 1.0)


def pipeline_send_time(tokens, d_model, tp, bandwidth, bytes_per_value=2.0):
    """Point-to-point activation sends of one micro-batch between pipeline stages, s.

    One send forward and one backward of b·s·h values; Megatron's scatter/gather
    optimisation splits each over the tp links of the node (Narayanan et al. 2021 §4.1).

    Args:
      tokens: tokens in the micro-batch, tokens.
      d_model: hidden size, 1.
      tp: tensor-parallel degree (links sharing the send), 1.
      bandwidth: per-device scale-out bandwidth, B/s.
      bytes_per_value: activation precision, B.

    Returns:
      Time, s.
    """
    return 2.0 * bytes_per_value * tokens * d_model / tp / bandwidth
