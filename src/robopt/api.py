"""The front door for Python users: ``corrupt`` as ``imagecorruptions.corrupt`` is called, on whole batches, and
``benchmark`` as ``robustbench.eval.benchmark`` evaluates a model on a -C set, returning the tidy table and
RobustBench's aggregate.

    import torch, robopt
    images = torch.randint(0, 256, (8, 32, 32, 3), dtype=torch.uint8)
    foggy = robopt.corrupt(images, "fog", severity=3, seed=0)
    table, summary = robopt.benchmark(model, images, labels, severities=[1, 3, 5])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch

from robopt.errors import RoboptError

if TYPE_CHECKING:
    import pandas as pd
    from torch import nn

#: Image side -> the corruption parameters of that scale (the original generation scripts' three sizes).
SCALE_OF_SIZE = {32: "cifar", 64: "tinyimagenet", 224: "imagenet"}


def infer_scale(height: int, width: int) -> str:
    """The corruption scale of an image size: CIFAR's 32 px, Tiny-ImageNet's 64 px or ImageNet's 224 px."""
    if height != width or height not in SCALE_OF_SIZE:
        sizes = ", ".join(f"{size} x {size} ({scale})" for size, scale in SCALE_OF_SIZE.items())
        raise RoboptError(f"no corruption parameters for {height} x {width} images; the original scripts define "
                          f"them for {sizes}: pass scale= to use one of them anyway")
    return SCALE_OF_SIZE[height]


def as_uint8_nhwc(images: torch.Tensor) -> tuple[torch.Tensor, bool, bool, bool]:
    """The batch as uint8 N x H x W x 3, and whether it came as one image, channels-first, and float in [0, 1]."""
    if not isinstance(images, torch.Tensor):
        raise RoboptError(f"images must be a torch.Tensor, got {type(images).__name__}")
    single = images.ndim == 3
    batch = images.unsqueeze(0) if single else images
    if batch.ndim != 4 or 3 not in (batch.shape[1], batch.shape[-1]):
        raise RoboptError(f"images must be N x H x W x 3 or N x 3 x H x W (or one image), got {tuple(images.shape)}")
    channels_first = batch.shape[1] == 3 and batch.shape[-1] != 3
    if channels_first:
        batch = batch.permute(0, 2, 3, 1)
    is_float = batch.is_floating_point()
    if is_float:
        batch = (batch.clamp(0, 1) * 255).round().to(torch.uint8)
    elif batch.dtype != torch.uint8:
        raise RoboptError(f"images must be uint8 (0..255) or float (0..1), got {images.dtype}")
    return batch.contiguous(), single, channels_first, is_float


def restore_layout(batch: torch.Tensor, single: bool, channels_first: bool, is_float: bool,
                   dtype: torch.dtype) -> torch.Tensor:
    """A uint8 NHWC batch back in the caller's layout and dtype."""
    out = batch.permute(0, 3, 1, 2) if channels_first else batch
    out = out.to(dtype) / 255 if is_float else out
    return out[0] if single else out


def corrupt(images: torch.Tensor, corruption: str, severity: int = 1, seed: int = 0,
            scale: str | None = None) -> torch.Tensor:
    """``images`` under ``corruption`` at ``severity`` (1-5): uint8 (0..255) or float (0..1), N x H x W x 3 or
    N x 3 x H x W or one image, on the CPU or a GPU; returned in the same dtype, layout and device. The parameters
    are those of the image size's scale (32, 64 or 224 px; ``scale`` to choose one), the randomness from ``seed``."""
    from robopt.corruptions.engine import corrupt_batch, make_generator

    batch, single, channels_first, is_float = as_uint8_nhwc(images)
    scale = scale or infer_scale(batch.shape[1], batch.shape[2])
    out = corrupt_batch(batch, corruption, severity, scale, make_generator(seed, batch.device))
    return restore_layout(out, single, channels_first, is_float, images.dtype)


def benchmark(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, corruptions: Sequence[str] | None = None,
              severities: Sequence[int] = (1, 2, 3, 4, 5), seed: int = 0, mean: Sequence[float] = (0.0, 0.0, 0.0),
              std: Sequence[float] = (1.0, 1.0, 1.0), scale: str | None = None,
              batch_size: int = 500) -> tuple[pd.DataFrame, dict[str, float]]:
    """Evaluate ``model`` on ``images`` clean and under each corruption x severity (generated here, from ``seed``).

    ``corruptions`` defaults to RobustBench's 15; the model sees float N x 3 x H x W inputs ``(x - mean) / std`` with
    x in [0, 1] (RobustBench's convention: mean 0, std 1, the normalisation inside the model). Returns the tidy table
    (corruption, severity, n_images, accuracy, error, nll, ece; clean = severity 0) and the summary: ``clean_acc``
    and, with all 15 x 5 cells, ``corruptions_acc`` as RobustBench computes it (%), else the mean over the cells run.
    """
    from robopt.corruptions.engine import corrupt_all_severities
    from robopt.corruptions.sets import CorruptedSet
    from robopt.evaluate.evaluate import evaluate_model
    from robopt.evaluate.robustbench import ROBUSTBENCH_CORRUPTIONS, clean_accuracy, corruptions_accuracy

    batch, _, _, _ = as_uint8_nhwc(images)
    scale = scale or infer_scale(batch.shape[1], batch.shape[2])
    names = list(corruptions or ROBUSTBENCH_CORRUPTIONS)
    sets = [CorruptedSet(name, corrupt_all_severities(batch, name, scale, seed, severities).reshape(
        len(severities), *batch.shape), labels.cpu()) for name in names]
    table = evaluate_model(model, batch, labels, sets, list(mean), list(std), batch_size)
    # evaluate_model numbers the stacked severities 1..n: back to the severities asked for
    table["severity"] = table["severity"].map({0: 0, **{k + 1: s for k, s in enumerate(severities)}})
    summary = {"clean_acc": clean_accuracy(table)}
    complete = set(ROBUSTBENCH_CORRUPTIONS) <= set(names) and set(severities) == {1, 2, 3, 4, 5}
    summary["corruptions_acc"] = (corruptions_accuracy(table) if complete
                                  else 100 * float(table.loc[table["severity"] > 0, "accuracy"].mean()))
    return table, summary
