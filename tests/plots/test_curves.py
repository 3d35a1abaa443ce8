"""Plot and table writers render from small hand-made tidy tables."""

from __future__ import annotations

import pandas as pd
import pytest

from robopt.errors import RoboptError
from robopt.evaluate.aggregate import read_histories
from robopt.plots import provenance
from robopt.plots.curves import plot_training_curves


def histories() -> pd.DataFrame:
    rows = []
    for variant, method, corruption in (("sgd_aug_fog", "sgd", "fog"), ("damp", "damp", "none"), ("sgd", "sgd", "none")):
        for seed in (0, 1):
            for epoch in range(1, 5):
                for metric, value in (("loss", 2.0 / epoch + seed), ("accuracy", 0.2 * epoch), ("lr", 0.1 / epoch)):
                    rows.append({"dataset": "cifar10", "variant": variant, "method": method,
                                 "train_corruption": corruption, "seed": seed, "epoch": epoch, "step": epoch,
                                 "split": "train", "metric": metric, "value": value})
    return pd.DataFrame(rows)


def test_training_curves_figure(tmp_path):
    axes = plot_training_curves(histories(), "cifar10", tmp_path / "curves.pdf", provenance())
    assert [ax.get_ylabel() for ax in axes] == ["training loss", "training accuracy (%)", "learning rate"]
    assert axes[2].get_yscale() == "log" and all(ax.get_xlabel() == "epoch" for ax in axes)
    assert len(axes[0].get_lines()) == 3 and len(axes[0].collections) == 3  # a line and a seed band per method
    assert max(axes[1].get_lines()[0].get_ydata()) == pytest.approx(80.0)
    labels = [text.get_text() for text in axes[-1].get_legend().get_texts()]
    assert labels == ["SGD (2 seeds)", "DAMP (2 seeds)", "SGD + fog aug. (2 seeds)"]
    with pytest.raises(ValueError, match="cifar100"):
        plot_training_curves(histories(), "cifar100", tmp_path / "none.pdf", provenance())


def test_history_without_a_column_is_named(tmp_path):
    histories().drop(columns="epoch").to_csv(tmp_path / "history.csv", index=False)
    with pytest.raises(RoboptError, match=r"history.csv lacks column\(s\) epoch"):
        read_histories([tmp_path / "history.csv"])
