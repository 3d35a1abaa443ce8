"""Seeded stratified hold-out split, as the DAMP paper tunes on 10% of the training set."""

from __future__ import annotations

import torch


def stratified_split(labels: torch.Tensor, fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (fit, holdout): ``fraction`` of each class (rounded) goes to the hold-out set."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation fraction must be in (0, 1), got {fraction}")
    generator = torch.Generator().manual_seed(seed)
    labels = labels.cpu()
    holdout = []
    for cls in torch.unique(labels):
        members = torch.nonzero(labels == cls).flatten()
        members = members[torch.randperm(len(members), generator=generator)]
        holdout.append(members[: int(round(fraction * len(members)))])
    holdout_index = torch.sort(torch.cat(holdout)).values
    mask = torch.ones(len(labels), dtype=torch.bool)
    mask[holdout_index] = False
    return torch.nonzero(mask).flatten(), holdout_index


def training_subset(train, count: int):
    """``count`` images of ``train`` (an ``ImageSplit`` or an ImageNet ``ImageIndex``), stratified by class with split
    seed 0: every seed and method of a config trains on the same images (an overfitting regime with fewer images, or
    a reduced ImageNet run)."""
    import dataclasses

    from robopt.data.imagenet import ImageIndex

    if count >= len(train):
        return train
    _, kept = stratified_split(train.labels, count / len(train), seed=0)
    if isinstance(train, ImageIndex):
        return dataclasses.replace(train, paths=[train.paths[k] for k in kept.tolist()], labels=train.labels[kept])
    return train.subset(kept)
