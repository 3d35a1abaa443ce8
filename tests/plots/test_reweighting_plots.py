"""The meta-reweighting figures draw from histories and write PDF + PNG."""

from __future__ import annotations

import pandas as pd

from robopt.plots.reweighting import plot_example_weights, plot_weight_function, weight_function


def histories() -> pd.DataFrame:
    rows = []
    for method in ("l2rw", "mwnet"):
        for seed in (0, 1):
            for epoch in (1, 2, 3):
                base = {"dataset": "cifar10", "variant": method, "method": method, "train_corruption": "none",
                        "seed": seed, "epoch": epoch, "step": epoch, "split": "train"}
                rows += [{**base, "metric": "weight_clean", "value": 1.0},
                         {**base, "metric": "weight_biased", "value": 1.0 / epoch}]
                if method == "mwnet":
                    rows += [{**base, "metric": f"weight_at_loss_{loss:g}", "value": 1 / (1 + loss * epoch)}
                             for loss in (0, 0.5, 2.0)]
    return pd.DataFrame(rows)


def test_weight_function_parses_the_loss_grid():
    curves = weight_function(histories())
    assert sorted(curves["loss"].unique()) == [0.0, 0.5, 2.0]
    assert curves.loc[(curves["loss"] == 2.0) & (curves["epoch"] == 3), "weight"].iloc[0] == 1 / 7


def test_figures_are_written(tmp_path):
    meta = {"commit": "abc", "date": "today", "device": "cpu"}
    plot_example_weights(histories(), tmp_path / "weights.pdf", meta, "test scale")
    plot_weight_function(histories(), tmp_path / "v.pdf", meta, "test scale")
    for name in ("weights", "v"):
        assert (tmp_path / f"{name}.pdf").stat().st_size > 1000 and (tmp_path / f"{name}.png").exists()
