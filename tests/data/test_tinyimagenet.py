"""Readers of the official layouts, on tiny files written in those layouts."""

from __future__ import annotations

import pytest

from robopt.data import read_dataset
from robopt.errors import DatasetFormatError, DatasetNotFoundError


def test_tinyimagenet_train_and_val_as_test(tinyimagenet_root):
    splits = read_dataset("tinyimagenet", {"root": tinyimagenet_root, "download": False})
    train, test = splits["train"], splits["test"]
    assert train.images.shape == (6, 64, 64, 3) and train.labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert test.labels.tolist() == [1, 0, 1]
    assert test.images.shape == (3, 64, 64, 3)  # grayscale files are converted to RGB
    assert train.class_names == ["goldfish, Carassius auratus", "European fire salamander"]
    assert abs(int(train.images[3, 10, 10, 0]) - 40) <= 3  # class 1 was drawn with red = 40


def test_truncated_tinyimagenet_image_is_named(tinyimagenet_root):
    path = tinyimagenet_root / "tiny-imagenet-200" / "val" / "images" / "val_1.JPEG"
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(DatasetFormatError, match="val_1.JPEG is truncated"):
        read_dataset("tinyimagenet", {"root": tinyimagenet_root, "download": False})


def test_missing_tinyimagenet_names_layout(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="tiny-imagenet-200.*val_annotations.txt|val_annotations.txt"):
        read_dataset("tinyimagenet", {"root": tmp_path, "download": False})
