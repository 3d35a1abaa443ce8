"""Batched linear filters with the border rules of SciPy/scikit-image and OpenCV, on NCHW float tensors.

The original corruption scripts mix three border conventions; each is an index map here so that
padding wider than the image (large blur radii at small image sizes) repeats the rule exactly:
``nearest`` (edge pixel repeated), ``symmetric`` (SciPy 'reflect': d c b a | a b c d) and
``reflect101`` (OpenCV default: d c b | a b c d).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

BORDERS = ("nearest", "symmetric", "reflect101")


def border_index(length: int, pad: int, border: str, device: torch.device | str = "cpu") -> torch.Tensor:
    """Source index for every position of a 1-D signal of ``length`` padded by ``pad`` on both sides."""
    positions = torch.arange(-pad, length + pad, device=device)
    if border == "nearest" or length == 1:
        return positions.clamp(0, length - 1)
    if border == "symmetric":
        period = 2 * length
        folded = positions % period
        return torch.where(folded < length, folded, period - 1 - folded)
    if border == "reflect101":
        period = 2 * (length - 1)
        folded = positions % period
        return torch.where(folded < length, folded, period - folded)
    raise ValueError(f"unknown border {border!r}; valid borders: {', '.join(BORDERS)}")


def pad2d(x: torch.Tensor, pad_h: int, pad_w: int, border: str) -> torch.Tensor:
    """Pad the last two dimensions of ``x`` by gathering source indices (any pad width)."""
    rows = border_index(x.shape[-2], pad_h, border, x.device)
    cols = border_index(x.shape[-1], pad_w, border, x.device)
    return x.index_select(-2, rows).index_select(-1, cols)


def gaussian_kernel1d(sigma: float, truncate: float = 4.0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """SciPy's ``gaussian_filter1d`` weights: radius int(truncate * sigma + 0.5), normalised; sigma 0 is identity."""
    radius = int(truncate * float(sigma) + 0.5)
    if sigma <= 0 or radius == 0:
        return torch.ones(1, dtype=dtype)
    offsets = torch.arange(-radius, radius + 1, dtype=torch.float64)
    weights = torch.exp(-0.5 * (offsets / float(sigma)) ** 2)
    return (weights / weights.sum()).to(dtype)


def correlation_matrix(length: int, kernel: torch.Tensor, border: str) -> torch.Tensor:
    """The (length x length) matrix of a 1-D correlation with ``kernel`` under ``border``, padding folded in."""
    radius = len(kernel) // 2
    sources = border_index(length, radius, border).unfold(0, len(kernel), 1)  # length x taps
    matrix = torch.zeros(length, length, dtype=kernel.dtype)
    matrix.scatter_add_(1, sources, kernel.expand(length, -1).contiguous())
    return matrix


def correlate_separable(x: torch.Tensor, kernel_h: torch.Tensor, kernel_w: torch.Tensor, border: str) -> torch.Tensor:
    """Correlate every channel of an N x C x H x W batch with kernel_h along H and kernel_w along W.

    Runs as two small matrix products (border folded into the matrices): faster than 1-channel convolutions
    at these image sizes, and exact for kernels longer than the image.
    """
    rows = correlation_matrix(x.shape[-2], kernel_h.double(), border).to(x)
    cols = correlation_matrix(x.shape[-1], kernel_w.double(), border).to(x)
    return rows @ x @ cols.T


def correlate2d(x: torch.Tensor, kernel: torch.Tensor, border: str) -> torch.Tensor:
    """Correlate every channel of an N x C x H x W batch with one odd-sized 2-D kernel (OpenCV filter2D).

    Images up to 64 x 64 use one dense (HW x HW) operator built from the kernel; larger ones a convolution.
    """
    n, c, h, w = x.shape
    kh, kw = kernel.shape
    if h * w <= 4096:
        basis = torch.eye(h * w, dtype=kernel.dtype).reshape(h * w, 1, h, w)
        columns = F.conv2d(pad2d(basis, kh // 2, kw // 2, border), kernel.view(1, 1, kh, kw))
        operator = columns.reshape(h * w, h * w).to(x)  # row p: the output image of input pixel p
        return (x.reshape(n * c, h * w) @ operator).reshape(n, c, h, w)
    flat = pad2d(x.reshape(n * c, 1, h, w), kh // 2, kw // 2, border)
    return F.conv2d(flat, kernel.to(x).view(1, 1, kh, kw)).reshape(n, c, h, w)


def gaussian_blur_nchw(x: torch.Tensor, sigma: float, border: str = "nearest", truncate: float = 4.0) -> torch.Tensor:
    """Per-channel Gaussian filter as ``skimage.filters.gaussian`` (default border 'nearest', truncate 4)."""
    kernel = gaussian_kernel1d(sigma, truncate, dtype=torch.float64)
    if len(kernel) == 1:
        return x
    return correlate_separable(x, kernel, kernel, border)


def opencv_gaussian_kernel(size: int, sigma: float) -> torch.Tensor:
    """``cv2.getGaussianKernel(size, sigma)``: exp(-(i - (size-1)/2)^2 / (2 sigma^2)), normalised."""
    offsets = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    weights = torch.exp(-(offsets**2) / (2 * float(sigma) ** 2))
    return weights / weights.sum()


def linear_resize_matrix(in_size: int, out_size: int, start: int = 0, length: int | None = None) -> torch.Tensor:
    """Matrix (out_size x in_size) of SciPy ``zoom(order=1)`` applied to ``[start, start + length)`` of a signal.

    SciPy maps output index o to input coordinate o * (length - 1) / (out_size - 1) (corners aligned).
    """
    length = in_size - start if length is None else length
    matrix = torch.zeros(out_size, in_size, dtype=torch.float64)
    if out_size == 1 or length == 1:
        matrix[:, start] = 1.0
        return matrix
    coordinate = torch.arange(out_size, dtype=torch.float64) * (length - 1) / (out_size - 1)
    lower = coordinate.floor().clamp(max=length - 2).long()
    fraction = coordinate - lower
    rows = torch.arange(out_size)
    matrix[rows, start + lower] += 1 - fraction
    matrix[rows, start + lower + 1] += fraction
    return matrix


def clipped_zoom_matrix(size: int, factor: float) -> torch.Tensor:
    """1-D matrix of the scripts' ``clipped_zoom``: centre crop ceil(size/factor), zoom by factor, centre trim."""
    crop = int(math.ceil(size / float(factor)))
    top = (size - crop) // 2
    zoomed = int(round(crop * float(factor)))
    matrix = linear_resize_matrix(size, zoomed, start=top, length=crop)
    trim = (zoomed - size) // 2
    return matrix[trim : trim + size]
