"""Batched corruption engine: uint8 NHWC in, uint8 NHWC out, on whatever device the batch is on."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
import torch

from robopt.corruptions import blur, compression, geometric, noise, photometric, weather
from robopt.corruptions.levels import to_uint8
from robopt.corruptions.parameters import SEVERITIES, corruption_options, severity_parameter
from robopt.images import check_images
from robopt.registry import Registry

Corruption = Callable[..., torch.Tensor]

# The 19 corruptions in the order of the original scripts (15 benchmark corruptions, then the 4 held-out ones).
CORRUPTIONS: Registry[Corruption] = Registry("corruption")
for _function in (
    noise.gaussian_noise,
    noise.shot_noise,
    noise.impulse_noise,
    blur.defocus_blur,
    blur.glass_blur,
    blur.motion_blur,
    blur.zoom_blur,
    weather.snow,
    weather.frost,
    weather.fog,
    photometric.brightness,
    photometric.contrast,
    geometric.elastic_transform,
    geometric.pixelate,
    compression.jpeg_compression,
    noise.speckle_noise,
    blur.gaussian_blur,
    weather.spatter,
    photometric.saturate,
):
    CORRUPTIONS.register(_function.__name__)(_function)

def make_generator(seed: int, device: torch.device | str) -> torch.Generator:
    return torch.Generator(device=device).manual_seed(seed)


def corrupt_batch(
    images: torch.Tensor, corruption: str, severity: int, scale: str, generator: torch.Generator
) -> torch.Tensor:
    """Apply ``corruption`` at ``severity`` with the parameters of image ``scale`` to a uint8 NHWC batch."""
    check_images(images)
    function = CORRUPTIONS.get(corruption)
    parameter = severity_parameter(scale, corruption, severity)
    options = corruption_options(scale, corruption)
    return to_uint8(function(images.float().div_(255.0), parameter, generator, **options))


def add_gaussian_noise(images: torch.Tensor, sigma: float, generator: torch.Generator) -> torch.Tensor:
    """Gaussian pixel noise at an arbitrary ``sigma`` on the [0, 1] scale (Metz et al. Fig. 1c)."""
    check_images(images)
    if sigma < 0:
        raise ValueError(f"noise scale must be non-negative, got {sigma}")
    return to_uint8(noise.gaussian_noise(images.float() / 255.0, sigma, generator))


def block_seed(seed: int, severity: int, block: int) -> int:
    """Independent seed of one (severity, block of images): results do not depend on which thread runs it."""
    return int(np.random.SeedSequence([seed, severity, block]).generate_state(1, dtype=np.uint64)[0] >> 1)


@contextmanager
def single_threaded_ops() -> Iterator[None]:
    """Run torch ops on one thread each while the caller parallelises over blocks (no oversubscription)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def corrupt_all_severities(
    images: torch.Tensor,
    corruption: str,
    scale: str,
    seed: int,
    severities: Sequence[int] = SEVERITIES,
    chunk: int = 1000,
    workers: int | None = None,
) -> torch.Tensor:
    """Severities stacked in order (len(severities) * N x H x W x 3), as in CIFAR-10-C's ``.npy`` files.

    Every (severity, block of ``chunk`` images) has its own generator, so the same (images, corruption, scale,
    seed, chunk) gives identical bytes however many ``workers`` (threads, CPU only; default: torch's thread
    count) share the blocks.
    """
    check_images(images)
    CORRUPTIONS.get(corruption)  # fail early with the list of valid names
    tasks = [(severity, block) for severity in severities for block in range(0, len(images), chunk)]

    def run(task: tuple[int, int]) -> torch.Tensor:
        severity, start = task
        generator = make_generator(block_seed(seed, severity, start // chunk), images.device)
        return corrupt_batch(images[start : start + chunk], corruption, severity, scale, generator)

    workers = workers or (torch.get_num_threads() if images.device.type == "cpu" else 1)
    if workers <= 1:
        return torch.cat([run(task) for task in tasks])
    with single_threaded_ops(), ThreadPoolExecutor(workers) as pool:
        return torch.cat(list(pool.map(run, tasks)))
