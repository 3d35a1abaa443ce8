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


# Consecutive severities whose mean pixel change falls in the original CIFAR parameter table itself (measured
# on synthetic and CIFAR-10 images, see docs/corruptions.md); every other step must increase the change.
ORIGINAL_TABLE_DROPS = {
    "glass_blur": {(2, 3), (4, 5)},  # more pre-blur, same shuffle: a smoother image changes less when shuffled
    "motion_blur": {(3, 4)},  # radius 6 -> 8 at sigma 2 only adds taps of weight < 1e-9
    "frost": {(3, 4), (4, 5)},  # image weight 0.9 -> 0.85 -> 0.75 darkens while the frost brightens
    "elastic_transform": {(1, 2), (2, 3), (3, 4), (4, 5)},  # affine jitter 2.56 -> 0.96 px shrinks, warp grows
    "spatter": {(3, 4)},  # water drops (severities 1-3) -> mud (4-5)
    "saturate": {(2, 3)},  # x0.1 desaturation, then x1.5 saturation
}


def mean_change(images: torch.Tensor, name: str) -> list[float]:
    return [
        float((corrupt_batch(images, name, s, "cifar", make_generator(0, "cpu")).float() - images.float()).abs().mean())
        for s in range(1, 6)
    ]


def cifar10_sample() -> torch.Tensor | None:
    """The first 500 CIFAR-10 test images when the decoded dataset is present (it is not in CI)."""
    from robopt.data.cifar import read_cifar10

    try:
        return read_cifar10("resources/cifar10")["test"].images[:500]
    except Exception:  # noqa: BLE001 - absent or partial dataset: the synthetic check still runs
        return None


@pytest.mark.parametrize("name", CORRUPTIONS.names())
def test_mean_change_grows_with_severity(images, name):
    samples = [generate_synthetic(300, seed=5).images, cifar10_sample()]
    for sample in [s for s in samples if s is not None]:
        change = mean_change(sample, name)
        for severity, (weaker, stronger) in enumerate(zip(change, change[1:], strict=False), start=1):
            if (severity, severity + 1) not in ORIGINAL_TABLE_DROPS.get(name, set()):
                assert weaker < stronger, (name, severity, change)


@pytest.mark.parametrize("name", CORRUPTIONS.names())
def test_no_nan_reaches_the_cast_and_no_frame_collapses(name):
    """Every severity on 1,500 images plus black, white and constant frames: finite floats, no all-black frame."""
    from robopt.corruptions.parameters import corruption_options

    constant = torch.stack([torch.full((32, 32, 3), v, dtype=torch.uint8) for v in (0, 1, 128, 254, 255)])
    batch = torch.cat([generate_synthetic(1500, seed=9).images, constant])
    function = CORRUPTIONS.get(name)
    for severity in range(1, 6):
        floats = function(
            batch.float() / 255, severity_parameter("cifar", name, severity), make_generator(severity, "cpu"),
            **corruption_options("cifar", name),
        )
        assert torch.isfinite(floats).all(), (name, severity)
        out = corrupt_batch(batch, name, severity, "cifar", make_generator(severity, "cpu"))
        black_out = (out == 0).flatten(1).all(1)
        black_in = (batch <= 8).flatten(1).all(1)  # JPEG may round a (1, 1, 1) frame to black, legitimately
        assert not (black_out & ~black_in).any(), (name, severity, int((black_out & ~black_in).sum()))


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
