"""Choosing the learned optimizer on meta-validation: the better validation score wins, whatever the outer-train loss
says, and the initial rule theta0 is chosen (and said to be) when no seed beats it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from robopt.data.synthetic import generate_synthetic
from robopt.lopt import InnerData
from robopt.lopt.mlp_optimizer import init_meta
from robopt.lopt.runs import scored_iterations, validate_snapshots
from robopt.lopt.selection import THETA0, select_candidate
from robopt.lopt.settings import selection_settings, stage_params
from tests.conftest import raw_config, validated


def validation_rows(scores: dict[tuple[int, int], list[float]]) -> pd.DataFrame:
    """{(seed, iteration): loss per init} -> the lopt_validate rows."""
    return pd.DataFrame([{"seed": seed, "iteration": iteration, "init": init, "loss": loss}
                         for (seed, iteration), losses in scores.items() for init, loss in enumerate(losses)])


def outer_curves(final: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame([{"seed": seed, "target": "outer", "iteration": i, "loss": loss}
                         for seed, loss in final.items() for i in range(1, 11)])


def test_the_better_meta_validation_seed_wins_although_its_outer_train_loss_is_worse():
    validation = validation_rows({(0, 0): [1.90, 1.92, 1.88], (0, 16): [1.50, 1.55, 1.45],
                                  (1, 16): [1.80, 1.82, 1.78]})
    table = select_candidate(validation, outer_curves({0: 2.2, 1: 1.1}))
    assert list(table["candidate"]) == ["seed 0", "seed 1", THETA0]
    best = table.iloc[0]
    assert best["selected"] and best["validation_loss"] == pytest.approx(1.5)
    assert best["validation_se"] == pytest.approx(np.std([1.5, 1.55, 1.45], ddof=1) / np.sqrt(3))
    assert best["final_outer_loss"] == pytest.approx(2.2) and "theta0 1.9000" in best["reason"]
    assert table["selected"].sum() == 1


def test_theta0_is_selected_and_said_to_be_when_no_seed_beats_it():
    validation = validation_rows({(0, 0): [1.6, 1.7], (0, 8): [2.3, 2.3], (0, 16): [2.2, 2.4],
                                  (1, 16): [1.7, 1.6]})  # seed 1 ties theta0: the tie goes to theta0
    table = select_candidate(validation, outer_curves({0: 1.0, 1: 1.0}), last_snapshots=2)
    best = table.iloc[0]
    assert best["candidate"] == THETA0 and best["selected"]
    assert best["reason"].startswith("no outer-trained seed beat the initial rule")
    seed0 = table.set_index("candidate").loc["seed 0"]
    assert seed0["snapshot_iterations"] == "8 16" and seed0["validation_loss"] == pytest.approx(2.3)


def test_a_non_finite_score_never_wins():
    validation = validation_rows({(0, 0): [2.0, 2.0], (0, 16): [float("nan"), float("nan")]})
    assert select_candidate(validation, outer_curves({0: 1.0})).iloc[0]["candidate"] == THETA0


def test_only_the_first_seed_scores_theta0():
    assert scored_iterations([0, 4, 8, 12, 16], 1, initial=True) == [0, 16]
    assert scored_iterations([0, 4, 8, 12, 16], 2, initial=False) == [12, 16]
    assert scored_iterations([0], 1, initial=False) == [0]


def test_meta_validation_scores_snapshots_from_several_initialisations_on_validation_images():
    lopt = validated(raw_config())["lopt"]
    block = stage_params(lopt, "select", "gaussian")
    block["evaluation"].update(inner_steps=3, test_images=40, batch_size=8)
    block["selection"]["inits"] = 2
    data = InnerData.from_split(generate_synthetic(160, seed=0), 0.25, 0, "cifar", torch.device("cpu"))
    theta = init_meta(0.003, torch.Generator().manual_seed(0))
    table = validate_snapshots(torch.tensor([0, 16]), torch.stack([theta, 2 * theta]),
                               selection_settings(block, "gaussian"), data)
    assert sorted(table.columns) == ["init", "iteration", "loss"] and len(table) == 4
    assert table.groupby("init")["loss"].nunique().eq(2).all()  # the two snapshots differ
    assert table.groupby("iteration")["loss"].nunique().eq(2).all()  # so do the two initialisations
