"""Antithetic evolution-strategies gradient and the truncation schedule of Metz et al. (2019), App. A.3.

The schedule follows the predecessor's public code (google-research ``task_specific_learned_opt/
truncation_strategy.py``, ``FixedLengthIncreasingTruncationStrategy``): the unroll length ramps linearly, is jittered
by U(1 - jitter, 1 + jitter) and is clipped to the steps an inner problem has left before its horizon. Where the
predecessor's asynchronous workers each draw their own length, every antithetic pair here draws its own.
"""

from __future__ import annotations

import torch


def antithetic_es_gradient(
    loss_positive: torch.Tensor, loss_negative: torch.Tensor, noise: torch.Tensor, std: float
) -> torch.Tensor:
    """ES estimate of d E[L(theta + std * eps)] / d theta from K antithetic pairs.

    loss_positive / loss_negative: (K,) losses at theta +- std * eps_k; noise: (K x D) the eps_k. Pairs whose
    losses are not finite are dropped (the caller marks stopped pairs with NaN and resets them).
    """
    finite = torch.isfinite(loss_positive) & torch.isfinite(loss_negative)
    if not finite.any():
        return torch.zeros(noise.shape[1], dtype=noise.dtype, device=noise.device)
    weights = (loss_positive - loss_negative)[finite] / (2.0 * std)
    return (weights[:, None] * noise[finite]).mean(dim=0)


def scheduled_length(iteration: int, start: int, end: int, ramp_iterations: int) -> float:
    """The unjittered unroll length of outer iteration ``iteration``: linear from ``start`` to ``end``."""
    return start + (end - start) * min(iteration / max(ramp_iterations, 1), 1.0)


def truncation_lengths(
    iteration: int, start: int, end: int, ramp_iterations: int, jitter: float, steps_left: torch.Tensor,
    generator: torch.Generator,
) -> torch.Tensor:
    """One unroll length per inner problem (K,): the scheduled length times its own U(1 - jitter, 1 + jitter),
    at least 1 and at most ``steps_left`` (K,), the steps before that problem's horizon."""
    factor = 1.0 + jitter * (2.0 * torch.rand(steps_left.shape, generator=generator, device=generator.device) - 1.0)
    lengths = (scheduled_length(iteration, start, end, ramp_iterations) * factor.cpu()).round().long()
    return torch.minimum(lengths.clamp(min=1), steps_left.cpu().long().clamp(min=1))


class TruncatedES:
    """Truncated antithetic ES (the paper's A.3): both members of a pair start each unroll from the pair's one state
    (the positive branch's, kept from the last unroll) and the pair's estimate uses that unroll's eps only, so the
    influence of theta on the state an unroll starts from is ignored: biased towards short-horizon behaviour."""

    name = "truncated"
    shares_state = True

    def directions(self, eps: torch.Tensor) -> torch.Tensor:
        """The perturbation each pair's loss difference multiplies: this unroll's eps (K x D)."""
        return eps

    def reset(self, which: torch.Tensor) -> None:
        """Nothing persists across unrolls."""

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        """No state."""
