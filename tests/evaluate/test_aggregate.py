"""Metrics on hand-made logits, the evaluation table and its aggregation."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from robopt.errors import RoboptError
from robopt.evaluate import (
    TIDY_COLUMNS,
    collect,
    corruption_error,
    error_by_severity,
)
from robopt.evaluate.aggregate import UNBIASED


def tidy(rows):
    """Tidy metric rows; a row's ``method`` is also its variant id unless it names one."""
    base = {"dataset": "d", "model": "m", "train_corruption": "none", "sigma": None, "n_images": 10, "accuracy": 0.0,
            "nll": 0.0, "ece": 0.0, "corruption_source": "generated", **UNBIASED}
    return pd.DataFrame([{**base, "variant": row["method"], **row} for row in rows])[TIDY_COLUMNS]


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
    assert (summary["variant"] == "sgd").all() and (summary["train_corruption"] == "none").all()
    assert summary.loc[0, "error_mean"] == pytest.approx(12.0)
    assert summary.loc[1, "error_mean"] == pytest.approx(35.0)
    assert summary.loc[1, "error_std"] == pytest.approx(math.sqrt(50.0))
    assert summary.loc[1, "n_seeds"] == 2


def test_tiny_imagenet_pools_the_15_released_corruptions_cifar_all():
    rows = []
    for dataset in ("tinyimagenet", "cifar10"):
        rows += [{"dataset": dataset, "method": "sgd", "seed": 0, "corruption": "clean", "severity": 0, "error": 5.0},
                 {"dataset": dataset, "method": "sgd", "seed": 0, "corruption": "fog", "severity": 1, "error": 20.0},
                 {"dataset": dataset, "method": "sgd", "seed": 0, "corruption": "saturate", "severity": 1,
                  "error": 60.0}]
    summary = error_by_severity(tidy(rows)).set_index(["dataset", "severity"])["error_mean"]
    assert summary[("tinyimagenet", 1)] == pytest.approx(20.0)  # saturate is not in Tiny-ImageNet-C
    assert summary[("cifar10", 1)] == pytest.approx(40.0)
    assert summary[("tinyimagenet", 0)] == pytest.approx(5.0)


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
                rows.append({"method": method, "seed": seed, "corruption": "gaussian_noise", "severity": severity,
                             "error": 20.0 * severity * scale + jitter})
                rows.append({"method": method, "seed": seed, "corruption": "saturate", "severity": severity,
                             "error": 40.0 if method == "sgd" else 60.0})
    rows += [{**row, "variant": "sgd_aug_fog", "method": "sgd", "train_corruption": "fog"} for row in rows
             if row["method"] == "damp"]
    table = corruption_error(tidy(rows)).set_index("variant")
    assert table.loc["sgd_aug_fog", ["method", "train_corruption"]].tolist() == ["sgd", "fog"]
    assert table.loc["sgd_aug_fog", "avg"] == table.loc["damp", "avg"]
    assert table.loc["sgd", ["gaussian_noise", "saturate", "none", "avg", "avg_all"]].tolist() == [1.0] * 5
    assert table.loc["damp", "gaussian_noise"] == pytest.approx(0.5)
    assert table.loc["damp", "saturate"] == pytest.approx(1.5)
    assert table.loc["damp", "none"] == pytest.approx(0.5)
    assert table.loc["damp", "avg"] == pytest.approx((0.5 + 0.5) / 2)  # the paper's columns (saturate is not one)
    assert table.loc["damp", "avg_all"] == pytest.approx((0.5 + 1.5 + 0.5) / 3)  # every evaluated corruption
    with pytest.raises(RoboptError, match="baseline variant 'sgd'"):
        corruption_error(tidy([r for r in rows if r.get("variant", r["method"]) != "sgd"]))
