"""Shared fixtures of the training tests."""

from __future__ import annotations

import pytest

from robopt.data.synthetic import generate_synthetic


@pytest.fixture(scope="module")
def train_split():
    """128 synthetic training images."""
    return generate_synthetic(128, seed=0)
