"""The DAMP learning-rate schedule: constant, linear decay between two milestones, constant."""

from __future__ import annotations


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
