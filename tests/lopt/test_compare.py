"""The learned optimizer's verdict: Adam's lr chosen on validation, paired differences over initialisations."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
import torch

from robopt.data.synthetic import generate_synthetic
from robopt.lopt import InnerData
from robopt.lopt.compare import compare_optimizers, comparison_table, tuned_adam
from robopt.lopt.initial import initial_candidates
from robopt.lopt.inner_eval import EvalSettings


def losses_frame() -> pd.DataFrame:
    rows = []
    values = {"theta0": [2.0, 2.1, 2.25], "selected": [1.8, 1.9, 2.05],
              "adam lr 0.001": [1.9, 1.95, 2.0], "adam lr 0.01": [1.5, 1.5, 1.5]}
    validation = {"theta0": 2.0, "selected": 1.9, "adam lr 0.001": 1.7, "adam lr 0.01": 2.3}
    for name, test in values.items():
        for init, loss in enumerate(test):
            rows.append({"init": init, "optimizer": name, "split": "test", "loss": loss})
            rows.append({"init": init, "optimizer": name, "split": "validation", "loss": validation[name] + 0.01 * init})
    return pd.DataFrame(rows)


def test_adams_lr_is_chosen_on_validation_never_on_the_test_loss():
    assert tuned_adam(losses_frame()) == "adam lr 0.001"  # lr 0.01 has the best test loss, the worst validation


def test_the_table_has_mean_std_and_paired_differences_with_verdicts():
    table = comparison_table(losses_frame(), ["theta0", "selected"]).set_index("optimizer")
    assert table.loc["selected", "test_loss_mean"] == pytest.approx(1.9166667)
    assert table.loc["theta0", "test_loss_std"] == pytest.approx(pd.Series([2.0, 2.1, 2.25]).std())
    assert table.loc["selected - theta0", "test_loss_mean"] == pytest.approx(-0.2)
    assert table.loc["selected - theta0", "verdict"] == "better"  # the same -0.2 for every init
    assert table.loc["adam lr 0.001 - selected", "verdict"] == "inconclusive"
    assert list(table.index) == ["theta0", "selected", "selected - theta0", "adam lr 0.001",
                                 "adam lr 0.001 - theta0", "adam lr 0.001 - selected"]


def test_every_optimizer_trains_from_each_initialisation_on_the_same_batches():
    data = InnerData.from_split(generate_synthetic(120, seed=0), 0.25, 0, "cifar", torch.device("cpu"))
    test = generate_synthetic(40, seed=1)
    base = EvalSettings(steps=2, batch_size=8, log_every=2, test_images=20, curve_targets=[],
                        final_targets=[("gaussian", 0.05)], implementation="loop", seed=0,
                        final_splits=("test", "validation"))
    runs = [dataclasses.replace(base, seed=seed) for seed in (0, 1)]
    theta = initial_candidates([0.001])[0]
    losses = compare_optimizers({"theta0": theta, "same": theta}, [0.001, 0.01], runs, data, test.images, test.labels)
    assert len(losses) == 2 * 4 * 2 and set(losses["split"]) == {"test", "validation"}
    pivot = losses.pivot_table(index=["init", "split"], columns="optimizer", values="loss")
    assert torch.allclose(torch.tensor(pivot["theta0"].to_numpy()), torch.tensor(pivot["same"].to_numpy()))
    assert not pivot.loc[0].equals(pivot.loc[1])  # each init its own CNN
