"""The scripts' final cast of [0, 1] floats to uint8, shared by the engine and by glass blur's intermediate step."""

from __future__ import annotations

import torch

# Float32 noise can leave an exact level k just below k; the scripts compute in float64 and truncate.
UINT8_SLACK = 1e-3


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """[0, 1] floats -> uint8 by clipping then truncating, as ``np.uint8(x * 255)`` does; NaN becomes 0."""
    return x.mul(255.0).add_(UINT8_SLACK).nan_to_num_(nan=0.0).clamp_(0.0, 255.0).to(torch.uint8)
