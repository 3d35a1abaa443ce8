"""Metz et al. figures render from small hand-made tidy tables with the expected axes and lines."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from robopt.errors import RoboptError
from robopt.evaluate import read_tidy
from robopt.plots.metz import (
    EVALUATION_COLUMNS,
    adam_choice,
    plot_corruption_panels,
    plot_inner_training,
    plot_noise_scales,
    plot_outer_training,
)

META = {"commit": "test", "date": "today", "device": "cpu", "config": "{}"}


def evaluation_table() -> pd.DataFrame:
    rows = []
    runs = [("lopt_gaussian", float("nan")), ("lopt_corruption", float("nan")), ("lopt_clean", float("nan")),
            ("adam_gaussian", 0.001), ("adam_gaussian", 0.01), ("adam_corruption", 0.001), ("adam_corruption", 0.01)]
    targets = [("gaussian", 0.0), ("gaussian", 0.05), ("gaussian", 0.1)] + [
        (c, s) for c, s in itertools.product(["glass_blur", "shot_noise", "fog", "brightness"], [1, 2, 3])]
    for (optimizer, lr), train_data, (noise, level) in itertools.product(runs, ["clean", "noised"], targets):
        bonus = 0.1 if lr == 0.01 else 0.0
        for step in (0, 50, 100):
            rows.append([optimizer, lr, train_data, step, "test", noise, level, 2.3 - step / 100 + level + bonus])
        rows.append([optimizer, lr, train_data, 100, "validation", noise, level, 1.3 + level + bonus])
    return pd.DataFrame(rows, columns=EVALUATION_COLUMNS)


def curves_table() -> pd.DataFrame:
    rows = [{"experiment": "gaussian", "seed": seed, "iteration": it, "target": "outer", "loss": 2.3 - 0.01 * it - seed}
            for seed in (0, 1, 2) for it in range(1, 11)]
    return pd.DataFrame(rows)


def test_adam_learning_rate_is_chosen_per_target_on_validation():
    chosen = adam_choice(evaluation_table(), "gaussian", [0.05])
    assert set(chosen["lr"]) == {0.001} and len(chosen) == 4  # 2 Adam noises x 2 train data


def test_fig1a_has_one_line_per_seed_and_adam_baselines(tmp_path):
    fig = plot_outer_training(curves_table(), evaluation_table(), "gaussian", 0.05, tmp_path / "f.pdf", META)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "outer-training iteration" and "validation loss" in ax.get_ylabel()
    assert len(ax.get_lines()) == 3 + 2  # 3 seeds + Adam clean/noised
    assert (tmp_path / "f.pdf").stat().st_size > 0 and (tmp_path / "f.png").stat().st_size > 0


def test_fig1b_and_fig1c_lines(tmp_path):
    fig = plot_inner_training(evaluation_table(), "gaussian", 0.05, tmp_path / "b.pdf", META)
    assert fig.axes[0].get_xlabel() == "inner-training step" and len(fig.axes[0].get_lines()) == 4
    fig = plot_noise_scales(evaluation_table(), "gaussian", tmp_path / "c.pdf", META)
    lines = fig.axes[0].get_lines()
    assert fig.axes[0].get_xlabel() == "Gaussian noise scale at test" and len(lines) == 4
    assert all(len(line.get_xdata()) == 3 for line in lines)
    assert {line.get_linestyle() for line in lines} == {"-", "--"}


def test_corruption_panels_show_three_optimizers_twice(tmp_path):
    fig = plot_corruption_panels(evaluation_table(), ["glass_blur", "shot_noise"], [1, 2, 3], tmp_path / "2.pdf", META)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert len(ax.get_lines()) == 6 and ax.get_ylabel() == "test loss"
    assert "glass blur" in fig.axes[0].get_title()


def test_missing_file_or_column_is_named(tmp_path):
    with pytest.raises(RoboptError, match="does not exist"):
        read_tidy(tmp_path / "absent.csv", EVALUATION_COLUMNS)
    evaluation_table().drop(columns="level").to_csv(tmp_path / "e.csv", index=False)
    with pytest.raises(RoboptError, match=r"e.csv lacks column\(s\) level"):
        read_tidy(tmp_path / "e.csv", EVALUATION_COLUMNS)


def test_damp_heatmap_has_a_cell_per_method_and_corruption(tmp_path):
    from robopt.plots.heatmap import plot_corruption_error_heatmap

    table = pd.DataFrame({
        "dataset": ["c10"] * 3, "method": ["sgd", "damp", "sgd_aug_gaussian_noise"],
        "fog": [1.0, 0.9, 1.3], "gaussian_noise": [1.0, 0.85, 0.2], "none": [1.0, 1.01, 1.4], "avg": [1.0, 0.92, 0.97],
    })
    fig = plot_corruption_error_heatmap(table, "c10", 3, tmp_path / "h.pdf", META)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["DAMP, none", "SGD, gaussian noise"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["fog", "gaussian noise", "none", "avg"]
    assert len(ax.texts) == 8 and "0.20" in {t.get_text() for t in ax.texts}
    assert "3 seeds" in ax.get_title() and (tmp_path / "h.png").exists()
    with pytest.raises(ValueError, match="no corruption-error rows"):
        plot_corruption_error_heatmap(table, "c100", 3, tmp_path / "x.pdf", META)


def test_damp_heatmap_keeps_the_five_best_augmented_rows(tmp_path):
    from robopt.plots.heatmap import plot_corruption_error_heatmap

    names = ["fog", "snow", "frost", "contrast", "pixelate", "zoom_blur", "motion_blur"]
    averages = [0.95, 0.80, 0.99, 0.85, 0.70, 0.90, 0.75]
    table = pd.DataFrame({
        "dataset": "c10", "method": ["asam", "sgd", "damp"] + [f"sgd_aug_{n}" for n in names],
        "none": 1.0, "avg": [0.95, 1.0, 0.9] + averages,
    })
    fig = plot_corruption_error_heatmap(table, "c10", 1, tmp_path / "h.pdf", META)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [
        "DAMP, none", "ASAM, none", "SGD, pixelate", "SGD, motion blur", "SGD, snow", "SGD, contrast", "SGD, zoom blur"]
