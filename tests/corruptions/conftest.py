"""Shared fixtures of the corruption tests."""

from __future__ import annotations

import pytest
import torch

from robopt.data.synthetic import generate_synthetic


@pytest.fixture(scope="module")
def images() -> torch.Tensor:
    """64 synthetic 32 px images (uint8 NHWC)."""
    return generate_synthetic(64, seed=0).images
