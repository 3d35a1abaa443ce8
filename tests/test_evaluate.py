"""Metrics on hand-made logits, the evaluation table and its aggregation."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import torch

from robopt.corruptions.sets import CorruptedSet
from robopt.errors import RoboptError
from robopt.evaluate import (
    TIDY_COLUMNS,
    classification_metrics,
    collect,
    corruption_error,
    error_by_severity,
    evaluate_model,
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


class Constant(torch.nn.Module):
    """Predicts class 1 for images brighter than mid-grey, else class 0."""

    def __init__(self):
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x):
        bright = (x.mean(dim=(1, 2, 3)) > 0).float()
        return torch.stack([1 - bright, bright], 1) * 10


def test_evaluation_table_rows():
    images = torch.cat([torch.full((3, 4, 4, 3), 200, dtype=torch.uint8), torch.full((3, 4, 4, 3), 20, dtype=torch.uint8)])
    labels = torch.tensor([1, 1, 1, 0, 0, 0])
    darkened = CorruptedSet("dark", torch.stack([images // (s + 2) for s in range(5)]), labels)
    table = evaluate_model(Constant(), images, labels, [darkened], mean=[0.5] * 3, std=[0.5] * 3)
    assert list(table["corruption"]) == ["clean"] + ["dark"] * 5
    assert list(table["severity"]) == [0, 1, 2, 3, 4, 5]
    assert table["accuracy"].tolist() == [1.0, 0.5, 0.5, 0.5, 0.5, 0.5]


def tidy(rows):
    base = {"dataset": "d", "model": "m", "n_images": 10, "accuracy": 0.0, "nll": 0.0, "ece": 0.0}
    return pd.DataFrame([{**base, **row} for row in rows])[TIDY_COLUMNS]


def test_error_by_severity_averages_corruptions_then_seeds():
    frame = tidy([
        {"method": "sgd", "seed": 0, "corruption": "clean", "severity": 0, "error": 10.0},
        {"method": "sgd", "seed": 0, "corruption": "a", "severity": 1, "error": 20.0},
        {"method": "sgd", "seed": 0, "corruption": "b", "severity": 1, "error": 40.0},
        {"method": "sgd", "seed": 1, "corruption": "clean", "severity": 0, "error": 14.0},
        {"method": "sgd", "seed": 1, "corruption": "a", "severity": 1, "error": 30.0},
        {"method": "sgd", "seed": 1, "corruption": "b", "severity": 1, "error": 50.0},
    ])
    summary = error_by_severity(frame).set_index("severity")
    assert summary.loc[0, "error_mean"] == pytest.approx(12.0)
    assert summary.loc[1, "error_mean"] == pytest.approx(35.0)
    assert summary.loc[1, "error_std"] == pytest.approx(math.sqrt(50.0))
    assert summary.loc[1, "n_seeds"] == 2


def test_collect_names_file_and_missing_column(tmp_path):
    good = tidy([{"method": "sgd", "seed": 0, "corruption": "clean", "severity": 0, "error": 1.0}])
    good.to_csv(tmp_path / "good.csv", index=False)
    good.drop(columns=["ece"]).to_csv(tmp_path / "bad.csv", index=False)
    assert len(collect([tmp_path / "good.csv"])) == 1
    with pytest.raises(RoboptError, match=r"bad.csv lacks column\(s\) ece"):
        collect([tmp_path / "good.csv", tmp_path / "bad.csv"])
    with pytest.raises(RoboptError, match="missing.csv does not exist"):
        collect([tmp_path / "missing.csv"])


def test_corruption_error_normalised_by_sgd():
    rows = []
    for method, scale in (("sgd", 1.0), ("damp", 0.5)):
        for seed, jitter in ((0, -1.0), (1, 1.0)):
            rows.append({"method": method, "seed": seed, "corruption": "clean", "severity": 0, "error": 10 * scale + jitter})
            for severity in range(1, 6):
                rows.append({"method": method, "seed": seed, "corruption": "noise", "severity": severity,
                             "error": 20.0 * severity * scale + jitter})
                rows.append({"method": method, "seed": seed, "corruption": "blur", "severity": severity,
                             "error": 40.0 if method == "sgd" else 60.0})
    table = corruption_error(tidy(rows)).set_index("method")
    assert table.loc["sgd", ["noise", "blur", "none", "avg"]].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert table.loc["damp", "noise"] == pytest.approx(0.5)
    assert table.loc["damp", "blur"] == pytest.approx(1.5)
    assert table.loc["damp", "none"] == pytest.approx(0.5)
    assert table.loc["damp", "avg"] == pytest.approx((0.5 + 1.5 + 0.5) / 3)
    with pytest.raises(RoboptError, match="baseline method 'sgd'"):
        corruption_error(tidy([r for r in rows if r["method"] == "damp"]))
