"""The -C datasets on disk: the CIFAR-10-C layout (``<corruption>.npy``, 5N x H x W x 3, + ``labels.npy``) and the
Tiny-ImageNet-C / ImageNet-C layout (``<corruption>/<severity>/<class id>/<image>.JPEG``), read through one function."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from robopt.corruptions.parameters import SEVERITIES
from robopt.errors import DatasetFormatError, DatasetNotFoundError
from robopt.io import atomic_path

TREE_JPEG_QUALITY = 85  # the original Tiny-ImageNet-C / ImageNet-C scripts save JPEG quality 85


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


def write_corrupted_tree(
    stacked: torch.Tensor, labels: torch.Tensor, class_ids: list[str], folder: str | Path, corruption: str
) -> None:
    """Export severities stacked in order as ``folder/<corruption>/<severity>/<class id>/<k>.JPEG`` (quality 85)."""
    n_severities = len(SEVERITIES)
    images = stacked.cpu().numpy().reshape(n_severities, -1, *stacked.shape[1:])
    for severity, block in zip(SEVERITIES, images, strict=True):
        for index, (image, label) in enumerate(zip(block, labels.tolist(), strict=True)):
            path = Path(folder) / corruption / str(severity) / class_ids[label] / f"{index:06d}.JPEG"
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:
                Image.fromarray(image).save(tmp, "JPEG", quality=TREE_JPEG_QUALITY, optimize=True)


def list_corrupted_tree(folder: str | Path, corruption: str, class_ids: list[str]) -> tuple[list[list[Path]],
                                                                                         torch.Tensor]:
    """The files of ``folder/<corruption>/<severity>/<class id>/*`` per severity (1..5, the same names in each) and
    their labels (positions in ``class_ids``): the layout of Tiny-ImageNet-C, ImageNet-C and ImageNet-C-bar."""
    root = Path(folder) / corruption
    index = {class_id: k for k, class_id in enumerate(class_ids)}
    listings = []
    for severity in SEVERITIES:
        files = sorted((root / str(severity)).glob("*/*"))
        if not files:
            raise DatasetNotFoundError(f"{root / str(severity)} holds no images (expected <class id>/<image> files)")
        listings.append(files)
    names = [[f.relative_to(root / str(s)) for f in files] for s, files in zip(SEVERITIES, listings, strict=True)]
    if any(other != names[0] for other in names[1:]):
        raise DatasetFormatError(f"{root}: the severity folders do not hold the same files")
    unknown = sorted({name.parent.name for name in names[0]} - set(index))
    if unknown:
        raise DatasetFormatError(f"{root}: class folders {unknown[:5]} are not classes of the clean dataset")
    return listings, torch.tensor([index[name.parent.name] for name in names[0]], dtype=torch.int64)


def read_corrupted_tree(folder: str | Path, corruption: str, class_ids: list[str]) -> CorruptedSet:
    """Read ``folder/<corruption>/<severity>/<class id>/*.JPEG`` into memory (a small set: Tiny-ImageNet-C)."""
    listings, labels = list_corrupted_tree(folder, corruption, class_ids)
    blocks = []
    for files in listings:
        arrays = []
        for path in files:
            try:
                with Image.open(path) as image:
                    arrays.append(np.asarray(image.convert("RGB")))
            except (UnidentifiedImageError, OSError) as err:
                raise DatasetFormatError(f"{path} is truncated or not an image ({err})") from err
        blocks.append(np.stack(arrays))
    return CorruptedSet(corruption, torch.from_numpy(np.stack(blocks)), labels)


def is_tree_layout(folder: str | Path, corruption: str) -> bool:
    """Whether ``folder`` holds ``corruption`` as a JPEG folder tree; the ``.npy`` file wins where both exist."""
    folder = Path(folder)
    return (folder / corruption).is_dir() and not (folder / f"{corruption}.npy").exists()


def corrupted_set_files(folder: str | Path, corruptions: list[str]) -> list[str]:
    """The files of a -C set as the DAG names them: ``<c>.npy`` or a ``<c>/`` tree per corruption, then
    ``labels.npy`` where any corruption is in the CIFAR-10-C layout."""
    trees = [name for name in corruptions if is_tree_layout(folder, name)]
    paths = [f"{folder}/{name}" if name in trees else f"{folder}/{name}.npy" for name in corruptions]
    return paths + ([] if len(trees) == len(corruptions) else [f"{folder}/labels.npy"])


def read_corrupted(
    folder: str | Path, corruption: str, expected_labels: torch.Tensor | None = None, class_ids: list[str] | None = None
) -> CorruptedSet:
    """Read ``folder/<corruption>.npy`` + ``labels.npy`` or, where only ``folder/<corruption>/`` exists, the
    JPEG folder layout (labels from the class folders, ``class_ids`` in class-index order), with shape and label checks."""
    folder = Path(folder)
    if is_tree_layout(folder, corruption):
        if class_ids is None:
            raise DatasetFormatError(f"{folder / corruption} is a JPEG folder tree; its class ids are needed to read it")
        return read_corrupted_tree(folder, corruption, class_ids)
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
