"""The front door: robopt.corrupt in every layout and dtype, the scale from the image size, robopt.benchmark's
table and RobustBench aggregate against values computed by hand."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import robopt
from robopt.corruptions.engine import corrupt_all_severities, corrupt_batch, make_generator
from robopt.errors import RoboptError


def batch(size: int = 32, n: int = 6) -> torch.Tensor:
    return torch.randint(0, 256, (n, size, size, 3), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))


def test_every_layout_and_dtype_gives_the_engines_bytes_back_in_the_callers_form():
    images = batch()
    expected = corrupt_batch(images, "fog", 3, "cifar", make_generator(0, "cpu"))
    assert torch.equal(robopt.corrupt(images, "fog", severity=3, seed=0), expected)
    nchw = robopt.corrupt(images.permute(0, 3, 1, 2).contiguous(), "fog", severity=3, seed=0)
    assert nchw.shape == (6, 3, 32, 32) and torch.equal(nchw, expected.permute(0, 3, 1, 2))
    as_float = robopt.corrupt(images.permute(0, 3, 1, 2).float() / 255, "fog", severity=3, seed=0)
    assert as_float.dtype == torch.float32 and float(as_float.max()) <= 1.0
    assert torch.equal((as_float * 255).round().to(torch.uint8), expected.permute(0, 3, 1, 2))
    one = robopt.corrupt(images[0], "fog", severity=3, seed=0)
    assert one.shape == (32, 32, 3)


def test_the_scale_comes_from_the_image_size():
    images = batch(64, 2)
    expected = corrupt_batch(images, "zoom_blur", 2, "tinyimagenet", make_generator(5, "cpu"))
    assert torch.equal(robopt.corrupt(images, "zoom_blur", severity=2, seed=5), expected)
    with pytest.raises(RoboptError, match="no corruption parameters for 40 x 40 images"):
        robopt.corrupt(batch(40, 1), "fog")
    assert robopt.corrupt(batch(40, 1), "fog", scale="cifar").shape == (1, 40, 40, 3)
    with pytest.raises(RoboptError, match="N x H x W x 3"):
        robopt.corrupt(torch.zeros(2, 5, 5, 5, dtype=torch.uint8), "fog")
    assert {"corrupt", "benchmark"} <= set(dir(robopt)) and "corrupt_batch" in dir(robopt.corruptions)


class Brightness(nn.Module):
    """Class 1 when the mean of a [0, 1] NCHW image exceeds 0.5, else class 0."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert x.shape[1] == 3 and 0 <= float(x.min()) and float(x.max()) <= 1
        bright = (x.mean(dim=(1, 2, 3)) > 0.5).float()
        return torch.stack([1 - bright, bright], dim=1) * 10


def test_benchmark_table_and_aggregate_match_a_hand_count():
    images = batch(32, 40)
    labels = (images.float().mean(dim=(1, 2, 3)) / 255 > 0.5).long()  # every clean image right
    table, summary = robopt.benchmark(Brightness(), images, labels, corruptions=["brightness", "contrast"],
                                      severities=[1, 5], seed=3)
    assert summary["clean_acc"] == 100.0
    stacked = {name: corrupt_all_severities(images, name, "cifar", 3, [1, 5]).reshape(2, *images.shape)
               for name in ("brightness", "contrast")}
    for name, severities in stacked.items():
        for index, severity in enumerate((1, 5)):
            hand = float(((severities[index].float().mean(dim=(1, 2, 3)) / 255 > 0.5).long() == labels).float().mean())
            row = table[(table["corruption"] == name) & (table["severity"] == severity)]
            assert float(row["accuracy"].iloc[0]) == pytest.approx(hand), (name, severity)
    corrupted = table[table["severity"] > 0]
    assert summary["corruptions_acc"] == pytest.approx(100 * corrupted["accuracy"].mean())
    assert sorted(corrupted["severity"].unique()) == [1, 5]
