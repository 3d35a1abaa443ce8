"""The cached split format, the stratified split, the synthetic dataset and batched augmentation."""

from __future__ import annotations

import torch

from robopt.data import stratified_split


def test_stratified_split_is_seeded_disjoint_and_per_class():
    labels = torch.arange(1000) % 10
    fit, holdout = stratified_split(labels, 0.1, seed=0)
    assert len(holdout) == 100 and len(fit) == 900
    assert set(fit.tolist()).isdisjoint(holdout.tolist())
    assert torch.bincount(labels[holdout]).tolist() == [10] * 10
    assert torch.equal(holdout, stratified_split(labels, 0.1, seed=0)[1])
    assert not torch.equal(holdout, stratified_split(labels, 0.1, seed=1)[1])
