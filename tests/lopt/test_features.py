"""The learned optimizer's inputs and its initial rule: every input bounded, output-layer changes act per element,
theta0 is normalised Adam step for step."""

from __future__ import annotations

import torch

from robopt.lopt.mlp_optimizer import (
    DECAYS,
    NORMALISED,
    init_meta,
    init_state,
    learned_step,
    meta_shapes,
    tensor_features,
    unflatten_meta,
    update_momenta,
    update_second,
)
from robopt.lopt.population import init_population


def cnn_with_a_zero_bias(generator: torch.Generator) -> dict[str, torch.Tensor]:
    params = init_population(1, 10, generator, torch.device("cpu"))
    params["features.0.bias"] = torch.zeros_like(params["features.0.bias"])
    return params


def random_grads(params, generator, scale=1e-2):
    return {name: scale * torch.randn(value.shape, generator=generator) for name, value in params.items()}


def test_every_mlp_input_is_bounded_zero_biases_and_zero_gradients_included():
    generator = torch.Generator().manual_seed(0)
    params = cnn_with_a_zero_bias(generator)
    grads = random_grads(params, generator)
    grads["head.bias"] = torch.zeros_like(grads["head.bias"])  # a tensor that has seen no gradient yet
    state = init_state(params)
    for step in (0.0, 10.0, 5000.0):
        for name, weight in params.items():
            momenta = update_momenta(state.momenta[name], grads[name])
            second = update_second(state.second[name], grads[name])
            features = tensor_features(weight, grads[name], momenta, second, torch.tensor([step]))
            assert torch.isfinite(features).all(), name
            mean_square = features[0, :, :NORMALISED].square().mean(dim=0)
            assert bool((mean_square <= 1.0 + 1e-4).all()), (name, mean_square)  # normalised over the tensor
            assert float(features[0, :, NORMALISED:].abs().max()) <= 5.0, name  # time and tensor features


def test_a_changed_output_layer_moves_a_bias_element_by_element_not_as_a_uniform_shift():
    generator = torch.Generator().manual_seed(1)
    theta0 = init_meta(0.003, torch.Generator().manual_seed(0))
    params = cnn_with_a_zero_bias(generator)
    grads = random_grads(params, generator)
    for draw in range(10):
        meta = unflatten_meta(theta0[None].clone())
        for name in ("w2", "b2"):
            signs = torch.randint(0, 2, meta[name].shape, generator=generator) * 2.0 - 1.0
            meta[name] += 0.1 * signs
        flat = torch.cat([meta[name].flatten(1) for name in meta_shapes()], dim=1)
        new_params, _ = learned_step(flat, params, grads, init_state(params))
        update = params["features.0.bias"] - new_params["features.0.bias"]
        ratio = float(update.mean().abs() / update.square().mean().sqrt())
        assert ratio < 0.5, (draw, ratio)


def test_theta0_is_normalised_adam_step_for_step():
    generator = torch.Generator().manual_seed(2)
    step_size = 0.002
    theta0 = init_meta(step_size, torch.Generator().manual_seed(5))[None]
    params = init_population(1, 10, generator, torch.device("cpu"))
    state = init_state(params)
    reference = {name: value.clone().double() for name, value in params.items()}
    m = {name: torch.zeros_like(value) for name, value in reference.items()}
    v = {name: torch.zeros_like(value) for name, value in reference.items()}
    beta1, beta2 = DECAYS[1], 0.999
    for _ in range(6):
        grads = random_grads(params, generator)
        params, state = learned_step(theta0, params, grads, state)
        for name, g in grads.items():
            g = g.double()
            m[name] = beta1 * m[name] + (1 - beta1) * g
            v[name] = beta2 * v[name] + (1 - beta2) * g.square()
            direction = m[name] / (v[name].sqrt() + 1e-8)
            reference[name] -= step_size * direction / (direction.square().mean() + 1e-5).sqrt()
        for name, value in params.items():
            assert torch.allclose(value.double(), reference[name], rtol=1e-4, atol=1e-6), name
