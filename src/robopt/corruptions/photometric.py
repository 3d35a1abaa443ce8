"""Deterministic photometric corruptions (brightness, contrast, saturate) on float NHWC batches in [0, 1].

Brightness and saturate change one HSV channel as the scripts do with skimage, written in closed form.
"""

from __future__ import annotations

import torch


def brightness(x: torch.Tensor, amount: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Add ``amount`` to the HSV value channel, clip to [0, 1], convert back.

    With hue and saturation fixed, HSV -> RGB is linear in the value, so the round trip is a per-pixel rescaling.
    """
    value = x.amax(-1, keepdim=True)
    brighter = (value + amount).clamp(0.0, 1.0)
    return torch.where(value > 0, x * (brighter / value.clamp_min(1e-12)), brighter.expand_as(x))


def contrast(x: torch.Tensor, factor: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Scale the deviation from each image's per-channel spatial mean by ``factor``."""
    means = x.mean(dim=(1, 2), keepdim=True)
    return (x - means) * factor + means


def saturate(x: torch.Tensor, parameter: tuple[float, float], generator: torch.Generator | None = None) -> torch.Tensor:
    """HSV saturation s -> clip(s * scale + offset, 0, 1) with hue and value kept, as skimage's round trip.

    With h and v fixed every channel is v * (1 - a * s), a in [0, 1] set by the hue, so the new channel is
    v - (v - x) * s' / s; grey pixels (hue 0) become (v, v (1 - s'), v (1 - s')).
    """
    scale, offset = parameter
    value = x.amax(-1, keepdim=True)
    delta = value - x.amin(-1, keepdim=True)
    saturation = torch.where(value > 0, delta / value.clamp_min(1e-12), 0.0)
    new_saturation = (saturation * scale + offset).clamp(0.0, 1.0)
    coloured = value - (value - x) * value * new_saturation / delta.clamp_min(1e-12)
    grey_hue = torch.tensor([0.0, 1.0, 1.0], dtype=x.dtype, device=x.device)
    greyed = value * (1 - grey_hue * new_saturation)
    return torch.where(delta > 0, coloured, greyed)
