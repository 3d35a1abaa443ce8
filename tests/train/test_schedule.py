"""The lr schedule, the SGD method and the resumable, deterministic training loop."""

from __future__ import annotations

import pytest

from robopt.train import lr_factor


def test_lr_schedule_boundaries():
    assert lr_factor(0.0) == 1.0 and lr_factor(0.5) == 1.0
    assert lr_factor(0.7) == pytest.approx(1.0 - 0.99 * 0.5)
    assert lr_factor(0.9) == pytest.approx(0.01) and lr_factor(1.0) == pytest.approx(0.01)
    # DAMP CIFAR: 0.1 to epoch 150 of 300, linear to 0.001 at epoch 270
    assert 0.1 * lr_factor(150 / 300) == pytest.approx(0.1)
    assert 0.1 * lr_factor(270 / 300) == pytest.approx(0.001)
    with pytest.raises(ValueError, match="milestones"):
        lr_factor(0.3, (0.9, 0.5))
