"""Readers for the official CIFAR-10 and CIFAR-100 python layouts (with torchvision download)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from robopt.data.checks import chw_rows_to_nhwc, require_files, unpickle, warn_on_checksum_mismatch
from robopt.data.format import ImageSplit
from robopt.errors import DatasetFormatError, DatasetNotFoundError

CIFAR10_LAYOUT = """  <root>/cifar-10-batches-py/
      data_batch_1 ... data_batch_5   (pickled dicts: data (10000, 3072) uint8, labels)
      test_batch                      (same, 10000 images)
      batches.meta                    (label_names)"""

CIFAR100_LAYOUT = """  <root>/cifar-100-python/
      train   (pickled dict: data (50000, 3072) uint8, fine_labels, coarse_labels)
      test    (same, 10000 images)
      meta    (fine_label_names, coarse_label_names)"""


def _download(tv_class: type, root: Path, dataset: str) -> None:
    """Fetch the official archive with torchvision; offline gives a clear message."""
    try:
        tv_class(str(root), train=True, download=True)
    except Exception as err:  # noqa: BLE001 - any network/archive failure means the same to the user
        raise DatasetNotFoundError(
            f"{dataset}: download into {root} failed ({type(err).__name__}: {err}). "
            f"Without internet, put the official python version under {root}/{tv_class.base_folder}/ "
            f"and set `data.{dataset}.download: false`."
        ) from err


def _ensure(tv_class: type, root: Path, download: bool, dataset: str, layout: str) -> Path:
    folder = root / tv_class.base_folder
    names = [name for name, _ in tv_class.train_list + tv_class.test_list] + [tv_class.meta["filename"]]
    if download and not all((folder / name).exists() for name in names):
        _download(tv_class, root, dataset)
    require_files(folder, names, dataset, f"data.{dataset}", layout)
    for name, md5 in tv_class.train_list + tv_class.test_list:
        warn_on_checksum_mismatch(folder / name, md5, dataset)
    return folder


def _split(folder: Path, names: list[str], label_key: str, class_names: list[str], extra_key: str | None) -> ImageSplit:
    images, labels, extra = [], [], []
    for name in names:
        batch = unpickle(folder / name)
        if "data" not in batch or label_key not in batch:
            raise DatasetFormatError(f"{folder / name} lacks the keys 'data' and '{label_key}'")
        images.append(chw_rows_to_nhwc(batch["data"], folder / name))
        labels.append(np.asarray(batch[label_key], dtype=np.int64))
        if len(labels[-1]) != len(images[-1]):
            raise DatasetFormatError(f"{folder / name}: {len(images[-1])} images but {len(labels[-1])} labels")
        if extra_key:
            extra.append(np.asarray(batch[extra_key], dtype=np.int64))
    extras = {extra_key: torch.from_numpy(np.concatenate(extra))} if extra_key else {}
    return ImageSplit(
        torch.from_numpy(np.ascontiguousarray(np.concatenate(images))),
        torch.from_numpy(np.concatenate(labels)),
        class_names,
        extras,
    )


def read_cifar10(root: str | Path, download: bool) -> dict[str, ImageSplit]:
    """CIFAR-10 train and test splits from ``root/cifar-10-batches-py/``."""
    from torchvision.datasets import CIFAR10  # its file lists and checksums; imported here, it costs seconds

    folder = _ensure(CIFAR10, Path(root), download, "cifar10", CIFAR10_LAYOUT)
    class_names = list(unpickle(folder / CIFAR10.meta["filename"])[CIFAR10.meta["key"]])
    return {
        "train": _split(folder, [name for name, _ in CIFAR10.train_list], "labels", class_names, None),
        "test": _split(folder, [name for name, _ in CIFAR10.test_list], "labels", class_names, None),
    }


def read_cifar100(root: str | Path, download: bool) -> dict[str, ImageSplit]:
    """CIFAR-100 train and test splits (fine labels; coarse labels kept as ``extra``)."""
    from torchvision.datasets import CIFAR100

    folder = _ensure(CIFAR100, Path(root), download, "cifar100", CIFAR100_LAYOUT)
    class_names = list(unpickle(folder / CIFAR100.meta["filename"])[CIFAR100.meta["key"]])
    return {
        split: _split(folder, [name for name, _ in files], "fine_labels", class_names, "coarse_labels")
        for split, files in (("train", CIFAR100.train_list), ("test", CIFAR100.test_list))
    }
