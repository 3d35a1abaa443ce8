"""The batched corruption engine: shapes, determinism, severity ordering, safety, bad input."""

from __future__ import annotations

import pytest

from robopt.corruptions import (
    severity_parameter,
)


def test_parameters_come_from_the_table():
    assert severity_parameter("cifar", "gaussian_noise", 1) == 0.04
    assert severity_parameter("tinyimagenet", "shot_noise", 5) < severity_parameter("tinyimagenet", "shot_noise", 1)
    with pytest.raises(ValueError, match="severity"):
        severity_parameter("cifar", "gaussian_noise", 6)
