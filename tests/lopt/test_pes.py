"""Persistent ES against truncated ES on an unrolled toy problem, and PES inside outer-training (resume)."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from robopt.lopt.es import TruncatedES, antithetic_es_gradient
from robopt.lopt.pes import PersistentES
from robopt.train.checkpoint import save_checkpoint

STEPS, TRUNCATION, STD = 12, 3, 0.01


def toy_losses(theta: torch.Tensor, start: torch.Tensor, steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradient descent on 0.5 x^2 (per member) with step exp(theta[:, 0]) * 0.5 and momentum-free decay
    theta[:, 1]: returns (the sum of x^2 over ``steps`` steps, the final x)."""
    x, total = start, torch.zeros_like(start)
    for _ in range(steps):
        x = x * (1 - 0.5 * torch.exp(theta[:, 0])) * (1 - 0.1 * torch.sigmoid(theta[:, 1]))
        total = total + x.square()
    return total, x


def full_horizon_gradient(theta: torch.Tensor) -> torch.Tensor:
    theta = theta.clone().double().requires_grad_(True)
    total, _ = toy_losses(theta[None], torch.ones(1, dtype=torch.float64), STEPS)
    (gradient,) = torch.autograd.grad(total.sum(), theta)
    return gradient


def summed_estimates(estimator, theta: torch.Tensor, pairs: int, generator: torch.Generator) -> torch.Tensor:
    """Per pair (pairs x D): the estimates of every truncation of one horizon, summed, with the estimator's state
    handling (truncated ES restarts both members from the positive one's state; PES keeps both)."""
    members = torch.ones(2 * pairs, dtype=torch.float64)
    summed = torch.zeros(pairs, theta.numel(), dtype=torch.float64)
    for _ in range(STEPS // TRUNCATION):
        if estimator.shares_state:
            members = members[0::2].repeat_interleave(2)
        eps = torch.randn(pairs, theta.numel(), generator=generator, dtype=torch.float64)
        directions = estimator.directions(eps)
        signs = torch.stack([eps, -eps], dim=1).reshape(-1, theta.numel())
        losses, members = toy_losses(theta[None] + STD * signs, members, TRUNCATION)
        summed += (losses[0::2] - losses[1::2])[:, None] / (2 * STD) * directions
    return summed


def test_pes_mean_matches_the_full_horizon_gradient_where_truncated_es_is_biased():
    theta = torch.tensor([math.log(0.3), 0.0], dtype=torch.float64)
    true = full_horizon_gradient(theta)
    pairs, generator = 40_000, torch.Generator().manual_seed(0)
    pes = summed_estimates(PersistentES(pairs, 2), theta, pairs, generator)
    truncated = summed_estimates(TruncatedES(), theta, pairs, generator)
    for name, estimates in (("pes", pes), ("truncated", truncated)):
        mean, error = estimates.mean(0), estimates.std(0) / math.sqrt(pairs)
        within = ((mean - true).abs() < 4 * error + 1e-3 * true.abs()).all()
        assert bool(within) == (name == "pes"), (name, mean.tolist(), error.tolist(), true.tolist())


def test_the_pes_estimate_is_the_antithetic_formula_on_the_accumulated_perturbations():
    estimator = PersistentES(pairs=2, dimension=3)
    first, second = torch.ones(2, 3), torch.full((2, 3), 2.0)
    estimator.directions(first)
    accumulated = estimator.directions(second)
    assert torch.equal(accumulated, torch.full((2, 3), 3.0))
    estimator.reset(torch.tensor([True, False]))
    assert torch.equal(estimator.accumulated, torch.tensor([[0.0] * 3, [3.0] * 3]))
    gradient = antithetic_es_gradient(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 0.0]), accumulated, 0.5)
    assert torch.allclose(gradient, torch.full((3,), 1.5))


@pytest.mark.slow
def test_killed_pes_outer_training_resumes_identically(tmp_path):
    from tests.lopt.test_outer import tiny_trainer

    uninterrupted = tiny_trainer(4, horizon=9, estimator="pes")
    full = uninterrupted.run()
    killed = tiny_trainer(4, horizon=9, estimator="pes")
    killed.outer_step()
    killed.outer_step()
    assert killed.estimator.accumulated.abs().sum() > 0  # the state a resume must restore
    save_checkpoint(tmp_path / "outer.pt", killed.checkpoint())
    resumed = tiny_trainer(4, horizon=9, estimator="pes")
    curve = resumed.run(tmp_path / "outer.pt")
    assert torch.equal(resumed.theta, uninterrupted.theta)
    assert torch.equal(resumed.estimator.accumulated, uninterrupted.estimator.accumulated)
    assert curve.drop(columns="seconds").equals(full.drop(columns="seconds"))


def test_pes_members_keep_their_own_states_and_reset_with_their_problem():
    from tests.lopt.test_outer import tiny_trainer

    trainer = tiny_trainer(3, horizon=100, estimator="pes")
    trainer.outer_step()
    weights = trainer.params["head.weight"]
    assert not torch.equal(weights[0::2], weights[1::2])  # each member drifted under its own theta
    trainer.reset(torch.tensor([True, False]))
    assert torch.equal(trainer.params["head.weight"][0], trainer.params["head.weight"][1])
    assert trainer.estimator.accumulated[0].abs().sum() == 0 and trainer.estimator.accumulated[1].abs().sum() > 0
    settings = dataclasses.replace(trainer.settings)
    with pytest.raises(ValueError, match="unknown ES estimator 'pess'; estimators: truncated, pes"):
        dataclasses.replace(settings, estimator="pess")
