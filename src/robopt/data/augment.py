"""Batched, on-device training augmentation: random crop with zero padding, flip, normalisation."""

from __future__ import annotations

from collections.abc import Sequence

import torch


def to_float_nchw(images: torch.Tensor) -> torch.Tensor:
    """uint8 NHWC in [0, 255] -> float NCHW in [0, 1]."""
    return images.permute(0, 3, 1, 2).float().div_(255.0)


def normalize(images: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """uint8 NHWC -> normalised float NCHW, per channel."""
    x = to_float_nchw(images)
    mean_t = torch.as_tensor(mean, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
    std_t = torch.as_tensor(std, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
    return (x - mean_t) / std_t


def random_crop_flip(images: torch.Tensor, padding: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Random ``padding``-px zero-padded crop and horizontal flip of a whole NHWC batch at once.

    Draws come from ``generator`` (on the batch's device) so a run is reproducible.
    """
    n, h, w, _ = images.shape
    device = images.device
    padded = torch.nn.functional.pad(images, (0, 0, padding, padding, padding, padding))
    top = torch.randint(0, 2 * padding + 1, (n, 1, 1), generator=generator, device=device)
    left = torch.randint(0, 2 * padding + 1, (n, 1, 1), generator=generator, device=device)
    rows = top + torch.arange(h, device=device).view(1, h, 1)
    cols = left + torch.arange(w, device=device).view(1, 1, w)
    flip = torch.rand(n, 1, 1, generator=generator, device=device) < 0.5
    cols = torch.where(flip, left + (w - 1 - torch.arange(w, device=device)).view(1, 1, w), cols)
    batch = torch.arange(n, device=device).view(n, 1, 1)
    return padded[batch, rows, cols]
