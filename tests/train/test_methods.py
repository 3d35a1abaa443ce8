"""Each training method's step on tiny models: noise, perturbations and BatchNorm statistics."""

from __future__ import annotations

import copy
import dataclasses

import pytest
import torch
from torch import nn

from robopt.train import build_method
from robopt.train.base import OptimizerSettings, perturbed_parameters
from robopt.train.methods import MethodParamsError, method_keys

OPTIMIZER = OptimizerSettings(lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4, mixed_precision=False)


def tiny_model(batchnorm: bool = True) -> nn.Module:
    torch.manual_seed(0)
    layers = [nn.Conv2d(3, 4, 3, padding=1)]
    layers += [nn.BatchNorm2d(4)] if batchnorm else []
    layers += [nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)]
    return nn.Sequential(*layers)


@pytest.fixture
def batch():
    generator = torch.Generator().manual_seed(1)
    return torch.randn(16, 3, 6, 6, generator=generator), torch.randint(0, 3, (16,), generator=generator)


def run_step(method: str, model: nn.Module, batch, **params) -> nn.Module:
    build_method(method, model, OPTIMIZER, params).step(model, *batch)
    return model


def test_damp_with_zero_noise_equals_sgd_exactly(batch):
    sgd = run_step("sgd", tiny_model(), batch)
    damp = run_step("damp", tiny_model(), batch, sigma=0.0, sub_batches=1)
    for a, b in zip(sgd.parameters(), damp.parameters(), strict=True):
        assert torch.equal(a, b)


def test_damp_zero_noise_with_sub_batches_matches_sgd_without_batchnorm(batch):
    sgd = run_step("sgd", tiny_model(batchnorm=False), batch)
    damp = run_step("damp", tiny_model(batchnorm=False), batch, sigma=0.0, sub_batches=4)
    for a, b in zip(sgd.parameters(), damp.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def capture_forward_weights(model: nn.Module) -> list[dict[str, torch.Tensor]]:
    """Every parameter's value at each forward pass of ``model``."""
    seen: list[dict[str, torch.Tensor]] = []
    model.register_forward_pre_hook(lambda module, args: seen.append(
        {name: p.detach().clone() for name, p in module.named_parameters()}))
    return seen


@pytest.mark.parametrize("method", ["damp", "daap"])
def test_each_sub_batch_gets_its_own_noise_on_the_intended_parameters(method, batch):
    model = tiny_model()
    clean = {name: p.detach().clone() for name, p in model.named_parameters()}
    seen = capture_forward_weights(model)
    run_step(method, model, batch, sigma=0.1, sub_batches=4)
    assert len(seen) == 4
    perturbed = {"0.weight", "1.weight", "5.weight"}  # conv kernel, BN scale, linear kernel
    for values in seen:
        for name, value in values.items():
            assert torch.equal(value, clean[name]) != (name in perturbed), name
    conv = [values["0.weight"] for values in seen]
    assert all(not torch.equal(conv[i], conv[j]) for i in range(4) for j in range(i + 1, 4))


def test_damp_noise_is_multiplicative_and_daap_additive(batch):
    model = nn.Sequential(nn.Flatten(), nn.Linear(108, 3))
    nn.init.constant_(model[1].weight, 2.0)
    seen = capture_forward_weights(model)
    run_step("damp", model, batch, sigma=0.1, sub_batches=1)
    ratio = seen[0]["1.weight"] / 2.0
    assert abs(float(ratio.mean()) - 1.0) < 0.03 and abs(float(ratio.std()) - 0.1) < 0.02
    model = nn.Sequential(nn.Flatten(), nn.Linear(108, 3))
    nn.init.constant_(model[1].weight, 2.0)
    seen = capture_forward_weights(model)
    run_step("daap", model, batch, sigma=0.05, sub_batches=1)
    shift = seen[0]["1.weight"] - 2.0
    assert abs(float(shift.std()) - 0.05) < 0.01


def test_perturbed_parameters_are_kernels_and_scales():
    model = tiny_model()
    assert [p.shape for p in perturbed_parameters(model)] == [(4, 3, 3, 3), (4,), (3, 4)]


def first_gradients(model, batch):
    model.zero_grad()
    nn.functional.cross_entropy(model(batch[0]), batch[1]).backward()


def test_sam_perturbation_has_norm_rho(batch):
    model = tiny_model()
    sam = build_method("sam", model, OPTIMIZER, {"rho": 0.05})
    first_gradients(model, batch)
    eps = sam.perturbation()
    assert float(torch.sqrt(sum((e**2).sum() for e in eps))) == pytest.approx(0.05, rel=1e-5)


def test_asam_perturbation_is_scaled_by_weight_magnitude(batch):
    model = tiny_model()
    asam = build_method("asam", model, OPTIMIZER, {"rho": 1.0, "eta": 0.0})
    first_gradients(model, batch)
    eps = asam.perturbation()
    params = list(model.parameters())
    conv_w, conv_b = params[0], params[1]
    ratio = eps[0] / (conv_w.detach() ** 2 * conv_w.grad)
    torch.testing.assert_close(ratio, torch.full_like(ratio, float(ratio.flatten()[0])))
    bias_ratio = eps[1] / conv_b.grad  # biases are not scaled
    torch.testing.assert_close(bias_ratio, torch.full_like(bias_ratio, float(ratio.flatten()[0])))
    weights = [p.detach().abs() if s else torch.ones_like(p) for p, s in zip(params, asam.is_scaled, strict=True)]
    norm = torch.sqrt(sum(((e / w.clamp_min(1e-12)) ** 2).sum() for e, w in zip(eps, weights, strict=True)))
    assert float(norm) == pytest.approx(1.0, rel=1e-4)  # ||T^-1 eps|| = rho


@pytest.mark.parametrize("method", ["sam", "asam"])
def test_second_pass_leaves_batchnorm_statistics_alone(method, batch):
    model = tiny_model()
    reference = copy.deepcopy(model)
    reference.train()
    with torch.no_grad():
        reference(batch[0])  # exactly one update of the running statistics
    run_step(method, model, batch, rho=0.5, **({"eta": 0.0} if method == "asam" else {}))
    bn, bn_ref = model[1], reference[1]
    assert torch.equal(bn.running_mean, bn_ref.running_mean) and torch.equal(bn.running_var, bn_ref.running_var)
    assert int(bn.num_batches_tracked) == 1


def test_every_method_reduces_the_loss(batch):
    params = {"sgd": {}, "adam": {}, "damp": {"sigma": 0.05, "sub_batches": 2}, "daap": {"sigma": 0.05, "sub_batches": 2},
              "sam": {"rho": 0.05}, "asam": {"rho": 0.05, "eta": 0.0}}
    for method, own in params.items():
        model = tiny_model()
        optimizer = dataclasses.replace(OPTIMIZER, lr=0.05 if method != "adam" else 0.01)
        trainer = build_method(method, model, optimizer, own)
        losses = [float(trainer.step(model, *batch)[0]) for _ in range(30)]
        assert losses[-1] < losses[0], method


def test_bad_hyperparameters_are_rejected():
    with pytest.raises(ValueError, match="sub_batches"):
        build_method("damp", tiny_model(), OPTIMIZER, {"sigma": 0.1, "sub_batches": 0})
    with pytest.raises(ValueError, match="equal sub-batches"):
        model = tiny_model()
        build_method("damp", model, OPTIMIZER, {"sigma": 0.1, "sub_batches": 3}).step(
            model, torch.zeros(16, 3, 6, 6), torch.zeros(16, dtype=torch.long))


@pytest.mark.parametrize(("method", "params", "message"), [
    ("damp", {"sigmaa": 0.1, "sub_batches": 2}, r"unknown key\(s\) sigmaa; missing key\(s\) sigma \(damp takes sigma, sub_batches\)"),
    ("daap", {"sigma": 0.1}, r"missing key\(s\) sub_batches"),
    ("sam", {}, r"missing key\(s\) rho \(sam takes rho\)"),
    ("asam", {"rho": 1.0}, r"missing key\(s\) eta"),
    ("sgd", {"rho": 0.1}, r"unknown key\(s\) rho \(sgd takes no keys of its own\)"),
])
def test_a_builder_takes_exactly_its_own_keys(method, params, message):
    """No silent default: a missing or misspelled key fails before a step, naming the keys."""
    with pytest.raises(MethodParamsError, match=message):
        build_method(method, tiny_model(), OPTIMIZER, params)


def test_method_keys_come_from_the_builders():
    assert method_keys("damp") == ("sigma", "sub_batches") and method_keys("asam") == ("rho", "eta")
    assert method_keys("sgd") == () and method_keys("adam") == ()
