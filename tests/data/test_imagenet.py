"""The ILSVRC-2012 index on tiny fixtures in the official layouts: class folders, and flat val/ with the devkit."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from robopt.data.imagenet import read_imagenet_index
from robopt.errors import DatasetFormatError, DatasetNotFoundError

WNIDS = ["n01440764", "n01443537", "n01484850"]


def write_jpeg(path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, (12, 10, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, quality=90)


def write_train(root, per_class: int = 2) -> None:
    for k, wnid in enumerate(WNIDS):
        for i in range(per_class):
            write_jpeg(root / "train" / wnid / f"{wnid}_{i}.JPEG", 10 * k + i)


def write_devkit(root, truth_ids: list[int]) -> None:
    """meta.mat as the devkit has it (leaf synsets have no children; ID 4 is an inner node) and the ground truth."""
    import scipy.io

    fields = ["ILSVRC2012_ID", "WNID", "words", "gloss", "num_children", "children", "wordnet_height",
              "num_train_images"]
    entries = [(k + 1, wnid, f"class {k}", "", 0, np.zeros((0,)), 0, 2) for k, wnid in enumerate(reversed(WNIDS))]
    entries.append((4, "n00000004", "inner", "", 3, np.array([1, 2, 3]), 1, 0))
    synsets = np.array(entries, dtype=[(name, object) for name in fields])
    data = root / "ILSVRC2012_devkit_t12" / "data"
    data.mkdir(parents=True)
    scipy.io.savemat(data / "meta.mat", {"synsets": synsets})
    (data / "ILSVRC2012_validation_ground_truth.txt").write_text("".join(f"{i}\n" for i in truth_ids))


def test_train_and_validation_in_class_folders(tmp_path):
    write_train(tmp_path)
    for k, wnid in enumerate(WNIDS):
        write_jpeg(tmp_path / "val" / wnid / f"val_{k}.JPEG", 100 + k)
    index = read_imagenet_index(tmp_path)
    assert len(index["train"]) == 6 and index["train"].labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert index["test"].labels.tolist() == [0, 1, 2] and index["test"].wnids == WNIDS


def test_flat_validation_takes_its_labels_from_the_devkit(tmp_path):
    write_train(tmp_path)
    for i in range(1, 5):
        write_jpeg(tmp_path / "val" / f"ILSVRC2012_val_{i:08d}.JPEG", 200 + i)
    write_devkit(tmp_path, [1, 3, 2, 1])  # IDs 1..3 are the wnids in reverse order
    test = read_imagenet_index(tmp_path)["test"]
    assert [p.name for p in test.paths][:2] == ["ILSVRC2012_val_00000001.JPEG", "ILSVRC2012_val_00000002.JPEG"]
    assert [test.wnids[k] for k in test.labels] == [WNIDS[2], WNIDS[0], WNIDS[1], WNIDS[2]]


def test_missing_dataset_and_devkit_say_where_to_put_them(tmp_path):
    with pytest.raises(DatasetNotFoundError, match=r"(?s)never downloaded.*train/<wnid>/\*.JPEG"):
        read_imagenet_index(tmp_path)
    write_train(tmp_path)
    write_jpeg(tmp_path / "val" / "ILSVRC2012_val_00000001.JPEG", 0)
    with pytest.raises(DatasetNotFoundError, match="ILSVRC2012_devkit_t12/data/meta.mat"):
        read_imagenet_index(tmp_path)


def test_labels_that_do_not_match_the_images_are_refused(tmp_path):
    write_train(tmp_path)
    write_jpeg(tmp_path / "val" / "ILSVRC2012_val_00000001.JPEG", 0)
    write_devkit(tmp_path, [1, 2])
    with pytest.raises(DatasetFormatError, match="1 images but the devkit's ground truth 2 labels"):
        read_imagenet_index(tmp_path)
