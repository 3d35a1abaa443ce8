"""The leaderboard from a hand-made metrics table: means and spreads over seeds, RobustBench's 15 x 5 mean apart
from the mean over every cell, external models and RobustBench's stored values beside a known one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from robopt.evaluate import TIDY_COLUMNS
from robopt.evaluate.leaderboard import leaderboard, leaderboard_markdown_frame
from robopt.evaluate.robustbench import ROBUSTBENCH_CORRUPTIONS


def model_rows(variant: str, method: str, seed: int, clean: float, rb: float, spatter: float) -> list[dict]:
    """Clean accuracy ``clean``; every RobustBench cell at ``rb``; the extra corruption spatter at ``spatter``."""
    base = {column: None for column in TIDY_COLUMNS}
    base.update(dataset="cifar10", model="resnet8", variant=variant, method=method, train_corruption="none",
                seed=seed, n_images=100, corruption_source="generated")
    rows = [{**base, "corruption": "clean", "severity": 0, "accuracy": clean, "error": 100 * (1 - clean),
             "nll": 0.5, "ece": 0.05}]
    for corruption in (*ROBUSTBENCH_CORRUPTIONS, "spatter"):
        value = spatter if corruption == "spatter" else rb
        rows += [{**base, "corruption": corruption, "severity": s, "accuracy": value, "error": 100 * (1 - value),
                  "nll": 1.0, "ece": 0.1} for s in range(1, 6)]
    return rows


def metrics() -> pd.DataFrame:
    rows = (model_rows("sgd", "sgd", 0, 0.90, 0.60, 0.0) + model_rows("sgd", "sgd", 1, 0.92, 0.64, 0.0)
            + model_rows("damp", "damp", 0, 0.91, 0.70, 0.8) + model_rows("damp", "damp", 1, 0.93, 0.72, 0.8)
            + model_rows("external_std", "external", 0, 0.9478, 0.7346, 0.5))
    return pd.DataFrame(rows)[TIDY_COLUMNS]


def test_trained_and_external_models_in_robustbenchs_numbers():
    table = leaderboard(metrics(), "cifar10", "resnet8, 30 epochs", {"external_std": "Standard"}).set_index("model")
    assert table.loc["sgd", "clean_acc_mean"] == pytest.approx(91.0)
    assert table.loc["sgd", "clean_acc_std"] == pytest.approx(np.std([90, 92], ddof=1))
    assert table.loc["sgd", "corruptions_acc_mean"] == pytest.approx(62.0)  # the 15 x 5 cells only
    assert table.loc["sgd", "all_corruptions_acc_mean"] == pytest.approx((15 * 62.0 + 0.0) / 16)  # spatter too
    assert table.loc["damp", "corruptions_acc_mean"] == pytest.approx(71.0)
    assert table.loc["external_std", "kind"] == "external" and np.isnan(table.loc["external_std", "clean_acc_std"])
    assert table.loc["sgd", "scale"] == "resnet8, 30 epochs" and table.loc["sgd", "corruption_source"] == "generated"
    stored = table.loc["Standard (RobustBench, stored)"]
    assert stored["corruptions_acc_mean"] == 73.46 and stored["clean_acc_mean"] == 94.78
    assert table.loc["external_std", "corruptions_acc_mean"] == pytest.approx(73.46)  # the published cells' mean
    assert list(table.index).index("damp") < list(table.index).index("sgd")  # best corruption accuracy first
    assert np.isnan(table.loc["sgd", "corruptions_mce"])  # no AlexNet reference on CIFAR
    shown = leaderboard_markdown_frame(table.reset_index())
    assert shown.loc[shown["model"] == "sgd", "corruptions_acc % (RobustBench: 15 x 5)"].iloc[0] == "62.00 +- 2.83"


def test_fewer_than_robustbenchs_corruptions_leave_its_mean_empty():
    rows = metrics()
    rows = rows[rows["corruption"].isin(["clean", "fog", "spatter"])]
    table = leaderboard(rows, "cifar10", "scale").set_index("model")
    assert np.isnan(table.loc["sgd", "corruptions_acc_mean"])
    assert table.loc["sgd", "all_corruptions_acc_mean"] == pytest.approx(31.0)  # fog 62, spatter 0


def test_the_figure_draws_every_model(tmp_path):
    from robopt.plots.leaderboard import plot_leaderboard

    table = leaderboard(metrics(), "cifar10", "scale", {"external_std": "Standard"})
    plot_leaderboard(table, tmp_path / "board.pdf", {"commit": "x"}, "scale")
    assert (tmp_path / "board.png").stat().st_size > 1000
