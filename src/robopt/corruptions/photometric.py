"""Deterministic photometric corruptions on float NHWC batches in [0, 1]."""

from __future__ import annotations

import torch


def contrast(x: torch.Tensor, factor: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Scale the deviation from each image's per-channel spatial mean by ``factor``."""
    means = x.mean(dim=(1, 2), keepdim=True)
    return (x - means) * factor + means
