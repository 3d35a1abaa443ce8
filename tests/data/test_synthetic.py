"""The cached split format, the stratified split, the synthetic dataset and batched augmentation."""

from __future__ import annotations

import torch

from robopt.data.synthetic import generate_synthetic


def test_synthetic_is_deterministic_balanced_and_seed_dependent():
    a, b, c = generate_synthetic(200, seed=5), generate_synthetic(200, seed=5), generate_synthetic(200, seed=6)
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.images, c.images)
    assert torch.bincount(a.labels).tolist() == [20] * 10
    assert a.images.float().std() > 30  # not a blank image set
