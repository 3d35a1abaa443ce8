"""RobustBench's ImageNet protocol: its 5,000 listed images chosen by name from any copy, and its 224 x 224 resize."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from robopt.data.imagenet import ImageIndex
from robopt.data.imagenet_loader import eval_view, square_view
from robopt.data.robustbench_imagenet import listed_images, protocol_resize, protocol_test_sets, robustbench_image_ids
from robopt.errors import DatasetFormatError

WNIDS = ["n01440764", "n01443537", "n01484850"]


def test_the_copied_list_is_robustbenchs_5000_distinct_validation_images():
    ids = robustbench_image_ids()
    assert len(ids) == len(set(ids)) == 5000
    assert ids[0] == "n09468604/ILSVRC2012_val_00015253.JPEG" and len({image.split("/")[0] for image in ids}) == 997


def index_of(names: list[str]) -> ImageIndex:
    """An index of files named ``<wnid>/<file>`` (flat validation folders hold the same file names)."""
    labels = torch.tensor([WNIDS.index(name.split("/")[0]) for name in names])
    return ImageIndex([Path("root") / name for name in names], labels, WNIDS)


def test_the_listed_images_of_the_copys_classes_are_chosen_in_the_lists_order():
    ids = ["n01484850/b.JPEG", "n09999999/x.JPEG", "n01440764/a.JPEG"]  # a class the copy lacks is left out
    index = index_of(["n01440764/a.JPEG", "n01440764/z.JPEG", "n01484850/b.JPEG", "n01443537/c.JPEG"])
    chosen = listed_images(index, ids, "test")
    assert [path.name for path in chosen.paths] == ["b.JPEG", "a.JPEG"] and chosen.labels.tolist() == [2, 0]


def test_a_missing_listed_image_or_none_of_the_copys_classes_is_an_error():
    index = index_of(["n01440764/a.JPEG"])
    with pytest.raises(DatasetFormatError, match=r"1 of RobustBench's 2 listed images are missing \(e\.g\. n01440764/b"):
        listed_images(index, ["n01440764/a.JPEG", "n01440764/b.JPEG"], "test")
    with pytest.raises(DatasetFormatError, match="none of RobustBench's listed images"):
        listed_images(index, ["n09999999/x.JPEG"], "test")


def test_the_square_view_keeps_the_whole_image_where_the_evaluation_view_crops():
    image = torch.zeros(3, 100, 200, dtype=torch.uint8)
    image[:, :, :20] = 255  # a bright band at the left edge: cropped away by the centre crop, kept by the resize
    assert square_view(image).shape == eval_view(image).shape == (3, 224, 224)
    assert square_view(image)[:, :, 0].float().mean() > 200 and eval_view(image)[:, :, 0].float().mean() == 0
    assert protocol_resize("robustbench", "imagenet_c") == "square" and protocol_resize("robustbench", "clean") == "crop"
    assert protocol_resize("pipeline", "imagenet_c") == "crop"
    assert protocol_test_sets("robustbench", ["imagenet_a", "imagenet_c"]) == ["clean", "imagenet_c"]
    assert protocol_test_sets("pipeline", ["imagenet_a"]) == ["clean", "imagenet_a"]
