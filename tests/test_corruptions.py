"""The batched corruption engine: shapes, determinism, severity ordering, safety, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from robopt.corruptions import (
    CORRUPTIONS,
    add_gaussian_noise,
    corrupt_all_severities,
    corrupt_batch,
    make_generator,
    read_corrupted,
    severity_parameter,
    write_corrupted,
)
from robopt.corruptions.sets import write_labels
from robopt.data.synthetic import generate_synthetic
from robopt.errors import DatasetFormatError, UnknownNameError


@pytest.fixture(scope="module")
def images() -> torch.Tensor:
    return generate_synthetic(64, seed=0).images


def test_parameters_come_from_the_table():
    assert severity_parameter("cifar", "gaussian_noise", 1) == 0.04
    assert severity_parameter("tinyimagenet", "shot_noise", 5) < severity_parameter("tinyimagenet", "shot_noise", 1)
    with pytest.raises(ValueError, match="severity"):
        severity_parameter("cifar", "gaussian_noise", 6)


@pytest.mark.parametrize("name", CORRUPTIONS.names())
def test_shape_dtype_and_determinism(images, name):
    first = corrupt_batch(images, name, 3, "cifar", make_generator(1, "cpu"))
    again = corrupt_batch(images, name, 3, "cifar", make_generator(1, "cpu"))
    assert first.shape == images.shape and first.dtype == torch.uint8
    assert torch.equal(first, again)
    assert not torch.equal(first, images)


@pytest.mark.parametrize("name", CORRUPTIONS.names())
def test_mean_change_grows_with_severity(images, name):
    change = [
        (corrupt_batch(images, name, s, "cifar", make_generator(0, "cpu")).float() - images.float()).abs().mean()
        for s in range(1, 6)
    ]
    assert all(a < b for a, b in zip(change, change[1:], strict=False)), change


@pytest.mark.parametrize("name", CORRUPTIONS.names())
def test_constant_images_never_collapse_or_overflow(name):
    constant = torch.stack([torch.full((32, 32, 3), v, dtype=torch.uint8) for v in (0, 1, 128, 254, 255)])
    out = corrupt_batch(constant, name, 5, "cifar", make_generator(0, "cpu"))
    assert out.dtype == torch.uint8
    assert (out[2].float().mean() - 128).abs() < 40  # a mid-grey image stays mid-grey on average


def test_stacked_severities_layout(images):
    stacked = corrupt_all_severities(images, "gaussian_noise", "cifar", seed=0, chunk=20)
    assert stacked.shape == (5 * 64, 32, 32, 3)
    assert torch.equal(stacked, corrupt_all_severities(images, "gaussian_noise", "cifar", seed=0, chunk=20))
    noise = (stacked.float().view(5, 64, 32, 32, 3) - images.float()).std(dim=(1, 2, 3, 4))
    assert torch.all(noise[1:] > noise[:-1])


def test_gaussian_noise_at_arbitrary_scale(images):
    grey = torch.full((16, 32, 32, 3), 128, dtype=torch.uint8)
    noisy = add_gaussian_noise(grey, 0.05, make_generator(0, "cpu"))
    assert abs(float(noisy.float().std()) / 255 - 0.05) < 0.005
    assert torch.equal(add_gaussian_noise(grey, 0.0, make_generator(0, "cpu")), grey)


def test_unknown_corruption_lists_valid_names(images):
    with pytest.raises(UnknownNameError, match="valid names: .*gaussian_noise"):
        corrupt_batch(images, "gausian_noise", 1, "cifar", make_generator(0, "cpu"))


def test_bad_batches_get_clear_errors(images):
    with pytest.raises(DatasetFormatError, match="uint8"):
        corrupt_batch(images.float(), "gaussian_noise", 1, "cifar", make_generator(0, "cpu"))
    with pytest.raises(DatasetFormatError, match="N x H x W x 3"):
        corrupt_batch(images.permute(0, 3, 1, 2), "gaussian_noise", 1, "cifar", make_generator(0, "cpu"))


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


def test_corrupt_half_changes_exactly_half_the_batch(images):
    from robopt.corruptions import CorruptHalf

    augment = CorruptHalf(["gaussian_noise", "contrast"], "cifar")
    out = augment(images, make_generator(0, "cpu"))
    changed = (out != images).flatten(1).any(1)
    assert out.dtype == torch.uint8 and int(changed.sum()) == 32
    assert torch.equal(out, augment(images, make_generator(0, "cpu")))
    with pytest.raises(UnknownNameError, match="valid names"):
        CorruptHalf(["fog_typo"], "cifar")
    with pytest.raises(ValueError, match="severities"):
        CorruptHalf(["contrast"], "cifar", severities=[6])
