"""The cached split format, the stratified split, the synthetic dataset and batched augmentation."""

from __future__ import annotations

import pytest
import torch

from robopt.data import ImageSplit, load_split, save_split
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
