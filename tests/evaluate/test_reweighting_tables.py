"""The meta-reweighting table: accuracies over seeds, paired differences to noisy SGD, weight ratios, published."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from robopt.evaluate import TIDY_COLUMNS
from robopt.evaluate.reweighting import (
    beside_published,
    health_summary,
    last_epoch_weights,
    published_reweighting,
    published_scripts,
    reweighting_markdown_frame,
    reweighting_table,
    weight_net_health,
)


def metrics_frame(clean: dict[str, list[float]], corrupted: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for variant, accuracies in clean.items():
        for seed, accuracy in enumerate(accuracies):
            base = {"dataset": "cifar10", "model": "small_cnn", "variant": variant, "method": variant,
                    "train_corruption": "none", "sigma": np.nan, "label_noise": "uniform", "noise_rate": 0.4,
                    "imbalance": 1.0, "meta_set": "clean", "seed": seed, "n_images": 100, "nll": 1.0, "ece": 0.1,
                    "corruption_source": "generated"}
            rows.append({**base, "corruption": "none", "severity": 0, "accuracy": accuracy / 100,
                         "error": 100 - accuracy})
            for severity in (1, 5):
                value = corrupted[variant][seed]
                rows.append({**base, "corruption": "fog", "severity": severity, "accuracy": value / 100,
                             "error": 100 - value})
    return pd.DataFrame(rows)[TIDY_COLUMNS]


def histories_frame() -> pd.DataFrame:
    rows = []
    for seed in (0, 1):
        for epoch, (clean, biased) in enumerate([(1.0, 1.0), (1.0, 0.5 + 0.1 * seed)], start=1):
            for metric, value in (("weight_clean", clean), ("weight_biased", biased)):
                rows.append({"dataset": "cifar10", "variant": "mwnet", "method": "mwnet", "train_corruption": "none",
                             "seed": seed, "epoch": epoch, "step": epoch, "split": "train", "metric": metric,
                             "value": value})
    return pd.DataFrame(rows)


def test_accuracies_paired_differences_and_weight_ratio():
    metrics = metrics_frame({"sgd": [60.0, 62.0, 61.0], "mwnet": [65.0, 66.0, 65.5]},
                            {"sgd": [40.0, 42.0, 41.0], "mwnet": [41.0, 42.0, 40.0]})
    table = reweighting_table(metrics, histories_frame()).set_index("variant")
    assert list(table.index) == ["sgd", "mwnet"]
    assert table.loc["mwnet", "clean_accuracy_mean"] == pytest.approx(65.5)
    assert table.loc["mwnet", "clean_accuracy_std"] == pytest.approx(0.5)
    assert table.loc["mwnet", "clean_accuracy_diff"] == pytest.approx(4.5)
    assert table.loc["mwnet", "clean_accuracy_verdict"] == "better"  # +5, +4, +4.5: the interval excludes 0
    assert table.loc["mwnet", "corrupted_accuracy_diff"] == pytest.approx(0.0)
    assert table.loc["mwnet", "corrupted_accuracy_verdict"] == "inconclusive"
    assert table.loc["mwnet", "weight_ratio"] == pytest.approx(0.55)
    assert np.isnan(table.loc["sgd", "weight_ratio"]) and table.loc["sgd", "clean_accuracy_verdict"] == "baseline"
    shown = reweighting_markdown_frame(table.reset_index())
    assert shown.loc[1, "method"] == "Meta-Weight-Net" and "better" in shown.loc[1, "clean accuracy: paired diff to SGD [95% CI]"]


def test_lower_accuracy_is_worse():
    metrics = metrics_frame({"sgd": [60.0, 62.0], "l2rw": [50.0, 51.0]}, {"sgd": [40.0, 42.0], "l2rw": [30.0, 31.0]})
    table = reweighting_table(metrics, histories_frame()).set_index("variant")
    assert table.loc["l2rw", "clean_accuracy_verdict"] == "worse"


def test_last_epoch_weights_take_the_last_epoch_per_seed():
    weights = last_epoch_weights(histories_frame()).set_index("seed")
    assert weights.loc[1, "weight_ratio"] == pytest.approx(0.6)


def test_published_values_and_both_scales_are_labelled():
    published = published_reweighting().set_index(["setting", "method"])["accuracy"]
    assert published[("uniform label noise 40%", "mwnet")] == 89.27
    assert published[("imbalance factor 100", "l2rw")] == 74.16
    metrics = metrics_frame({"sgd": [60.0, 62.0], "mwnet": [65.0, 66.0]}, {"sgd": [40.0, 42.0], "mwnet": [41.0, 42.0]})
    side = beside_published(reweighting_table(metrics, histories_frame()), "uniform noise 40%, 5,000 images")
    assert side.columns[1] == "ours: uniform noise 40%, 5,000 images (last epoch) %"
    assert any("WRN-28-10 (best test epoch)" in column for column in side.columns)
    assert side.loc[side["method"] == "Meta-Weight-Net"].iloc[0, 1] == "65.50 +- 0.71"


def test_each_published_number_names_the_script_behind_it():
    scripts = published_scripts()
    noise, imbalance = scripts.split("imbalance factor 100, ResNet-32: ")
    assert "Meta-Weight-Net from xjtushujun/meta-weight-net train_WRN-28-10_Meta_PGC.py" in noise
    assert "Meta-Weight-Net from xjtushujun/Meta-weight-net_class-imbalance meta-weight-net-class-imbalance.py" in imbalance
    assert "SGD (noisy train set), L2RW from the paper's own baseline runs" in noise


def v_history(per_seed: dict[int, list[list[float]]]) -> pd.DataFrame:
    """Hand-made V(loss) trajectories: per seed, per epoch, V at losses 0, 4 and 8."""
    rows = []
    for seed, epochs in per_seed.items():
        for epoch, values in enumerate(epochs, start=1):
            for loss, value in zip((0, 4, 8), values, strict=True):
                rows.append({"dataset": "cifar10", "variant": "mwnet", "method": "mwnet", "train_corruption": "none",
                             "seed": seed, "epoch": epoch, "step": epoch, "split": "train",
                             "metric": f"weight_at_loss_{loss}", "value": value})
    return pd.DataFrame(rows)


def test_weight_net_health_flags_saturated_flat_and_unchanged_seeds():
    history = v_history({
        0: [[0.6, 0.5, 0.4], [0.7, 0.3, 0.1], [0.8, 0.2, 0.05], [0.85, 0.1, 0.01]],        # learned a falling shape
        1: [[0.6, 0.7, 0.8], [0.95, 0.99, 0.999], [0.991, 0.995, 0.999], [0.992, 0.996, 1.0]],  # last half >= 0.99
        2: [[0.2, 0.1, 0.05], [0.05, 0.02, 0.01], [0.009, 0.005, 0.001], [0.0, 0.0, 0.0]],  # last half <= 0.01
        3: [[0.6, 0.5, 0.4], [0.5, 0.5, 0.5], [0.503, 0.5, 0.497], [0.4, 0.405, 0.401]],     # range < 0.01 at the end
        4: [[0.558, 0.5, 0.45], [0.557, 0.5, 0.45], [0.557, 0.499, 0.45], [0.557, 0.499, 0.449]],  # never moved
    })
    health = weight_net_health(history).set_index("seed")["v_health"]
    assert health.to_dict() == {0: "learning", 1: "saturated at 1", 2: "saturated at 0", 3: "flat", 4: "unchanged"}
    assert health_summary(weight_net_health(history[history["seed"] == 0])) == "learning"
    assert health_summary(weight_net_health(history[history["seed"].isin([0, 1])])) == (
        "seed 0: learning; seed 1: saturated at 1")


def test_the_table_reports_each_seeds_weight_net_health():
    metrics = metrics_frame({"sgd": [60.0, 62.0], "mwnet": [65.0, 66.0]}, {"sgd": [40.0, 42.0], "mwnet": [41.0, 42.0]})
    history = v_history({0: [[0.6, 0.5, 0.4], [0.8, 0.2, 0.05]], 1: [[0.6, 0.7, 0.8], [1.0, 1.0, 1.0]]})
    table = reweighting_table(metrics, pd.concat([histories_frame(), history])).set_index("variant")
    assert table.loc["mwnet", "v_health"] == "seed 0: learning; seed 1: saturated at 1"
    assert table.loc["sgd", "v_health"] == ""
    assert "saturated" in reweighting_markdown_frame(table.reset_index()).loc[1, "weighting function V"]
