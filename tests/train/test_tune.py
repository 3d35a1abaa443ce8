"""The lr schedule, the SGD method and the resumable, deterministic training loop."""

from __future__ import annotations

from tests.conftest import small_settings


def test_sweep_trains_every_grid_value_and_records_the_choice(train_split):
    from robopt.train import sweep

    table, choice = sweep(train_split, small_settings(2, "damp"), "sigma", [0.0, 0.5], val_fraction=0.25, val_seed=0, seed=0)
    assert table["value"].tolist() == [0.0, 0.5] and (table["n_images"] == choice["holdout_images"]).all()
    assert 25 <= choice["holdout_images"] <= 35  # about 25% of 128, per class
    assert choice["parameter"] == "sigma" and choice["value"] in (0.0, 0.5)
    best = table.sort_values(["accuracy", "nll"], ascending=[False, True]).iloc[0]
    assert choice["value"] == best["value"]
