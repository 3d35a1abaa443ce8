"""The batched corruption engine: shapes, determinism, severity ordering, safety, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from robopt.corruptions import (
    corrupt_all_severities,
    read_corrupted,
    write_corrupted,
)
from robopt.corruptions.sets import write_labels
from robopt.errors import DatasetFormatError


def test_corrupted_set_roundtrip_and_checks(tmp_path, images):
    labels = torch.arange(64) % 10
    write_corrupted(corrupt_all_severities(images, "contrast", "cifar", seed=0), tmp_path / "contrast.npy")
    write_labels(labels, tmp_path / "labels.npy")
    loaded = read_corrupted(tmp_path, "contrast", expected_labels=labels)
    assert loaded.images.shape == (5, 64, 32, 32, 3) and torch.equal(loaded.labels, labels)
    with pytest.raises(DatasetFormatError, match="labels differ"):
        read_corrupted(tmp_path, "contrast", expected_labels=(labels + 1) % 10)
    np.save(tmp_path / "labels.npy", np.zeros(7, np.int64))
    with pytest.raises(DatasetFormatError, match="does not match"):
        read_corrupted(tmp_path, "contrast")


def test_jpeg_tree_layout_roundtrip_and_checks(tmp_path, images):
    """Tiny-ImageNet-C's layout: <corruption>/<severity>/<wnid>/*.JPEG, read through the same reader."""
    labels = torch.arange(64) % 4
    wnids = ["n01443537", "n01629819", "n01641577", "n01644900"]
    stacked = corrupt_all_severities(images, "fog", "cifar", seed=0)
    from robopt.corruptions.sets import write_corrupted_tree

    write_corrupted_tree(stacked, labels, wnids, tmp_path, "fog")
    assert len(list((tmp_path / "fog" / "3" / "n01629819").glob("*.JPEG"))) == 16
    loaded = read_corrupted(tmp_path, "fog", class_ids=wnids)
    assert loaded.images.shape == (5, 64, 32, 32, 3)
    order = sorted(range(64), key=lambda i: (wnids[int(labels[i])], i))  # the reader lists class folders in order
    assert torch.equal(loaded.labels, labels[order])
    expected = stacked.view(5, 64, 32, 32, 3)[:, order].float()
    assert (loaded.images.float() - expected).abs().mean() < 6  # only the JPEG-85 loss
    with pytest.raises(DatasetFormatError, match="class ids are needed"):
        read_corrupted(tmp_path, "fog")
    with pytest.raises(DatasetFormatError, match="not classes of the clean dataset"):
        read_corrupted(tmp_path, "fog", class_ids=wnids[:2])
    next((tmp_path / "fog" / "5" / "n01443537").glob("*.JPEG")).unlink()
    with pytest.raises(DatasetFormatError, match="do not hold the same files"):
        read_corrupted(tmp_path, "fog", class_ids=wnids)
