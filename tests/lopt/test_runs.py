"""The learned-optimizer jobs as functions: Fig. 1a's progress runs measure what the evaluation runs measure."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from robopt.data.synthetic import generate_synthetic
from robopt.errors import ConfigError
from robopt.lopt import InnerData
from robopt.lopt.mlp_optimizer import init_meta
from robopt.lopt.runs import evaluate_learned, evaluate_progress
from robopt.lopt.settings import eval_settings, progress_experiments, progress_settings, stage_params, train_noise
from tests.conftest import raw_config, validated


def test_a_progress_point_is_the_learned_optimizers_clean_trained_test_loss_at_the_objectives_noise():
    lopt = validated(raw_config())["lopt"]
    block = stage_params(lopt, "evaluate", "gaussian")
    block["evaluation"].update(inner_steps=4, test_images=40, batch_size=8)
    data = InnerData.from_split(generate_synthetic(160, seed=0), 0.25, 0, "cifar", torch.device("cpu"))
    test = generate_synthetic(40, seed=1)
    theta = init_meta(0.003, torch.Generator().manual_seed(0))
    thetas = torch.stack([theta, 1.5 * theta])  # two snapshots: one population, one row each
    progress = evaluate_progress(torch.tensor([0, 10]), thetas, progress_settings(block, "gaussian"), data, test)
    assert progress["iteration"].tolist() == [0, 10] and set(progress["level"]) == {0.05}
    noise = train_noise(block, "gaussian", "cifar")
    settings = dataclasses.replace(eval_settings(block, noise), final_targets=[("gaussian", 0.05)])
    learned = evaluate_learned(theta, settings, noise, data, test)
    endpoint = learned[(learned["train_data"] == "clean") & (learned["split"] == "test") & (learned["step"] == 4)
                       & (learned["noise"] == "gaussian")]
    assert np.isclose(progress["loss"].iloc[0], endpoint["loss"].iloc[0], atol=1e-5)
    assert progress["loss"].iloc[0] != progress["loss"].iloc[1]


def test_progress_runs_belong_to_gaussian_objectives():
    lopt = validated(raw_config())["lopt"]
    assert progress_experiments(lopt) == ["gaussian"]
    with pytest.raises(ConfigError, match="lopt.experiments.corruption: progress runs .* need a gaussian objective"):
        progress_settings(stage_params(lopt, "evaluate", "corruption"), "corruption")
