"""JPEG compression: encode and decode every image with libjpeg at the severity's quality (as PIL does)."""

from __future__ import annotations

import torch


def jpeg_compression(x: torch.Tensor, quality: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Round trip through JPEG with torchvision's batched libjpeg on the CPU, whatever ``x``'s device: libjpeg is what
    PIL (the reference scripts) uses, nvJPEG's coder differs from it, and torchvision decodes on CUDA only from CPU
    bytes. Each image is coded independently; the result goes back to ``x``'s device."""
    from torchvision.io import decode_jpeg, encode_jpeg  # here: torchvision.io pulls in torch._dynamo (seconds)

    levels = torch.round(x * 255.0).clamp(0, 255).to(torch.uint8).permute(0, 3, 1, 2).cpu().contiguous()
    decoded = torch.stack(decode_jpeg(encode_jpeg(list(levels), quality=int(quality))))
    return decoded.to(x.device).permute(0, 2, 3, 1).to(x.dtype) / 255.0
