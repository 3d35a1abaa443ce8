"""The learned optimizer: features, step formula, momenta, ES estimator, population implementations, resume."""

from __future__ import annotations

import math

import pytest
import torch

from robopt.data.synthetic import generate_synthetic
from robopt.errors import UnknownNameError
from robopt.lopt import InnerData, Noise, OuterSettings, OuterTrainer
from robopt.lopt.es import antithetic_es_gradient, truncation_length
from robopt.lopt.mlp_optimizer import (
    DECAYS,
    NUM_FEATURES,
    STEP_SCALE,
    TIMESCALES,
    init_state,
    learned_step,
    meta_shapes,
    num_meta_parameters,
    tensor_features,
    update_momenta,
)
from robopt.lopt.population import evaluate_losses, init_population, losses_and_grads
from robopt.train.checkpoint import save_checkpoint


def test_features_match_a_hand_computed_case():
    weight = torch.tensor([[1.0, -2.0]])
    grad = torch.tensor([[0.5, 1.0]])
    momenta = update_momenta(torch.zeros(1, len(DECAYS), 2), grad)
    features = tensor_features(weight, grad, momenta, torch.tensor([0.0]))
    assert features.shape == (1, 2, NUM_FEATURES) == (1, 2, 16)

    def normalised(values):
        values = torch.tensor(values)
        return values / math.sqrt(float((values**2).mean()) + 1e-5)

    expected_columns = [normalised([0.5, 1.0])]
    expected_columns += [normalised([(1 - b) * 0.5, (1 - b) * 1.0]) for b in DECAYS]
    expected_columns += [normalised([1.0, -2.0]), normalised([math.log(1 + 1e-8), math.log(2 + 1e-8)])]
    for column, expected in enumerate(expected_columns):
        assert torch.allclose(features[0, :, column], expected, atol=1e-5), column
    time_features = features[0, 0, 8:14]
    assert torch.allclose(time_features, torch.full((len(TIMESCALES),), math.tanh(-1.0)))
    assert features[0, 0, 14].item() == pytest.approx(math.log(math.sqrt(5.0)), abs=1e-5)
    assert features[0, 0, 15].item() == pytest.approx(math.log(2.0))


def test_time_features_follow_tanh_of_scaled_step():
    weight = torch.ones(1, 3)
    momenta = torch.zeros(1, len(DECAYS), 3)
    features = tensor_features(weight, weight, momenta, torch.tensor([50.0]))
    expected = torch.tensor([math.tanh(50.0 / x - 1) for x in TIMESCALES])
    assert torch.allclose(features[0, 0, 8:14], expected, atol=1e-6)


def test_momenta_are_exponential_moving_averages():
    momenta = torch.zeros(1, len(DECAYS), 1)
    for g in (1.0, 3.0):
        momenta = update_momenta(momenta, torch.tensor([[g]]))
    for k, b in enumerate(DECAYS):
        assert momenta[0, k, 0].item() == pytest.approx(b * (1 - b) * 1.0 + (1 - b) * 3.0, rel=1e-3)  # float32 decays


def test_step_is_direction_times_exp_of_scaled_log_step():
    params = {"w": torch.tensor([[1.0, 2.0, 3.0]])}
    grads = {"w": torch.tensor([[0.1, -0.2, 0.3]])}
    meta = torch.zeros(1, num_meta_parameters())
    direction, log_step = 0.7, 50.0
    meta[0, -2:] = torch.tensor([direction, log_step])  # b2: with w1 = w2 = 0 the MLP outputs its bias
    new_params, state = learned_step(meta, params, grads, init_state(params))
    update = direction * math.exp(log_step * STEP_SCALE) * STEP_SCALE
    assert torch.allclose(new_params["w"], params["w"] - update)
    assert state.step.item() == 1.0
    assert list(meta_shapes()) == ["w1", "b1", "w2", "b2"]


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


def tiny_trainer(iterations: int) -> OuterTrainer:
    data = InnerData.from_split(generate_synthetic(200, seed=0), 0.2, 0, "cifar", torch.device("cpu"))
    settings = OuterSettings(iterations=iterations, pairs=2, batch_size=8, truncation_start=2, truncation_end=4,
                             truncation_ramp=4, eval_every=2, checkpoint_every=2, meta_lr=0.01, monitor=("fog",))
    noise = Noise("corruption", corruptions=("gaussian_noise", "contrast"), scale="cifar")
    return OuterTrainer(settings, data, noise, torch.device("cpu"))


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
        Noise("corruption", corruptions=("fogg",))
    with pytest.raises(ValueError, match="truncation_start must be >= 1"):
        OuterSettings(iterations=1, pairs=1, truncation_start=0)
    with pytest.raises(ValueError, match="unknown population implementation"):
        losses_and_grads(init_population(1, 10, torch.Generator(), torch.device("cpu")), torch.rand(1, 2, 3, 32, 32),
                         torch.zeros(1, 2, dtype=torch.long), "threads")
