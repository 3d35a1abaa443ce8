"""The one image-tensor format every layer shares (uint8 N x H x W x 3), and its check: below both the data layer
and the corruption engine, so neither imports the other."""

from __future__ import annotations

import torch

from robopt.errors import DatasetFormatError


def check_images(images: torch.Tensor, what: str = "batch") -> None:
    """Raise a clear error unless ``images`` is a uint8 tensor of shape N x H x W x 3."""
    if not isinstance(images, torch.Tensor):
        raise DatasetFormatError(f"{what} must be a torch.Tensor, got {type(images).__name__}")
    if images.dtype != torch.uint8:
        raise DatasetFormatError(f"{what} must be uint8 (0..255), got {images.dtype}")
    if images.ndim != 4 or images.shape[-1] != 3:
        raise DatasetFormatError(f"{what} must have shape N x H x W x 3 (NHWC RGB), got {tuple(images.shape)}")
