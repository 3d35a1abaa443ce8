"""Metrics on hand-made logits, the evaluation table and its aggregation."""

from __future__ import annotations

import math

import pytest
import torch

from robopt.evaluate import (
    classification_metrics,
    expected_calibration_error,
)


def test_metrics_by_hand():
    logits = torch.log(torch.tensor([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.8]]))
    targets = torch.tensor([0, 1, 1, 1])
    metrics = classification_metrics(logits, targets)
    assert metrics["accuracy"] == 0.75 and metrics["error"] == pytest.approx(25.0)
    assert metrics["nll"] == pytest.approx(-(math.log(0.9) + math.log(0.7) + math.log(0.4) + math.log(0.8)) / 4)
    # 15 bins: confidences 0.9 | 0.7 | 0.6 | 0.8 fall in separate bins; |conf - correct| averaged
    assert metrics["ece"] == pytest.approx((0.1 + 0.3 + 0.6 + 0.2) / 4)


def test_ece_zero_for_perfectly_calibrated_bin():
    probabilities = torch.tensor([[0.5, 0.5]] * 4)
    assert expected_calibration_error(probabilities, torch.tensor([0, 1, 0, 1])) == pytest.approx(0.0)
