"""Metz et al. figures render from small hand-made tidy tables with the expected axes and lines."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.plots.frames import META


def test_damp_heatmap_has_a_cell_per_method_and_corruption(tmp_path):
    from robopt.plots.heatmap import plot_corruption_error_heatmap

    table = pd.DataFrame({
        "dataset": ["c10"] * 3, "variant": ["sgd", "damp", "sgd_aug_gaussian_noise"], "method": ["sgd", "damp", "sgd"],
        "train_corruption": ["none", "none", "gaussian_noise"],
        "fog": [1.0, 0.9, 1.3], "gaussian_noise": [1.0, 0.85, 0.2], "none": [1.0, 1.01, 1.4], "avg": [1.0, 0.92, 0.97],
    })
    fig = plot_corruption_error_heatmap(table, "c10", 3, tmp_path / "h.pdf", META)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["DAMP, none", "SGD, Gaussian"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["fog", "Gaussian", "none", "avg"]
    assert len(ax.texts) == 8 and "0.20" in {t.get_text() for t in ax.texts}
    assert "3 seeds" in ax.get_title() and (tmp_path / "h.png").exists()
    with pytest.raises(ValueError, match="no corruption-error rows"):
        plot_corruption_error_heatmap(table, "c100", 3, tmp_path / "x.pdf", META)


def test_damp_heatmap_keeps_the_five_best_augmented_rows(tmp_path):
    from robopt.plots.heatmap import plot_corruption_error_heatmap

    names = ["fog", "snow", "frost", "contrast", "pixelate", "zoom_blur", "motion_blur"]
    averages = [0.95, 0.80, 0.99, 0.85, 0.70, 0.90, 0.75]
    table = pd.DataFrame({
        "dataset": "c10", "variant": ["asam", "sgd", "damp"] + [f"sgd_aug_{n}" for n in names],
        "method": ["asam", "sgd", "damp"] + ["sgd"] * len(names), "train_corruption": ["none"] * 3 + names,
        "none": 1.0, "avg": [0.95, 1.0, 0.9] + averages,
    })
    fig = plot_corruption_error_heatmap(table, "c10", 1, tmp_path / "h.pdf", META)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [
        "DAMP, none", "ASAM, none", "SGD, pixelate", "SGD, motion blur", "SGD, snow", "SGD, contrast", "SGD, zoom blur"]
