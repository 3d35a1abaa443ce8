"""Biased training sets: exact class counts and noise counts for a fixed seed, the documented order, bad values."""

from __future__ import annotations

import pytest
import torch

from robopt.data.bias import (
    BIASED,
    bias_labels,
    bias_training_set,
    carve_meta_set,
    check_bias,
    check_held_out,
    imbalance,
    long_tail_sizes,
    noisy_labels,
)
from robopt.data.format import ImageSplit
from robopt.errors import ConfigError


def balanced(per_class: int = 40, classes: int = 5) -> ImageSplit:
    n = per_class * classes
    generator = torch.Generator().manual_seed(0)
    return ImageSplit(torch.randint(0, 256, (n, 8, 8, 3), dtype=torch.uint8, generator=generator),
                      torch.arange(n) % classes, [f"c{k}" for k in range(classes)])


def block(**changes) -> dict:
    bias = {"seed": 0, "meta_set": {"per_class": 4, "corruptions": [], "severities": [1, 2, 3, 4, 5]},
            "imbalance": 1, "label_noise": {"kind": "uniform", "rate": 0.0},
            "corrupted_copies": {"fraction": 0, "corruptions": [], "severities": [1, 2, 3, 4, 5]}}
    for key, value in changes.items():
        bias[key] = {**bias[key], **value} if isinstance(value, dict) else value
    return bias


def test_meta_set_takes_per_class_images_of_every_class_disjoint_from_the_rest():
    labels = balanced().labels
    rest, meta = carve_meta_set(labels, 4, torch.Generator().manual_seed(0))
    assert torch.bincount(labels[meta]).tolist() == [4] * 5
    assert len(set(rest.tolist()) & set(meta.tolist())) == 0 and len(rest) + len(meta) == len(labels)


def test_long_tail_sizes_follow_the_imbalance_factor():
    assert long_tail_sizes(5000, 10, 100) == [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    kept = imbalance(balanced(40).labels, 10, torch.Generator().manual_seed(0))
    assert torch.bincount(balanced(40).labels[kept]).tolist() == long_tail_sizes(40, 5, 10)


def test_flip_noise_moves_exactly_round_r_n_of_each_class_to_one_other_class():
    labels = balanced(40).labels
    noisy = noisy_labels(labels, 5, "flip", 0.3, torch.Generator().manual_seed(0))
    for cls in range(5):
        changed = noisy[(labels == cls) & (noisy != labels)]
        assert len(changed) == 12 and len(changed.unique()) == 1 and int(changed[0]) != cls


def test_uniform_noise_relabels_round_r_n_per_class_from_all_classes():
    labels = torch.arange(10_000) % 10
    noisy = noisy_labels(labels, 10, "uniform", 0.4, torch.Generator().manual_seed(0))
    rate = float((noisy != labels).float().mean())
    assert rate == pytest.approx(0.4 * 0.9, abs=0.015)  # r (K-1)/K change, as the transition matrix r/K + (1-r) I
    again = noisy_labels(labels, 10, "uniform", 0.4, torch.Generator().manual_seed(0))
    assert torch.equal(noisy, again)


def test_bias_order_meta_then_imbalance_then_noise_then_subset():
    train = balanced(40)
    biased = bias_training_set(train, block(imbalance=4, label_noise={"kind": "flip", "rate": 0.25}), None, "cifar")
    assert torch.bincount(biased.meta.labels).tolist() == [4] * 5  # carved before the imbalance
    true_sizes = long_tail_sizes(36, 5, 4)
    assert len(biased.train) == sum(true_sizes)
    assert int(biased.train.extra[BIASED].sum()) == sum(round(0.25 * n) for n in true_sizes)
    subset = bias_training_set(train, block(label_noise={"rate": 0.25}), 60, "cifar")
    n = len(subset.train)  # stratified by the observed labels: rounding per class
    assert abs(n - 60) <= 5 and subset.train.extra[BIASED].shape == (n,)


def test_corrupted_copies_are_added_and_marked_and_a_corrupted_meta_set_differs():
    train = balanced(40)
    clean = bias_training_set(train, block(), None, "cifar")
    copies = bias_training_set(train, block(corrupted_copies={"fraction": 0.5, "corruptions": ["gaussian_noise"]},
                                            meta_set={"corruptions": ["speckle_noise"]}), None, "cifar")
    assert len(copies.train) == len(clean.train) + 90 and int(copies.train.extra[BIASED].sum()) == 90
    assert not torch.equal(copies.meta.images, clean.meta.images)
    assert torch.equal(copies.meta.labels, clean.meta.labels)


@pytest.mark.parametrize(("changes", "message"), [
    ({"label_noise": {"rate": 1.0}}, r"bias\.label_noise\.rate = 1\.0"),
    ({"label_noise": {"rate": -0.1}}, r"bias\.label_noise\.rate = -0\.1"),
    ({"imbalance": 0.5}, r"bias\.imbalance = 0\.5"),
    ({"corrupted_copies": {"fraction": 0.5}}, r"bias\.corrupted_copies\.fraction = 0\.5 needs"),
])
def test_bad_values_give_one_line_errors_naming_the_key(changes, message):
    with pytest.raises(ConfigError, match=message) as error:
        check_bias(block(**changes), "bias")
    assert "\n" not in str(error.value)


def test_a_meta_set_larger_than_a_class_is_named():
    with pytest.raises(ConfigError, match=r"bias\.meta_set\.per_class = 40 leaves no training image"):
        bias_training_set(balanced(40), block(meta_set={"per_class": 40}), None, "cifar")


def test_a_meta_set_corrupted_with_a_test_corruption_is_refused():
    with pytest.raises(ConfigError, match="shares fog with corruptions.names"):
        check_held_out(block(meta_set={"corruptions": ["fog", "spatter"]}), ["fog", "snow"], "bias")


def test_bias_labels():
    assert bias_labels(None) == {"label_noise": "none", "noise_rate": 0.0, "imbalance": 1.0, "meta_set": "none"}
    assert bias_labels(block(label_noise={"rate": 0.4}))["label_noise"] == "uniform"
