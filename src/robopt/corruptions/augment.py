"""Corruption as training augmentation (DAMP Alg. 2): a random half of each batch is corrupted on the device."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from robopt.corruptions.engine import CORRUPTIONS, corrupt_batch
from robopt.corruptions.parameters import SEVERITIES


class CorruptHalf:
    """Corrupts a random half of a uint8 NHWC batch with a random (corruption, severity) from the given lists.

    The paper does not state the severity it trained with; by default each batch draws one uniformly from 1..5.
    """

    def __init__(self, corruptions: Sequence[str], scale: str, severities: Sequence[int] = SEVERITIES) -> None:
        for name in corruptions:
            CORRUPTIONS.get(name)
        if not corruptions or not severities or any(s not in SEVERITIES for s in severities):
            raise ValueError(f"need at least one corruption and severities within {SEVERITIES}, got {severities}")
        self.corruptions, self.scale, self.severities = list(corruptions), scale, list(severities)

    def __call__(self, images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        n = images.shape[0]
        device = images.device
        pick = torch.randint(0, len(self.corruptions) * len(self.severities), (1,), generator=generator, device=device)
        corruption = self.corruptions[int(pick) // len(self.severities)]
        severity = self.severities[int(pick) % len(self.severities)]
        chosen = torch.randperm(n, generator=generator, device=device)[: n // 2]
        out = images.clone()
        out[chosen] = corrupt_batch(images[chosen], corruption, severity, self.scale, generator)
        return out
