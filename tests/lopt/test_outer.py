"""The learned optimizer: features, step formula, momenta, ES estimator, population implementations, resume."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from robopt.data.synthetic import generate_synthetic
from robopt.errors import UnknownNameError
from robopt.lopt import InnerData, Noise, OuterTrainer
from robopt.lopt.population import init_population, losses_and_grads
from robopt.lopt.settings import outer_settings
from robopt.train.checkpoint import save_checkpoint
from tests.conftest import raw_config, validated


def demo_lopt() -> dict:
    return validated(raw_config())["lopt"]


def tiny_trainer(iterations: int) -> OuterTrainer:
    data = InnerData.from_split(generate_synthetic(200, seed=0), 0.2, 0, "cifar", torch.device("cpu"))
    settings = dataclasses.replace(
        outer_settings(demo_lopt(), seed=0), iterations=iterations, pairs=2, batch_size=8, truncation_start=2,
        truncation_end=4, truncation_ramp=4, eval_every=2, checkpoint_every=2, meta_lr=0.01, monitor=("fog",))
    noise = Noise("corruption", corruptions=("gaussian_noise", "contrast"), severities=(1, 2, 3), scale="cifar")
    return OuterTrainer(settings, data, noise, torch.device("cpu"))


@pytest.mark.slow
def test_killed_outer_training_resumes_identically(tmp_path):
    uninterrupted = tiny_trainer(4)
    full = uninterrupted.run()
    killed = tiny_trainer(4)
    killed.outer_step()
    killed.outer_step()
    save_checkpoint(tmp_path / "outer.pt", killed.checkpoint())  # what the run wrote before it was killed
    resumed = tiny_trainer(4)
    curve = resumed.run(tmp_path / "outer.pt")
    assert torch.equal(resumed.theta, uninterrupted.theta)
    columns = ["iteration", "target", "loss", "truncation", "resets", "inner_steps"]
    assert curve[columns].equals(full[columns])
    assert set(full["target"]) == {"outer", "fog"}


def test_bad_lopt_input_gets_clear_errors():
    with pytest.raises(ValueError, match="valid noises: gaussian, corruption, clean"):
        Noise("gausian")
    with pytest.raises(UnknownNameError, match="valid names"):
        Noise("corruption", corruptions=("fogg",), severities=(1,), scale="cifar")
    with pytest.raises(ValueError, match="needs corruptions, severities and a corruption scale"):
        Noise("corruption", corruptions=("fog",))
    with pytest.raises(ValueError, match="Gaussian noise needs a scale"):
        Noise("gaussian")
    with pytest.raises(ValueError, match="truncation_start must be >= 1"):
        dataclasses.replace(outer_settings(demo_lopt(), seed=0), truncation_start=0)
    with pytest.raises(ValueError, match="unknown population implementation"):
        losses_and_grads(init_population(1, 10, torch.Generator(), torch.device("cpu")), torch.rand(1, 2, 3, 32, 32),
                         torch.zeros(1, 2, dtype=torch.long), "threads")
