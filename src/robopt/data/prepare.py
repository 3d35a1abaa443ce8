"""Convert any supported dataset once into the cached format (``<split>.pt`` + ``meta.json``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from robopt.data.cifar import read_cifar10, read_cifar100
from robopt.data.format import ImageSplit, save_split
from robopt.data.synthetic import read_synthetic
from robopt.data.tinyimagenet import read_tinyimagenet
from robopt.io import sha256_file, write_json
from robopt.registry import Registry

DATASETS: Registry[Callable[..., dict[str, ImageSplit]]] = Registry("dataset")
DATASETS.register("cifar10")(read_cifar10)
DATASETS.register("cifar100")(read_cifar100)
DATASETS.register("tinyimagenet")(read_tinyimagenet)
DATASETS.register("synthetic")(read_synthetic)

#: Which corruption-parameter table (image scale) each dataset uses.
CORRUPTION_SCALE = {"cifar10": "cifar", "cifar100": "cifar", "synthetic": "cifar", "tinyimagenet": "tinyimagenet"}


def read_dataset(name: str, source: dict[str, Any]) -> dict[str, ImageSplit]:
    """All splits of dataset ``name``; ``source`` holds the reader's keyword arguments."""
    return DATASETS.get(name)(**source)


def channel_stats(images: torch.Tensor) -> tuple[list[float], list[float]]:
    """Per-channel mean and std on the [0, 1] scale, computed in float64."""
    pixels = images.reshape(-1, images.shape[-1]).double() / 255.0
    return pixels.mean(0).tolist(), pixels.std(0).tolist()


def prepare_dataset(name: str, source: dict[str, Any], out_dir: str | Path) -> dict[str, Any]:
    """Write ``train.pt``, ``test.pt`` and ``meta.json`` for ``name`` into ``out_dir``; return the metadata."""
    out_dir = Path(out_dir)
    splits = read_dataset(name, source)
    meta: dict[str, Any] = {
        "dataset": name,
        "source": {k: str(v) for k, v in source.items()},
        "class_names": splits["train"].class_names,
        "num_classes": splits["train"].num_classes,
        "corruption_scale": CORRUPTION_SCALE[name],
        "splits": {},
    }
    meta["mean"], meta["std"] = channel_stats(splits["train"].images)
    for split_name, split in splits.items():
        path = out_dir / f"{split_name}.pt"
        save_split(split, path)
        meta["splits"][split_name] = {
            "file": path.name,
            "shape": list(split.images.shape),
            "labels": len(split.labels),
            "sha256": sha256_file(path),
        }
    write_json(meta, out_dir / "meta.json")
    return meta
