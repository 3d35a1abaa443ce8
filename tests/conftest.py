"""Shared fixtures: tiny files written in the official dataset layouts."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from robopt.allocator import export_job_allocator

REPO = Path(__file__).resolve().parents[1]
# Inherited by the parallel test workers (started after this file is read) and every subprocess: OpenMP threads
# sleep rather than spin while they wait (workers and their Snakemake jobs share the cores), and glibc keeps freed
# tensors' memory as the workflow's jobs do.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
export_job_allocator()
#: The longest test modules (each over a minute on 2 cores, `pytest --durations`), started first so that parallel
#: workers (`make test`: one module per worker at a time) finish together instead of one waiting on the last of them.
LONGEST_MODULES = ("workflow/test_demo_dag.py", "imagenet/test_workflow.py", "workflow/test_slurm.py", "test_docs.py",
                   "workflow/test_distributed_jobs.py", "workflow/test_reweighting_dag.py")


def module_rank(item: pytest.Item) -> tuple[int, int]:
    """Longest modules first (in LONGEST_MODULES' order), then modules with slow tests, then the rest."""
    name = Path(item.fspath).relative_to(REPO / "tests").as_posix()
    if name in LONGEST_MODULES:
        return 0, LONGEST_MODULES.index(name)
    return (1 if item.get_closest_marker("slow") else 2), 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    first_rank: dict[str, tuple[int, int]] = {}
    for item in items:
        rank = module_rank(item)
        first_rank[item.fspath] = min(first_rank.get(item.fspath, rank), rank)
    items.sort(key=lambda item: first_rank[item.fspath])  # stable: a module's tests keep their order


def write_pickle(path: Path, obj: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        pickle.dump(obj, handle, protocol=2)


def cifar_rows(n: int, offset: int) -> np.ndarray:
    """Images whose pixel values encode their index, as CHW-flattened rows."""
    images = np.zeros((n, 32, 32, 3), np.uint8)
    for i in range(n):
        images[i, :, :, 0] = (offset + i) % 256
        images[i, 0, 0, 1] = 7  # a marker at (row 0, col 0, green) to check the layout
    return images.transpose(0, 3, 1, 2).reshape(n, 3072)


@pytest.fixture
def cifar10_root(tmp_path: Path) -> Path:
    folder = tmp_path / "cifar-10-batches-py"
    for k in range(1, 6):
        write_pickle(folder / f"data_batch_{k}", {"data": cifar_rows(4, 4 * (k - 1)), "labels": [k % 10, 1, 2, 3]})
    write_pickle(folder / "test_batch", {"data": cifar_rows(3, 100), "labels": [9, 8, 7]})
    write_pickle(folder / "batches.meta", {"label_names": [f"class{c}" for c in range(10)]})
    return tmp_path


@pytest.fixture
def cifar100_root(tmp_path: Path) -> Path:
    folder = tmp_path / "cifar-100-python"
    write_pickle(folder / "train", {"data": cifar_rows(6, 0), "fine_labels": [0, 5, 99, 3, 4, 5], "coarse_labels": [0, 1, 19, 2, 3, 1]})
    write_pickle(folder / "test", {"data": cifar_rows(2, 50), "fine_labels": [1, 2], "coarse_labels": [4, 5]})
    write_pickle(folder / "meta", {"fine_label_names": [f"fine{c}" for c in range(100)],
                                   "coarse_label_names": [f"coarse{c}" for c in range(20)]})
    return tmp_path


@pytest.fixture
def tinyimagenet_root(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny-imagenet-200"
    wnids = ["n01443537", "n01629819"]
    (folder / "val" / "images").mkdir(parents=True)
    (folder / "wnids.txt").write_text("\n".join(wnids) + "\n")
    (folder / "words.txt").write_text("n01443537\tgoldfish, Carassius auratus\nn01629819\tEuropean fire salamander\n")
    for c, wnid in enumerate(wnids):
        images = folder / "train" / wnid / "images"
        images.mkdir(parents=True)
        for k in range(3):
            Image.new("RGB", (64, 64), (40 * c, 10 * k, 0)).save(images / f"{wnid}_{k}.JPEG", quality=95)
        (folder / "train" / wnid / f"{wnid}_boxes.txt").write_text("")
    annotations = []
    for k, wnid in enumerate(["n01629819", "n01443537", "n01629819"]):
        Image.new("L", (64, 64), 30 * k).save(folder / "val" / "images" / f"val_{k}.JPEG")  # grayscale, as some are
        annotations.append(f"val_{k}.JPEG\t{wnid}\t0\t0\t63\t63")
    (folder / "val" / "val_annotations.txt").write_text("\n".join(annotations) + "\n")
    return tmp_path


SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


def raw_config(*names: str) -> dict:
    """The config files ``names`` (under the repository; bare names under config/) layered in order, unvalidated."""
    import yaml

    from robopt.config import merge_configs

    config: dict = {}
    for name in names or ("demo.yaml",):
        path = REPO / name if "/" in name else REPO / "config" / name
        config = merge_configs(config, yaml.safe_load(path.read_text()))
    return config


def validated(config: dict) -> dict:
    """A copy of ``config`` validated by the schema (defaults filled in) and the cross-key checks."""
    import copy

    from robopt.config import check_config, validate_config

    config = copy.deepcopy(config)
    validate_config(config, SCHEMA)
    check_config(config)
    return config


#: What a prepared dataset's meta.json gives a training job (normalisation and corruption scale).
FAKE_META = {"mean": [0.5] * 3, "std": [0.25] * 3, "corruption_scale": "cifar", "num_classes": 10}


def train_settings(variant: str = "sgd", config: dict | None = None, dataset: str = "synthetic", **changes):
    """TrainSettings of one demo variant, built the way the DAG builds them (config -> variant -> settings)."""
    import dataclasses

    from robopt.train import TrainSettings
    from robopt.variants import training_job, variants

    config = validated(config or raw_config())
    job = training_job(config, dataset, variants(config, dataset)[variant])
    return dataclasses.replace(TrainSettings.from_config(job, FAKE_META), **changes)


def small_settings(epochs: int = 3, variant: str = "sgd"):
    """The demo's training settings of ``variant`` at a test size (batch 32, lr 0.05, fixed normalisation)."""
    return train_settings(variant, epochs=epochs, batch_size=32, lr=0.05, mean=[0.5] * 3, std=[0.25] * 3)
