"""Geometric corruptions (elastic transform, pixelate) on float NHWC batches in [0, 1]."""

from __future__ import annotations

import math
from functools import cache

import torch
import torch.nn.functional as F

from robopt.corruptions.blur import to_nchw, to_nhwc
from robopt.corruptions.filters import gaussian_blur_nchw

PIL_PRECISION_BITS = 22  # Pillow's fixed-point resampling for 8-bit images


def affine_from_points(source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Affine maps (N x 2 x 3) taking three (x, y) source points to the target points (``cv2.getAffineTransform``)."""
    ones = torch.ones(*source.shape[:-1], 1, dtype=source.dtype, device=source.device)
    homogeneous = torch.cat([source, ones], dim=-1)  # N x 3 x 3
    return torch.linalg.solve(homogeneous, target).transpose(1, 2)


def sample(x: torch.Tensor, col: torch.Tensor, row: torch.Tensor, corners_aligned: bool) -> torch.Tensor:
    """Bilinear samples of N x C x H x W at pixel coordinates (N x H x W) with reflecting borders.

    With ``corners_aligned`` the reflection is about pixel centres 0 and size-1 (OpenCV reflect101), otherwise
    about the outer edges -0.5 and size-0.5 (SciPy 'reflect').
    """
    h, w = x.shape[-2:]
    if corners_aligned:
        grid = torch.stack([2 * col / (w - 1) - 1, 2 * row / (h - 1) - 1], dim=-1)
    else:
        grid = torch.stack([(2 * col + 1) / w - 1, (2 * row + 1) / h - 1], dim=-1)
    return F.grid_sample(x, grid.to(x.dtype), mode="bilinear", padding_mode="reflection", align_corners=corners_aligned)


def elastic_transform(
    x: torch.Tensor, parameter: tuple[float, float, float], generator: torch.Generator
) -> torch.Tensor:
    """Random affine warp (three control points jittered by U(-jitter, jitter)), then a smooth random displacement
    field (U(-1, 1) noise, Gaussian sigma, truncate 3, times alpha), both bilinear, as in the original scripts.

    OpenCV's warpAffine rounds source coordinates to 1/32 pixel; this warp uses exact coordinates.
    """
    alpha, sigma, jitter = parameter
    n, h, w, _ = x.shape
    device = x.device
    centre, reach = float(min(h, w) // 2), float(min(h, w) // 3)
    points = torch.tensor(
        [[centre + reach, centre + reach], [centre + reach, centre - reach], [centre - reach, centre - reach]],
        dtype=torch.float64,
        device=device,
    ).expand(n, 3, 2)
    moved = points + (torch.rand((n, 3, 2), generator=generator, device=device, dtype=torch.float64) * 2 - 1) * jitter
    inverse = affine_from_points(moved, points)  # destination pixel -> source pixel
    rows, cols = torch.meshgrid(
        torch.arange(h, dtype=torch.float64, device=device),
        torch.arange(w, dtype=torch.float64, device=device),
        indexing="ij",
    )
    homogeneous = torch.stack([cols, rows, torch.ones_like(rows)], dim=0).reshape(3, -1)
    source = (inverse @ homogeneous).reshape(n, 2, h, w)
    warped = sample(to_nchw(x), source[:, 0], source[:, 1], corners_aligned=True)
    noise = torch.rand((n, 2, h, w), generator=generator, device=device, dtype=torch.float64) * 2 - 1
    field = (gaussian_blur_nchw(noise, float(sigma), border="symmetric", truncate=3.0) * alpha).float()
    shifted = sample(warped, cols.float() + field[:, 0], rows.float() + field[:, 1], corners_aligned=False)
    return to_nhwc(shifted)


@cache
def pil_box_weights(in_size: int, out_size: int) -> torch.Tensor:
    """Pillow's BOX resampling weights (out x in), rounded to its 22-bit fixed point."""
    scale = in_size / out_size
    filter_scale = max(scale, 1.0)
    support = 0.5 * filter_scale
    weights = torch.zeros(out_size, in_size, dtype=torch.float64)
    for out_index in range(out_size):
        centre = (out_index + 0.5) * scale
        first = max(int(centre - support + 0.5), 0)
        last = min(int(centre + support + 0.5), in_size)
        taps = [1.0 if -0.5 < (i - centre + 0.5) / filter_scale <= 0.5 else 0.0 for i in range(first, last)]
        total = sum(taps)
        for offset, tap in enumerate(taps):
            weights[out_index, first + offset] = math.floor(tap / total * (1 << PIL_PRECISION_BITS) + 0.5)
    return weights / (1 << PIL_PRECISION_BITS)


def pil_box_resize(levels: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Pillow ``resize(BOX)`` of 0..255 levels (N x C x H x W): horizontal pass, round half up, vertical pass."""
    if width != levels.shape[-1]:
        levels = torch.floor(levels @ pil_box_weights(levels.shape[-1], width).to(levels).T + 0.5)
    if height != levels.shape[-2]:
        levels = torch.floor(pil_box_weights(levels.shape[-2], height).to(levels) @ levels + 0.5)
    return levels.clamp_(0, 255)


def pixelate(x: torch.Tensor, factor: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """BOX-downsample to int(size * factor), BOX-upsample back (Pillow, 8-bit rounding after every pass)."""
    n, h, w, _ = x.shape
    levels = torch.round(to_nchw(x) * 255.0)
    small = pil_box_resize(levels, int(h * factor), int(w * factor))
    return to_nhwc(pil_box_resize(small, h, w) / 255.0)
