"""A dense transformer's work and memory per token, per device (DESIGN.md §model 1–2).

FLOP counts follow Narayanan et al. 2021 ("Efficient Large-Scale Language Model Training
on GPU Clusters Using Megatron-LM", SC'21, eq. 3 and Appendix) in the PaLM form
6·N + 12·l·h·s; activation bytes follow Korthikanti et al. 2022 ("Reducing Activation
Recomputation in Large Transformer Models", Table 2); optimiser state follows
Rajbhandari et al. 2020 (ZeRO, §3: 2 + 2 + K bytes per parameter, K = 12 for mixed-
precision Adam). ``recompute`` is 0 (none), 1 (selective: attention core only) or 2
(full: every layer's forward pass again); ``zero_stage`` is 0–3 (3 = FSDP).

Every argument broadcasts; every function is pure ``jax.numpy``.
"""

import jax.numpy as jnp

WEIGHT_BYTES = 2.0  # bf16 weights
GRAD_BYTES = 2.0  # bf16 gradients
OPTIMIZER_BYTES = 12.0  # fp32 master weights + Adam m and v (ZeRO's K)


def _is_full(recompute):
    return recompute >= 1.5


def _is_selective(recompute):
    return (recompute >= 0.5) & (recompute < 1.5)


def flops_per_token(n_params, n_layers, d_model, seq_len, recompute):
    """Executed FLOPs per token of one training step (forward + backward + recompute), FLOP.

    .. math:: 6N + 12\\,l\\,h\\,s \\;+\\; [\\text{full}]\\,(2N + 4lhs) \\;+\\; [\\text{selective}]\\,4lhs

    The attention score and value products cost 4·h·s FLOPs per token and layer forward
    (counted as dense, as Narayanan et al. and PaLM do), three times that with the
    backward. Full recompute repeats the forward pass; selective recompute repeats only
    the attention core (Korthikanti et al. 2022 §5).

    Args:
      n_params: parameters N, 1.
      n_layers: layers l, 1.
      d_model: hidden size h, 1.
      seq_len: sequence length s, tokens.
      recompute: 0, 1 or 2 (see the module docstring).

    Returns:
      FLOP per token.
    """
    attention_forward = 4.0 * n_layers * d_model * seq_len
    model = 6.0 * n_params + 3.0 * attention_forward
    extra = jnp.where(_is_full(recompute), 2.0 * n_params + attention_forward,
                      jnp.where(_is_selective(recompute), attention_forward, 0.0))
    return model + extra


def model_flops_per_token(n_params, n_layers, d_model, seq_len):
    """Model FLOPs per token (no recompute): 6·N + 12·l·h·s, the MFU convention of PaLM/Llama 3, FLOP."""
    return flops_per_token(n_params, n_layers, d_model, seq_len, 0.0)


def activation_bytes_per_token_layer(d_model, n_heads, seq_len, tp, sequence_parallel, flash_attention,
                                     recompute):
    """Activations one layer keeps per token for the backward pass, per device, B.

    Korthikanti et al. 2022 Table 2, divided by the tokens s·b:

    * no recompute, no sequence parallelism: h·(10 + 24/t) + 5·a·s/t;
    * with sequence parallelism: (34·h + 5·a·s)/t;
    * selective recompute drops the 5·a·s/t attention term (so does flash attention,
      which never stores the s×s scores);
    * full recompute keeps only the layer input: 2·h (2·h/t with sequence parallelism).

    Args:
      d_model: hidden size h, 1.
      n_heads: attention heads a, 1.
      seq_len: sequence length s, tokens.
      tp: tensor-parallel degree t, 1.
      sequence_parallel: 1 if the layer norms and dropouts are split over t, else 0.
      flash_attention: 1 if the attention kernel never stores the scores, else 0.
      recompute: 0, 1 or 2.

    Returns:
      Bytes per token per layer.
    """
    replicated = jnp.where(sequence_parallel >= 0.5, 10.0 / tp, 10.0)
    dense = d_model * (replicated + 24.0 / tp)
    scores = jnp.where(_is_selective(recompute) | (flash_attention >= 0.5), 0.0, 5.0 * n_heads * seq_len / tp)
    checkpoint = 2.0 * d_model * jnp.where(sequence_parallel >= 0.5, 1.0 / tp, 1.0)
    return jnp.where(_is_full(recompute), checkpoint, dense + scores)


def elementwise_bytes_per_token_layer(d_model, n_heads, seq_len, tp, sequence_parallel, flash_attention):
    """HBM traffic of one layer's memory-bound kernels per token, per device, B.

    Every activation Korthikanti et al. count (without recompute) is written once and read
    once in the forward pass, and its gradient is written and read once in the backward:
    four passes over ``activation_bytes_per_token_layer(..., recompute=0)``. These kernels
    (layer norm, GeLU, dropout, residuals, softmax) run at memory bandwidth and do not
    speed up with the core clock.

    Args:
      as in ``activation_bytes_per_token_layer``.

    Returns:
      Bytes per token per layer.
    """
    return 4.0 * activation_bytes_per_token_layer(d_model, n_heads, seq_len, tp, sequence_parallel,
                                                  flash_attention, 0.0)


def state_bytes_per_device(n_params, tp, pp, dp, zero_stage):
    """Weights, gradients and optimiser state one device holds, B (ZeRO §3).

    A model-parallel shard holds N/(tp·pp) parameters; ZeRO stage 1 shards the optimiser
    state over the dp replicas, stage 2 also the gradients, stage 3 (FSDP) also the weights.

    Args:
      n_params: parameters N, 1.
      tp, pp, dp: layout degrees, 1.
      zero_stage: 0, 1, 2 or 3.

    Returns:
      Bytes.
    """
    shard = n_params / (tp * pp)
    optimizer = OPTIMIZER_BYTES / jnp.where(zero_stage >= 0.5, dp, 1.0)
    grads = GRAD_BYTES / jnp.where(zero_stage >= 1.5, dp, 1.0)
    weights = WEIGHT_BYTES / jnp.where(zero_stage >= 2.5, dp, 1.0)
    return shard * (optimizer + grads + weights)
