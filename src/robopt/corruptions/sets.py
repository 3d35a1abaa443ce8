"""The -C datasets on disk in the CIFAR-10-C layout: ``<corruption>.npy`` (5N x H x W x 3) + ``labels.npy``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from robopt.corruptions.parameters import SEVERITIES
from robopt.errors import DatasetFormatError, DatasetNotFoundError
from robopt.io import atomic_path


@dataclass
class CorruptedSet:
    """All severities of one corruption: ``images[s - 1]`` holds severity ``s`` (N x H x W x 3)."""

    corruption: str
    images: torch.Tensor  # (5, N, H, W, 3) uint8
    labels: torch.Tensor  # (N,) int64

    def severity(self, severity: int) -> torch.Tensor:
        return self.images[severity - 1]


def write_corrupted(stacked: torch.Tensor, path: str | Path) -> None:
    """Write severities stacked in order as one uint8 ``.npy`` file, atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, stacked.cpu().numpy())


def write_labels(labels: torch.Tensor, path: str | Path, repeats: int = len(SEVERITIES)) -> None:
    """``labels.npy``: the test labels repeated once per severity, as CIFAR-10-C ships them."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, np.tile(labels.cpu().numpy().astype(np.int64), repeats))


def read_corrupted(folder: str | Path, corruption: str, expected_labels: torch.Tensor | None = None) -> CorruptedSet:
    """Read ``folder/<corruption>.npy`` and ``folder/labels.npy`` (ours or the official release) with checks."""
    folder = Path(folder)
    path, labels_path = folder / f"{corruption}.npy", folder / "labels.npy"
    for needed in (path, labels_path):
        if not needed.exists():
            raise DatasetNotFoundError(f"corrupted set file {needed} is missing (expected the CIFAR-10-C layout)")
    try:
        images = np.load(path, mmap_mode="r")
        labels = np.load(labels_path)
    except (ValueError, OSError) as err:
        raise DatasetFormatError(f"{path} or {labels_path} is truncated or corrupt ({err})") from err
    n_severities = len(SEVERITIES)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[0] % n_severities or images.shape[-1] != 3:
        raise DatasetFormatError(
            f"{path}: shape {images.shape} dtype {images.dtype}; expected ({n_severities}*N, H, W, 3) uint8"
        )
    if labels.shape != (images.shape[0],):
        raise DatasetFormatError(f"{labels_path}: shape {labels.shape} does not match {path} ({images.shape[0]} rows)")
    n = images.shape[0] // n_severities
    per_severity = labels.reshape(n_severities, n)
    if not (per_severity == per_severity[0]).all():
        raise DatasetFormatError(f"{labels_path}: the label blocks of the {n_severities} severities differ")
    label_tensor = torch.from_numpy(per_severity[0].astype(np.int64))
    if expected_labels is not None and not torch.equal(label_tensor, expected_labels[:n].cpu()):
        raise DatasetFormatError(f"{labels_path}: labels differ from the first {n} clean test labels")
    stacked = torch.from_numpy(np.array(images)).view(n_severities, n, *images.shape[1:])
    return CorruptedSet(corruption, stacked, label_tensor)
