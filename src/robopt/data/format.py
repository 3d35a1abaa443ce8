"""The uniform cached format every dataset is converted to once.

A split is one ``.pt`` file holding a dict with ``images`` (uint8, N x H x W x C),
``labels`` (int64, N) and ``class_names``; ``meta.json`` beside it records shapes,
the source and the sha256 of each split file. Later rules read a split with one call.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import torch

from robopt.errors import DatasetFormatError
from robopt.images import check_images
from robopt.io import save_torch


@dataclass
class ImageSplit:
    """Images as a uint8 NHWC tensor with integer labels and the class names."""

    images: torch.Tensor
    labels: torch.Tensor
    class_names: list[str]
    extra: dict[str, torch.Tensor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_images(self.images, "images")
        if self.labels.shape != (self.images.shape[0],):
            raise DatasetFormatError(
                f"labels have shape {tuple(self.labels.shape)}, expected ({self.images.shape[0]},)"
            )
        if len(self.labels) and int(self.labels.max()) >= len(self.class_names):
            raise DatasetFormatError(
                f"label {int(self.labels.max())} is out of range for {len(self.class_names)} class names"
            )

    def __len__(self) -> int:
        return self.images.shape[0]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def to(self, device: torch.device | str) -> ImageSplit:
        """The same split on ``device`` (images stay uint8: 4x less memory than float)."""
        return ImageSplit(
            self.images.to(device),
            self.labels.to(device),
            self.class_names,
            {k: v.to(device) for k, v in self.extra.items()},
        )

    def subset(self, index: torch.Tensor) -> ImageSplit:
        return ImageSplit(
            self.images[index], self.labels[index], self.class_names, {k: v[index] for k, v in self.extra.items()}
        )


def save_split(split: ImageSplit, path: str | os.PathLike) -> None:
    """Write one split atomically in the cached format."""
    payload = {
        "images": split.images.contiguous().cpu(),
        "labels": split.labels.cpu(),
        "class_names": list(split.class_names),
        "extra": {k: v.cpu() for k, v in split.extra.items()},
    }
    save_torch(payload, path)


def load_split(path: str | os.PathLike, device: torch.device | str = "cpu") -> ImageSplit:
    """Read one cached split and move it onto ``device`` in one call."""
    path = Path(path)
    if not path.exists():
        raise DatasetFormatError(f"cached split {path} does not exist; run the prepare_dataset rule first")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        split = ImageSplit(payload["images"], payload["labels"], payload["class_names"], payload.get("extra", {}))
    except (RuntimeError, EOFError, KeyError, OSError) as err:
        raise DatasetFormatError(f"cached split {path} is truncated or corrupt ({err}); delete it and rerun") from err
    return split.to(device)


def load_meta(path: str | os.PathLike) -> dict:
    """The ``meta.json`` of a prepared dataset (classes, channel statistics, corruption scale, checksums)."""
    path = Path(path)
    if not path.exists():
        raise DatasetFormatError(f"dataset metadata {path} is missing; rerun the prepare_dataset rule")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise DatasetFormatError(f"dataset metadata {path} is not valid JSON ({err})") from err


def load_training_data(path: str | os.PathLike):
    """A training split: a cached split held in memory, or (``*.index.pt``) an ImageNet index the loader streams."""
    from robopt.data.imagenet import INDEX_SUFFIX, load_index

    return load_index(path) if str(path).endswith(INDEX_SUFFIX) else load_split(path)
