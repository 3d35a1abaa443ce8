"""JPEG compression: encode and decode every image with libjpeg at the severity's quality (as PIL does)."""

from __future__ import annotations

import torch


def jpeg_compression(x: torch.Tensor, quality: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Round trip through JPEG; torchvision's batched libjpeg (nvJPEG on CUDA) codes each image independently."""
    from torchvision.io import decode_jpeg, encode_jpeg  # here: torchvision.io pulls in torch._dynamo (seconds)

    levels = torch.round(x * 255.0).clamp(0, 255).to(torch.uint8).permute(0, 3, 1, 2).contiguous()
    encoded = encode_jpeg(list(levels), quality=int(quality))
    decoded = decode_jpeg(encoded, device=x.device)
    return torch.stack(decoded).permute(0, 2, 3, 1).to(x.dtype) / 255.0
