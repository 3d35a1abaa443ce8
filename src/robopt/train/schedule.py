"""The DAMP learning-rate schedules: CIFAR/Tiny-ImageNet's constant, linear decay between two milestones, constant;
ImageNet's linear warm-up then cosine decay."""

from __future__ import annotations

import math


def lr_factor(progress: float, milestones: tuple[float, float] = (0.5, 0.9), final_ratio: float = 0.01) -> float:
    """Multiplier of the base lr at ``progress`` = epoch / epochs (DAMP ``utils.py`` LrScheduler).

    1 while progress <= first milestone, linear down to ``final_ratio`` at the second, then constant.
    """
    start, end = milestones
    if not 0.0 <= start <= end <= 1.0:
        raise ValueError(f"lr milestones must satisfy 0 <= start <= end <= 1, got {milestones}")
    if progress <= start:
        return 1.0
    if progress >= end:
        return final_ratio
    return 1.0 - (1.0 - final_ratio) * (progress - start) / (end - start)


def warmup_cosine_factor(progress: float, warmup_fraction: float, start_ratio: float, final_ratio: float) -> float:
    """Multiplier of the base lr at ``progress`` (fraction of all steps): linear from ``start_ratio`` to 1 over the
    first ``warmup_fraction``, then a half cosine to ``final_ratio`` at the end: DAMP App. F's ImageNet schedules
    (ResNet-50: 8e-4 -> 0.8 over 5 epochs -> 8e-4; ViT-S/16: 1e-6 -> 1e-3 over 10k steps -> 0), in the form optax's
    ``warmup_cosine_decay_schedule`` computes (the reference's training scripts were not compared line by line)."""
    if not 0.0 <= warmup_fraction < 1.0:
        raise ValueError(f"the warm-up must be a fraction of training in [0, 1), got {warmup_fraction}")
    if progress < warmup_fraction:
        return start_ratio + (1.0 - start_ratio) * progress / warmup_fraction
    decayed = min((progress - warmup_fraction) / (1.0 - warmup_fraction), 1.0)
    return final_ratio + (1.0 - final_ratio) * 0.5 * (1.0 + math.cos(math.pi * decayed))
