"""The cached split format, the stratified split, the synthetic dataset and batched augmentation."""

from __future__ import annotations

import json

import pytest
import torch

from robopt.data import ImageSplit, load_split, prepare_dataset, random_crop_flip, save_split, stratified_split
from robopt.data.synthetic import CLASS_NAMES, generate_synthetic
from robopt.errors import DatasetFormatError


def test_save_load_roundtrip(tmp_path):
    split = generate_synthetic(30, seed=3)
    save_split(split, tmp_path / "s.pt")
    loaded = load_split(tmp_path / "s.pt")
    assert torch.equal(loaded.images, split.images) and torch.equal(loaded.labels, split.labels)
    assert loaded.class_names == CLASS_NAMES


def test_truncated_cached_split_is_reported(tmp_path):
    save_split(generate_synthetic(30, seed=3), tmp_path / "s.pt")
    data = (tmp_path / "s.pt").read_bytes()
    (tmp_path / "s.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetFormatError, match="truncated or corrupt"):
        load_split(tmp_path / "s.pt")


def test_image_split_rejects_bad_shapes():
    with pytest.raises(DatasetFormatError, match="uint8"):
        ImageSplit(torch.zeros(2, 8, 8, 3), torch.zeros(2, dtype=torch.long), ["a"])
    with pytest.raises(DatasetFormatError, match="NHWC"):
        ImageSplit(torch.zeros(2, 3, 8, 8, dtype=torch.uint8), torch.zeros(2, dtype=torch.long), ["a"])
    with pytest.raises(DatasetFormatError, match="labels have shape"):
        ImageSplit(torch.zeros(2, 8, 8, 3, dtype=torch.uint8), torch.zeros(3, dtype=torch.long), ["a"])


def test_prepare_writes_meta_with_checksums(tmp_path):
    meta = prepare_dataset("synthetic", {"n_train": 50, "n_test": 20, "seed": 1}, tmp_path)
    on_disk = json.loads((tmp_path / "meta.json").read_text())
    assert on_disk == meta
    assert meta["splits"]["train"]["shape"] == [50, 32, 32, 3] and meta["num_classes"] == 10
    assert len(meta["splits"]["test"]["sha256"]) == 64 and len(meta["mean"]) == 3


def test_synthetic_is_deterministic_balanced_and_seed_dependent():
    a, b, c = generate_synthetic(200, seed=5), generate_synthetic(200, seed=5), generate_synthetic(200, seed=6)
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.images, c.images)
    assert torch.bincount(a.labels).tolist() == [20] * 10
    assert a.images.float().std() > 30  # not a blank image set


def test_stratified_split_is_seeded_disjoint_and_per_class():
    labels = torch.arange(1000) % 10
    fit, holdout = stratified_split(labels, 0.1, seed=0)
    assert len(holdout) == 100 and len(fit) == 900
    assert set(fit.tolist()).isdisjoint(holdout.tolist())
    assert torch.bincount(labels[holdout]).tolist() == [10] * 10
    assert torch.equal(holdout, stratified_split(labels, 0.1, seed=0)[1])
    assert not torch.equal(holdout, stratified_split(labels, 0.1, seed=1)[1])


def test_random_crop_flip_is_a_shifted_window_or_its_mirror():
    images = torch.arange(2 * 6 * 6 * 3, dtype=torch.int64).remainder(251).to(torch.uint8).view(2, 6, 6, 3)
    out = random_crop_flip(images, padding=2, generator=torch.Generator().manual_seed(0))
    assert out.shape == images.shape and out.dtype == torch.uint8
    padded = torch.nn.functional.pad(images, (0, 0, 2, 2, 2, 2))
    for i in range(2):
        windows = [padded[i, y : y + 6, x : x + 6] for y in range(5) for x in range(5)]
        assert any(torch.equal(out[i], w) or torch.equal(out[i], w.flip(1)) for w in windows)
    again = random_crop_flip(images, padding=2, generator=torch.Generator().manual_seed(0))
    assert torch.equal(out, again)
