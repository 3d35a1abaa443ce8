"""Antithetic evolution-strategies gradient and the truncation-length schedule of Metz et al. (2019), App. A.3."""

from __future__ import annotations

import torch


def antithetic_es_gradient(
    loss_positive: torch.Tensor, loss_negative: torch.Tensor, noise: torch.Tensor, std: float
) -> torch.Tensor:
    """ES estimate of d E[L(theta + std * eps)] / d theta from K antithetic pairs.

    loss_positive / loss_negative: (K,) losses at theta +- std * eps_k; noise: (K x D) the eps_k. Pairs whose
    losses are not finite are dropped (their inner problems are reset by the caller).
    """
    finite = torch.isfinite(loss_positive) & torch.isfinite(loss_negative)
    if not finite.any():
        return torch.zeros(noise.shape[1], dtype=noise.dtype, device=noise.device)
    weights = (loss_positive - loss_negative)[finite] / (2.0 * std)
    return (weights[:, None] * noise[finite]).mean(dim=0)


def truncation_length(
    iteration: int, start: int, end: int, ramp_iterations: int, jitter: float, generator: torch.Generator
) -> int:
    """Linear ramp from ``start`` to ``end`` inner steps over ``ramp_iterations``, times U(1 - jitter, 1 + jitter)."""
    base = start + (end - start) * min(iteration / max(ramp_iterations, 1), 1.0)
    factor = 1.0 + jitter * (2.0 * float(torch.rand((), generator=generator)) - 1.0)
    return max(1, int(round(base * factor)))
