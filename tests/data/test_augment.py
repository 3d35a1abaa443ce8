"""The cached split format, the stratified split, the synthetic dataset and batched augmentation."""

from __future__ import annotations

import torch

from robopt.data import random_crop_flip


def test_random_crop_flip_is_a_shifted_window_or_its_mirror():
    images = torch.arange(2 * 6 * 6 * 3, dtype=torch.int64).remainder(251).to(torch.uint8).view(2, 6, 6, 3)
    out = random_crop_flip(images, padding=2, generator=torch.Generator().manual_seed(0))
    assert out.shape == images.shape and out.dtype == torch.uint8
    padded = torch.nn.functional.pad(images, (0, 0, 2, 2, 2, 2))
    for i in range(2):
        windows = [padded[i, y : y + 6, x : x + 6] for y in range(5) for x in range(5)]
        assert any(torch.equal(out[i], w) or torch.equal(out[i], w.flip(1)) for w in windows)
    again = random_crop_flip(images, padding=2, generator=torch.Generator().manual_seed(0))
    assert torch.equal(out, again)
