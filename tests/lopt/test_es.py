"""The learned optimizer: features, step formula, momenta, ES estimator, population implementations, resume."""

from __future__ import annotations

import math

import torch

from robopt.lopt.es import antithetic_es_gradient, truncation_length


def test_antithetic_es_points_downhill_and_outer_training_reduces_a_quadratic():
    generator = torch.Generator().manual_seed(0)
    target = torch.randn(20, generator=generator)

    def loss(theta):  # a batch of thetas (K x D) -> (K,)
        return ((theta - target) ** 2).sum(-1)

    theta = torch.zeros(20)
    eps = torch.randn(256, 20, generator=generator)
    estimate = antithetic_es_gradient(loss(theta + 0.01 * eps), loss(theta - 0.01 * eps), eps, 0.01)
    true = 2 * (theta - target)
    assert torch.nn.functional.cosine_similarity(estimate, true, dim=0) > 0.9
    start = float(loss(theta[None]))
    for _ in range(200):
        eps = torch.randn(16, 20, generator=generator)
        theta = theta - 0.05 * antithetic_es_gradient(loss(theta + 0.01 * eps), loss(theta - 0.01 * eps), eps, 0.01)
    assert float(loss(theta[None])) < 0.1 * start


def test_non_finite_pairs_are_dropped_from_the_estimate():
    eps = torch.ones(2, 3)
    estimate = antithetic_es_gradient(torch.tensor([1.0, math.nan]), torch.tensor([0.0, 0.0]), eps, 0.5)
    assert torch.allclose(estimate, torch.ones(3))


def test_truncation_schedule_ramps_and_jitters():
    generator = torch.Generator().manual_seed(0)
    assert truncation_length(0, 100, 10_000, 5_000, 0.0, generator) == 100
    assert truncation_length(2_500, 100, 10_000, 5_000, 0.0, generator) == 5050
    assert truncation_length(9_000, 100, 10_000, 5_000, 0.0, generator) == 10_000
    lengths = {truncation_length(0, 100, 10_000, 5_000, 0.2, generator) for _ in range(50)}
    assert min(lengths) >= 80 and max(lengths) <= 120 and len(lengths) > 5
