"""Batched corruption engine: uint8 NHWC in, uint8 NHWC out, on whatever device the batch is on."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from robopt.corruptions import noise, photometric
from robopt.corruptions.parameters import SEVERITIES, severity_parameter
from robopt.data.format import check_images
from robopt.registry import Registry

Corruption = Callable[[torch.Tensor, object, torch.Generator], torch.Tensor]

CORRUPTIONS: Registry[Corruption] = Registry("corruption")
CORRUPTIONS.register("gaussian_noise")(noise.gaussian_noise)
CORRUPTIONS.register("shot_noise")(noise.shot_noise)
CORRUPTIONS.register("impulse_noise")(noise.impulse_noise)
CORRUPTIONS.register("speckle_noise")(noise.speckle_noise)
CORRUPTIONS.register("contrast")(photometric.contrast)


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """[0, 1] floats -> uint8 by clipping then truncating, as ``np.uint8(x * 255)`` does; NaN becomes 0."""
    return torch.nan_to_num(x * 255.0, nan=0.0).clamp_(0.0, 255.0).to(torch.uint8)


def make_generator(seed: int, device: torch.device | str) -> torch.Generator:
    return torch.Generator(device=device).manual_seed(seed)


def corrupt_batch(
    images: torch.Tensor, corruption: str, severity: int, scale: str, generator: torch.Generator
) -> torch.Tensor:
    """Apply ``corruption`` at ``severity`` with the parameters of image ``scale`` to a uint8 NHWC batch."""
    check_images(images)
    function = CORRUPTIONS.get(corruption)
    parameter = severity_parameter(scale, corruption, severity)
    return to_uint8(function(images.float() / 255.0, parameter, generator))


def add_gaussian_noise(images: torch.Tensor, sigma: float, generator: torch.Generator) -> torch.Tensor:
    """Gaussian pixel noise at an arbitrary ``sigma`` on the [0, 1] scale (Metz et al. Fig. 1c)."""
    check_images(images)
    if sigma < 0:
        raise ValueError(f"noise scale must be non-negative, got {sigma}")
    return to_uint8(noise.gaussian_noise(images.float() / 255.0, sigma, generator))


def corrupt_all_severities(
    images: torch.Tensor,
    corruption: str,
    scale: str,
    seed: int,
    severities: Sequence[int] = SEVERITIES,
    chunk: int = 2048,
) -> torch.Tensor:
    """Severities stacked in order (len(severities) * N x H x W x 3), as in CIFAR-10-C's ``.npy`` files.

    The same (images, corruption, scale, seed) gives identical bytes; chunks bound memory.
    """
    check_images(images)
    CORRUPTIONS.get(corruption)  # fail early with the list of valid names
    generator = make_generator(seed, images.device)
    blocks = []
    for severity in severities:
        for start in range(0, len(images), chunk):
            blocks.append(corrupt_batch(images[start : start + chunk], corruption, severity, scale, generator))
    return torch.cat(blocks)
