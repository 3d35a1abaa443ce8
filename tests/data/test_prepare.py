"""The cached split format, the stratified split, the synthetic dataset and batched augmentation."""

from __future__ import annotations

import json

from robopt.data import prepare_dataset


def test_prepare_writes_meta_with_checksums(tmp_path):
    meta = prepare_dataset("synthetic", {"n_train": 50, "n_test": 20, "seed": 1, "size": 32}, tmp_path)
    on_disk = json.loads((tmp_path / "meta.json").read_text())
    assert on_disk == meta
    assert meta["splits"]["train"]["shape"] == [50, 32, 32, 3] and meta["num_classes"] == 10
    assert len(meta["splits"]["test"]["sha256"]) == 64 and len(meta["mean"]) == 3
