"""A procedurally generated, learnable 10-class image dataset so the demo and tests run offline.

Each image shows one of ten patterns (five shapes, four stripe/checker textures, a diamond)
with random position, size, period and colours; low foreground/background contrast on some
images makes the classes fragile under noise and blur, as natural images are.
"""

from __future__ import annotations

import math

import torch

from robopt.data.format import ImageSplit

CLASS_NAMES = [
    "disk", "square", "triangle", "ring", "cross",
    "horizontal_stripes", "vertical_stripes", "diagonal_stripes", "checkerboard", "diamond",
]


def _soft(signed_distance: torch.Tensor, sharpness: float = 2.0) -> torch.Tensor:
    """Anti-aliased mask from a signed distance (positive inside)."""
    return torch.sigmoid(sharpness * signed_distance)


def _masks(label: int, y: torch.Tensor, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Masks (n x S x S) in [0, 1] for ``n`` images of class ``label``; y, x are pixel grids."""
    n, size = y.shape[0], y.shape[-1]
    radius = torch.empty(n, 1, 1).uniform_(0.18 * size, 0.34 * size, generator=g)
    cy = radius + torch.rand(n, 1, 1, generator=g) * (size - 2 * radius)
    cx = radius + torch.rand(n, 1, 1, generator=g) * (size - 2 * radius)
    dy, dx = y - cy, x - cx
    dist = torch.sqrt(dy**2 + dx**2)
    period = torch.empty(n, 1, 1).uniform_(4.0, 9.0, generator=g)
    phase = torch.rand(n, 1, 1, generator=g) * 2 * math.pi
    wave = 2 * math.pi / period
    if label == 0:
        return _soft(radius - dist)
    if label == 1:
        return _soft(0.8 * radius - torch.maximum(dy.abs(), dx.abs()))
    if label == 2:  # upward triangle: above the base, inside both slanted edges
        return _soft(torch.minimum(radius * 0.8 - dy, (dy + radius * 0.8) * 0.55 - dx.abs()))
    if label == 3:
        return _soft(torch.minimum(radius - dist, dist - 0.55 * radius))
    if label == 4:
        bar = 0.3 * radius
        horizontal = torch.minimum(bar - dy.abs(), radius - dx.abs())
        vertical = torch.minimum(bar - dx.abs(), radius - dy.abs())
        return _soft(torch.maximum(horizontal, vertical))
    if label == 5:
        return _soft(3 * torch.sin(wave * y + phase))
    if label == 6:
        return _soft(3 * torch.sin(wave * x + phase))
    if label == 7:
        return _soft(3 * torch.sin(wave * (x + y) / math.sqrt(2) + phase))
    if label == 8:
        return _soft(3 * torch.sin(wave * y + phase) * torch.sin(wave * x + phase))
    return _soft(radius - (dy.abs() + dx.abs()))


def generate_synthetic(n: int, seed: int, size: int = 32) -> ImageSplit:
    """``n`` balanced images (uint8 NHWC) of the ten classes, identical for the same seed."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % len(CLASS_NAMES)
    labels = labels[torch.randperm(n, generator=g)]
    grid = torch.arange(size, dtype=torch.float32) + 0.5
    images = torch.empty(n, size, size, 3)
    for label in range(len(CLASS_NAMES)):
        members = torch.nonzero(labels == label).flatten()
        k = len(members)
        y = grid.view(1, size, 1).expand(k, size, size)
        x = grid.view(1, 1, size).expand(k, size, size)
        mask = _masks(label, y, x, g).unsqueeze(-1)
        background = torch.rand(k, 1, 1, 3, generator=g)
        # foreground differs from the background by a random contrast in every channel
        contrast = torch.empty(k, 1, 1, 1).uniform_(0.2, 0.6, generator=g)
        sign = torch.where(background > 0.5, -1.0, 1.0)
        foreground = (background + sign * contrast * torch.empty(k, 1, 1, 3).uniform_(0.6, 1.0, generator=g))
        images[members] = background * (1 - mask) + foreground.clamp(0, 1) * mask
    images = images + 0.02 * torch.randn(images.shape, generator=g)
    pixels = (images.clamp(0, 1) * 255).round().to(torch.uint8)
    return ImageSplit(pixels, labels, list(CLASS_NAMES))


def read_synthetic(n_train: int, n_test: int, seed: int, size: int) -> dict[str, ImageSplit]:
    """Train and test splits drawn from independent seeds."""
    return {
        "train": generate_synthetic(n_train, seed, size),
        "test": generate_synthetic(n_test, seed + 1_000_003, size),
    }
