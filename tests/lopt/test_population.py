"""The learned optimizer: features, step formula, momenta, ES estimator, population implementations, resume."""

from __future__ import annotations

import pytest
import torch

from robopt.lopt.population import evaluate_losses, init_population, losses_and_grads


@pytest.mark.parametrize("implementation", ["vmap", "loop"])
def test_population_implementations_agree(implementation):
    generator = torch.Generator().manual_seed(0)
    params = init_population(3, 10, generator, torch.device("cpu"))
    images = torch.rand(3, 4, 3, 32, 32, generator=generator)
    labels = torch.randint(0, 10, (3, 4), generator=generator)
    loss_grouped, grads_grouped = losses_and_grads(params, images, labels, "grouped")
    loss_other, grads_other = losses_and_grads(params, images, labels, implementation)
    assert torch.allclose(loss_grouped, loss_other, atol=1e-5)
    for name in params:
        assert torch.allclose(grads_grouped[name], grads_other[name], atol=1e-5, rtol=1e-4), name
    assert torch.allclose(evaluate_losses(params, images, labels), loss_grouped, atol=1e-6)
