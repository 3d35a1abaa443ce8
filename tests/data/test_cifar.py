"""Readers of the official layouts, on tiny files written in those layouts."""

from __future__ import annotations

import urllib.error

import numpy as np
import pytest
import torch

from robopt.data import read_dataset
from robopt.errors import DatasetFormatError, DatasetNotFoundError


def test_cifar10_shapes_labels_order_and_layout(cifar10_root):
    with pytest.warns(UserWarning, match="data_batch_1 does not match the official md5"):
        splits = read_dataset("cifar10", {"root": cifar10_root, "download": False})
    train, test = splits["train"], splits["test"]
    assert train.images.shape == (20, 32, 32, 3) and train.images.dtype == torch.uint8
    assert test.images.shape == (3, 32, 32, 3)
    assert train.labels[:4].tolist() == [1, 1, 2, 3] and train.labels[4:8].tolist() == [2, 1, 2, 3]
    assert test.labels.tolist() == [9, 8, 7]
    assert train.class_names == [f"class{c}" for c in range(10)]
    # the red channel encodes the image index in file order; the green marker sits at row 0, col 0
    assert train.images[:, 5, 5, 0].tolist() == list(range(20))
    assert int(train.images[0, 0, 0, 1]) == 7 and int(train.images[0, 0, 1, 1]) == 0


def test_cifar100_fine_labels_and_coarse_kept(cifar100_root):
    with pytest.warns(UserWarning, match="official md5"):
        splits = read_dataset("cifar100", {"root": cifar100_root, "download": False})
    train = splits["train"]
    assert train.labels.tolist() == [0, 5, 99, 3, 4, 5]
    assert train.extra["coarse_labels"].tolist() == [0, 1, 19, 2, 3, 1]
    assert train.num_classes == 100 and train.class_names[99] == "fine99"
    assert splits["test"].images.shape == (2, 32, 32, 3)


def test_truncated_cifar_batch_fails_with_file_named(cifar10_root):
    path = cifar10_root / "cifar-10-batches-py" / "data_batch_3"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.warns(UserWarning), pytest.raises(DatasetFormatError, match="data_batch_3 is truncated or corrupt"):
        read_dataset("cifar10", {"root": cifar10_root, "download": False})


def test_wrong_shape_cifar_batch_is_reported(cifar10_root):
    from tests.conftest import write_pickle

    write_pickle(cifar10_root / "cifar-10-batches-py" / "test_batch", {"data": np.zeros((3, 100), np.uint8), "labels": [0, 1, 2]})
    with pytest.warns(UserWarning), pytest.raises(DatasetFormatError, match=r"expected \(N, 3072\) uint8"):
        read_dataset("cifar10", {"root": cifar10_root, "download": False})


def test_missing_cifar_names_layout_and_config_key(tmp_path):
    with pytest.raises(DatasetNotFoundError) as info:
        read_dataset("cifar10", {"root": tmp_path, "download": False})
    message = str(info.value)
    assert "cifar-10-batches-py" in message and "data.cifar10.root" in message and "data_batch_1" in message


def test_offline_download_gives_clear_message(tmp_path, monkeypatch):
    import torchvision.datasets  # the reader imports it when it reads (torchvision costs seconds at start-up)

    official = torchvision.datasets.CIFAR10

    class Offline:
        base_folder, train_list, test_list, meta = (
            official.base_folder, official.train_list, official.test_list, official.meta,
        )

        def __init__(self, *args, **kwargs):
            raise urllib.error.URLError("no network")

    monkeypatch.setattr(torchvision.datasets, "CIFAR10", Offline)
    with pytest.raises(DatasetNotFoundError, match="download into .* failed .*no network.*cifar-10-batches-py"):
        read_dataset("cifar10", {"root": tmp_path, "download": True})
