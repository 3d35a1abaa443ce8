"""Blur corruptions (defocus, Gaussian, glass, motion, zoom) on float NHWC batches in [0, 1].

Each follows the original generation scripts; the border rule of every filter matches the
library the scripts call (SciPy/scikit-image 'nearest', OpenCV 'reflect101').
"""

from __future__ import annotations

from functools import cache

import torch

from robopt.corruptions.filters import (
    clipped_zoom_matrix,
    correlate2d,
    correlate_separable,
    gaussian_blur_nchw,
    opencv_gaussian_kernel,
)
from robopt.corruptions.levels import to_uint8


def to_nchw(x: torch.Tensor) -> torch.Tensor:
    return x.permute(0, 3, 1, 2)


def to_nhwc(x: torch.Tensor) -> torch.Tensor:
    return x.permute(0, 2, 3, 1)


def gaussian_blur(x: torch.Tensor, sigma: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """skimage ``gaussian(x, sigma, channel_axis=-1)``: per-channel Gaussian, border 'nearest', truncate 4."""
    return to_nhwc(gaussian_blur_nchw(to_nchw(x), sigma))


@cache
def disk_kernel(radius: float, alias_blur: float) -> torch.Tensor:
    """The scripts' defocus kernel: binary disk on a 17x17 (or 2r+1) grid, normalised, then an OpenCV Gaussian."""
    half = 8 if radius <= 8 else int(radius)
    size = 3 if radius <= 8 else 5
    offsets = torch.arange(-half, half + 1, dtype=torch.float64)
    disk = ((offsets[None, :] ** 2 + offsets[:, None] ** 2) <= radius**2).to(torch.float64)
    disk = disk / disk.sum()
    smooth = opencv_gaussian_kernel(size, alias_blur)
    kernel = correlate_separable(disk[None, None], smooth, smooth, "reflect101")[0, 0]
    # Crop the all-zero frame so small radii do not pay for a 17x17 convolution.
    nonzero = kernel.abs().sum(0) > 0
    first = int(nonzero.nonzero()[0])
    reach = max(half - first, 0)
    return kernel[half - reach : half + reach + 1, half - reach : half + reach + 1].to(torch.float32)


def defocus_blur(
    x: torch.Tensor, parameter: tuple[float, float], generator: torch.Generator | None = None
) -> torch.Tensor:
    """Disk-kernel blur per channel (OpenCV filter2D, border reflect101)."""
    radius, alias_blur = parameter
    return to_nhwc(correlate2d(to_nchw(x), disk_kernel(float(radius), float(alias_blur)), "reflect101"))


def glass_shuffle(x: torch.Tensor, max_delta: int, passes: int, generator: torch.Generator) -> torch.Tensor:
    """The scripts' local pixel shuffle, every image of the batch at once.

    For each pass, rows and columns are visited from (size - delta) down to (delta + 1) and pixel (h, w) takes the
    value of (h + dy, w + dx), dx, dy uniform integers in [-delta, delta). (The original's tuple "swap" only copies,
    because NumPy rows are views.) With delta = 1 every source is still unvisited, so a pass is one gather; larger
    deltas can read pixels updated earlier in the same pass, so the visit order is kept pixel by pixel.
    """
    n, h_size, w_size, _ = x.shape
    out = x.clone()
    rows = torch.arange(h_size - max_delta, max_delta, -1, device=x.device)
    cols = torch.arange(w_size - max_delta, max_delta, -1, device=x.device)
    images = torch.arange(n, device=x.device)
    for _ in range(passes):
        draws = torch.randint(-max_delta, max_delta, (n, len(rows), len(cols), 2), generator=generator, device=x.device)
        dx, dy = draws[..., 0], draws[..., 1]
        if max_delta == 1:
            target_h, target_w = rows[:, None], cols[None, :]
            source = out[images[:, None, None], target_h + dy, target_w + dx]
            out[:, rows[:, None], cols[None, :]] = source
            continue
        for i, h in enumerate(rows.tolist()):
            for j, w in enumerate(cols.tolist()):
                out[:, h, w] = out[images, h + dy[:, i, j], w + dx[:, i, j]]
    return out


def glass_blur(x: torch.Tensor, parameter: tuple[float, int, int], generator: torch.Generator) -> torch.Tensor:
    """Gaussian blur -> uint8 -> local pixel shuffle -> Gaussian blur."""
    sigma, max_delta, passes = parameter
    blurred = to_uint8(gaussian_blur(x, sigma)).to(x.dtype) / 255.0  # the scripts' uint8 cast between blurs
    return gaussian_blur(glass_shuffle(blurred, int(max_delta), int(passes), generator), sigma)


def motion_blur_layers(x: torch.Tensor, radius: int, sigma: float, angles_deg: torch.Tensor) -> torch.Tensor:
    """imagecorruptions' NumPy motion blur, one angle per image: shifted copies (edges repeated) weighted by a half Gaussian.

    ``x`` is N x H x W x C; shifts whose offset reaches the image size are dropped, as the package's loop breaks there.
    """
    n, h_size, w_size, channels = x.shape
    width = 2 * int(radius) + 1
    steps = torch.arange(width, dtype=torch.float64, device=x.device)
    weights = torch.exp(-(steps**2) / (2 * float(sigma) ** 2))
    weights = (weights / weights.sum()).to(x.dtype)
    radians = torch.deg2rad(angles_deg.to(torch.float64))
    dy = -torch.ceil(steps[None, :] * torch.sin(radians)[:, None] - 0.5).long()  # N x width
    dx = -torch.ceil(steps[None, :] * torch.cos(radians)[:, None] - 0.5).long()
    inside = ((dy.abs() < h_size) & (dx.abs() < w_size)).cumprod(dim=1).to(x.dtype) * weights
    planes = x.permute(0, 3, 1, 2).reshape(n, channels, h_size * w_size)
    row_grid = torch.arange(h_size, device=x.device)
    col_grid = torch.arange(w_size, device=x.device)
    out = torch.zeros_like(planes)
    for i in range(width):
        rows = (row_grid[None, :] - dy[:, i, None]).clamp(0, h_size - 1)  # N x H
        cols = (col_grid[None, :] - dx[:, i, None]).clamp(0, w_size - 1)  # N x W
        source = (rows[:, :, None] * w_size + cols[:, None, :]).reshape(n, 1, -1).expand(n, channels, -1)
        out += inside[:, i, None, None] * torch.gather(planes, 2, source)
    return out.reshape(n, channels, h_size, w_size).permute(0, 2, 3, 1)


def motion_blur(x: torch.Tensor, parameter: tuple[int, float], generator: torch.Generator) -> torch.Tensor:
    """Motion blur along a random direction, angle uniform in [-45, 45] degrees per image.

    The original scripts call ImageMagick's motion blur; this is imagecorruptions' reimplementation of it.
    """
    radius, sigma = parameter
    angles = torch.rand(len(x), generator=generator, device=x.device, dtype=torch.float64) * 90.0 - 45.0
    return motion_blur_layers(x, int(radius), float(sigma), angles)


@cache
def zoom_blur_operator(size: int, factors: tuple[float, ...]) -> tuple[torch.Tensor, bool]:
    """Sum over zoom factors of the 2-D clipped-zoom operators: one (size^2 x size^2) matrix for small images,
    else the stack of 1-D matrices (factors x size x size)."""
    matrices = torch.stack([clipped_zoom_matrix(size, f) for f in factors])
    if size * size <= 4096:
        return torch.einsum("zab,zcd->acbd", matrices, matrices).reshape(size * size, size * size).float(), True
    return matrices.float(), False


def zoom_blur(x: torch.Tensor, factors: list[float], generator: torch.Generator | None = None) -> torch.Tensor:
    """Average of the image and its centre zooms by each factor (SciPy linear zoom, clipped to the image size)."""
    n, size, width, c = x.shape
    if size != width:
        raise ValueError(f"zoom blur needs square images, got {size} x {width}")
    operator, dense = zoom_blur_operator(size, tuple(float(f) for f in factors))
    operator = operator.to(x.device)
    planes = to_nchw(x).reshape(n * c, size, size)
    if dense:
        zoomed = (planes.reshape(n * c, size * size) @ operator.T).reshape(n * c, size, size)
    else:
        zoomed = torch.einsum("zab,nbc,zdc->nad", operator, planes, operator)
    return to_nhwc(((planes + zoomed) / (len(factors) + 1)).reshape(n, c, size, size))
