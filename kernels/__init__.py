"""The physics of the seeds as pure ``jax.numpy`` functions, one per equation.

Modules by concern: ``energy`` (seed 000 §1, §4; seed 003 energy), ``batch``
(seed 000 §2; seed 003 and 004 batch relations), ``quality`` (seed 000 §3; seed
004 dynamics), ``parallel`` (seed 000 §5; seed 003 workload distribution),
``thermal`` (seed 003 thermal model), ``throughput`` (seed 003 throughput,
roofline, figures of merit), ``information`` (seed 004 Landauer bounds),
``cost`` (seed 000 §6). Beyond the seeds, for ``llm_training``: ``dvfs`` (V–f
curve, board power, the power-limited clock), ``layout`` (collectives, pipeline
bubble, point-to-point sends) and ``transformer`` (FLOPs, activations and
optimiser state of a dense transformer). Constants live in ``constants``.
"""

from . import (batch, constants, cost, dvfs, energy, information, layout, parallel, quality, thermal,
                     throughput, transformer)

__all__ = ["batch", "constants", "cost", "dvfs", "energy", "information", "layout", "parallel", "quality",
           "thermal", "throughput", "transformer"]
