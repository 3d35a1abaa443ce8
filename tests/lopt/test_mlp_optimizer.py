"""The learned optimizer: features, step formula, momenta, ES estimator, population implementations, resume."""

from __future__ import annotations

import math

import pytest
import torch

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
    update_second,
)


def test_features_match_a_hand_computed_case():
    weight = torch.tensor([[1.0, -2.0]])
    grad = torch.tensor([[0.5, 1.0]])
    momenta = update_momenta(torch.zeros(1, len(DECAYS), 2), grad)
    second = update_second(torch.zeros(1, 2), grad)
    features = tensor_features(weight, grad, momenta, second, torch.tensor([0.0]))
    assert features.shape == (1, 2, NUM_FEATURES) == (1, 2, 21)

    def normalised(values):
        values = torch.tensor(values, dtype=torch.float64)
        return values / math.sqrt(float((values**2).mean()) + 1e-5)

    root_v = [math.sqrt(0.001 * g * g) + 1e-8 for g in (0.5, 1.0)]
    expected_columns = [normalised([0.5, 1.0])]
    expected_columns += [normalised([(1 - b) * 0.5, (1 - b) * 1.0]) for b in DECAYS]
    expected_columns += [normalised([1.0, -2.0])]
    expected_columns += [normalised([(1 - b) * 0.5 / root_v[0], (1 - b) * 1.0 / root_v[1]]) for b in DECAYS]
    expected_columns += [normalised([1 / root_v[0], 1 / root_v[1]])]
    for column, expected in enumerate(expected_columns):
        assert torch.allclose(features[0, :, column].double(), expected, atol=1e-4), column
    time_features = features[0, 0, 13:19]
    assert torch.allclose(time_features, torch.full((len(TIMESCALES),), math.tanh(-1.0)))
    assert features[0, 0, 19].item() == pytest.approx(math.log10(math.sqrt(2.5) + 1e-3) / 3, abs=1e-5)
    assert features[0, 0, 20].item() == pytest.approx(math.log10(2.0) / 3)


def test_time_features_follow_tanh_of_scaled_step():
    weight = torch.ones(1, 3)
    features = tensor_features(weight, weight, torch.zeros(1, len(DECAYS), 3), torch.zeros(1, 3), torch.tensor([50.0]))
    expected = torch.tensor([math.tanh(50.0 / x - 1) for x in TIMESCALES])
    assert torch.allclose(features[0, 0, 13:19], expected, atol=1e-6)


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
