"""Metz et al. figures render from small hand-made tidy tables with the expected axes and lines."""

from __future__ import annotations

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
from tests.plots.frames import META, curves_table, evaluation_table, progress_table


def test_adam_learning_rate_is_chosen_per_target_on_validation():
    chosen = adam_choice(evaluation_table(), "gaussian", [0.05])
    assert set(chosen["lr"]) == {0.001} and len(chosen) == 4  # 2 Adam noises x 2 train data


def test_fig1a_compares_inner_trained_snapshots_with_adam_and_keeps_the_outer_objective_apart(tmp_path):
    fig = plot_outer_training(progress_table(), curves_table(), evaluation_table(), 0.05, tmp_path / "f.pdf", META)
    ax, ax_outer = fig.axes[:2]
    assert ax.get_xlabel() == "outer-training iteration" and ax.get_ylabel() == "test loss, noise 0.05, after 100 inner steps"
    lines = ax.get_lines()
    assert len(lines) == 3 + 2  # 3 seeds of the Gaussian-objective experiment + Adam clean/noised
    assert list(lines[0].get_xdata()) == [0, 3, 6, 10]
    adam_clean = evaluation_table().query("optimizer == 'adam_gaussian' and lr == 0.001 and train_data == 'clean' "
                                          "and split == 'test' and step == 100 and noise == 'gaussian' and level == 0.05")
    assert lines[3].get_ydata()[0] == adam_clean["loss"].iloc[0]  # Adam's final test loss: the same quantity
    assert "validation loss" in ax_outer.get_ylabel() and len(ax_outer.get_lines()) == 3
    assert (tmp_path / "f.pdf").stat().st_size > 0 and (tmp_path / "f.png").stat().st_size > 0


def test_fig1b_and_fig1c_lines(tmp_path):
    fig = plot_inner_training(evaluation_table(), 0.05, tmp_path / "b.pdf", META)
    assert fig.axes[0].get_xlabel() == "inner-training step" and len(fig.axes[0].get_lines()) == 4
    fig = plot_noise_scales(evaluation_table(), tmp_path / "c.pdf", META)
    lines = fig.axes[0].get_lines()
    assert fig.axes[0].get_xlabel() == "Gaussian noise scale at test" and len(lines) == 4
    assert all(len(line.get_xdata()) == 3 for line in lines)
    assert {line.get_linestyle() for line in lines} == {"-", "--"}


def test_corruption_panels_show_three_optimizers_twice(tmp_path):
    fig = plot_corruption_panels(evaluation_table(), ["glass_blur", "shot_noise"], [1, 2, 3], tmp_path / "2.pdf", META)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert len(ax.get_lines()) == 6 and ax.get_ylabel() == "test loss"
    labels = [text.get_text() for text in fig.axes[-1].get_legend().get_texts()]
    assert labels[0].startswith("LO, noised objective") and labels[2].startswith("LO, clean objective")
    assert "glass blur" in fig.axes[0].get_title()


def test_missing_file_or_column_is_named(tmp_path):
    with pytest.raises(RoboptError, match="does not exist"):
        read_tidy(tmp_path / "absent.csv", EVALUATION_COLUMNS)
    evaluation_table().drop(columns="level").to_csv(tmp_path / "e.csv", index=False)
    with pytest.raises(RoboptError, match=r"e.csv lacks column\(s\) level"):
        read_tidy(tmp_path / "e.csv", EVALUATION_COLUMNS)
