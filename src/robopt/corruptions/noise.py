"""Pixel-noise corruptions on float NHWC batches in [0, 1], drawn from an explicit generator.

Semantics follow the original scripts: Gaussian (additive), shot (Poisson), impulse
(salt and pepper per array element, 1:1) and speckle (multiplicative Gaussian) noise.
"""

from __future__ import annotations

import torch


def gaussian_noise(x: torch.Tensor, sigma: float, generator: torch.Generator) -> torch.Tensor:
    """x + N(0, sigma^2) per pixel and channel."""
    return x + sigma * torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)


def shot_noise(x: torch.Tensor, scale: float, generator: torch.Generator) -> torch.Tensor:
    """Poisson(x * scale) / scale: photon noise, stronger for smaller ``scale``."""
    return torch.poisson(x * scale, generator=generator) / scale


def impulse_noise(x: torch.Tensor, amount: float, generator: torch.Generator) -> torch.Tensor:
    """A fraction ``amount`` of array elements set to 0 or 1 with equal odds (skimage 's&p')."""
    hit = torch.rand(x.shape, generator=generator, device=x.device) < amount
    salt = torch.rand(x.shape, generator=generator, device=x.device) < 0.5
    return torch.where(hit, salt.to(x.dtype), x)


def speckle_noise(x: torch.Tensor, sigma: float, generator: torch.Generator) -> torch.Tensor:
    """x + x * N(0, sigma^2)."""
    return x + x * sigma * torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
