"""Each training method's step on tiny models: noise, perturbations and BatchNorm statistics."""

from __future__ import annotations

import copy
import dataclasses

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from robopt.models import build_model
from robopt.train import build_method
from robopt.train.base import OptimizerSettings, perturbed_parameters
from robopt.train.methods import MethodParamsError, method_keys
from robopt.train.sub_batch import flat_copy, sub_batch_views
from robopt.train.weight_noise import SequentialWeightNoise

OPTIMIZER = OptimizerSettings(lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4, mixed_precision=False,
                              base="sgd", grad_clip_norm=0.0, weight_decay_on="all")


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


WEIGHT_NOISE = {"sigma": 0.1, "sub_batches": 4, "bn_scope": "batch"}
SHARPNESS = {"rho": 0.05, "sub_batches": 1, "bn_scope": "batch", "precision": "fp32"}


def run_step(method: str, model: nn.Module, batch, **params) -> nn.Module:
    build_method(method, model, OPTIMIZER, params).step(model, *batch)
    return model


def gradients(model: nn.Module) -> list[torch.Tensor]:
    return [p.grad.clone() for p in model.parameters() if p.requires_grad]  # ViT: its fixed position embedding


def buffers(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: b.clone() for name, b in model.named_buffers()}


def assert_same(a, b, **tolerance):
    for x, y in zip(a, b, strict=True):
        torch.testing.assert_close(x, y, **tolerance)


@pytest.mark.parametrize("model_name", ["tiny", "resnet18"])
def test_damp_with_zero_noise_and_batchwide_statistics_equals_sgd(batch, model_name):
    def fresh():
        if model_name == "tiny":
            return tiny_model()
        torch.manual_seed(0)
        return build_model("resnet18", 3)

    inputs, targets = (batch[0].repeat(1, 1, 6, 6)[:, :, :32, :32], batch[1]) if model_name == "resnet18" else batch
    sgd, damp = fresh(), fresh()
    sgd_loss = build_method("sgd", sgd, OPTIMIZER, {}).step(sgd, inputs, targets)[0]
    damp_loss = build_method("damp", damp, OPTIMIZER, {**WEIGHT_NOISE, "sigma": 0.0}).step(damp, inputs, targets)[0]
    torch.testing.assert_close(sgd_loss, damp_loss)
    tolerance = {"rtol": 1e-4, "atol": 1e-5}  # float32 sums over 128 images in another order (grouped convolutions)
    assert_same(sgd.parameters(), damp.parameters(), **tolerance)
    assert_same(buffers(sgd).values(), buffers(damp).values(), **tolerance)


@pytest.mark.parametrize("method", ["damp", "daap"])
def test_the_joint_pass_equals_the_sequential_reference_with_per_sub_batch_statistics(method, batch):
    joint_model, sequential_model = tiny_model(), tiny_model()
    params = {**WEIGHT_NOISE, "bn_scope": "sub_batch"}
    joint = build_method(method, joint_model, OPTIMIZER, params)
    sequential = SequentialWeightNoise(build_method(method, sequential_model, OPTIMIZER, params))
    torch.manual_seed(3)
    loss, logits = joint.step(joint_model, *batch)
    torch.manual_seed(3)
    reference_loss, reference_logits = sequential.step(sequential_model, *batch)
    torch.testing.assert_close(loss, reference_loss)
    torch.testing.assert_close(logits, reference_logits, rtol=1e-5, atol=1e-6)
    assert_same(gradients(joint_model), gradients(sequential_model), rtol=1e-5, atol=1e-6)
    assert_same(joint_model.parameters(), sequential_model.parameters(), rtol=1e-5, atol=1e-6)
    assert_same(buffers(joint_model).values(), buffers(sequential_model).values(), rtol=1e-5, atol=1e-6)


def batchwide_reference(model: nn.Module, inputs, targets, weights: list[dict[str, torch.Tensor]]):
    """tiny_model by hand, sub-batch m = images m::M under weights[m], BN statistics over the whole batch: (loss,
    per-sub-batch weight gradients, shared bias gradients, batch mean and unbiased variance of the BN input)."""
    count = len(weights)
    leaves = [{k: v.clone().requires_grad_() for k, v in w.items()} for w in weights]
    shared = {k: p.detach().clone().requires_grad_() for k, p in model.named_parameters() if k not in weights[0]}
    conv = [F.conv2d(inputs[m::count], leaves[m]["0.weight"], shared["0.bias"], padding=1) for m in range(count)]
    stacked = torch.stack(conv)  # M x b x C x H x W
    mean, var = stacked.mean(dim=(0, 1, 3, 4)), stacked.var(dim=(0, 1, 3, 4), unbiased=False)
    loss = 0.0
    for m in range(count):
        normed = (conv[m] - mean[:, None, None]) / torch.sqrt(var[:, None, None] + 1e-5)
        hidden = (normed * leaves[m]["1.weight"][:, None, None] + shared["1.bias"][:, None, None]).relu()
        logits = F.linear(hidden.mean(dim=(2, 3)), leaves[m]["5.weight"], shared["5.bias"])
        loss = loss + F.cross_entropy(logits, targets[m::count]) / count
    loss.backward()
    unbiased = stacked.detach().var(dim=(0, 1, 3, 4), unbiased=True)
    return loss.detach(), [w for leaf in leaves for w in leaf.values()], shared, mean.detach(), unbiased


def test_the_joint_pass_with_batchwide_statistics_equals_a_hand_written_reference(batch):
    model = tiny_model()
    clean = {name: p.detach().clone() for name, p in model.named_parameters()}
    damp = build_method("damp", model, OPTIMIZER, WEIGHT_NOISE)
    torch.manual_seed(5)
    offsets = damp.draw_offsets()
    weights = [{name: clean[name] + offset[m] for name, offset in zip(damp.names, offsets, strict=True)}
               for m in range(4)]
    loss_ref, weight_grads, shared_grads, mean, var = batchwide_reference(model, *batch, weights)
    torch.manual_seed(5)
    optimizer_step = damp.optimizer.step
    damp.optimizer.step = lambda: None  # compare the gradients before the update
    loss, _ = damp.step(model, *batch)
    damp.optimizer.step = optimizer_step
    torch.testing.assert_close(loss, loss_ref)
    grads = dict(model.named_parameters())
    for k, name in enumerate(damp.names):  # the gradient of w is the sum over sub-batches at the perturbed copies
        total = sum(weight_grads[m * len(damp.names) + k].grad for m in range(4))
        torch.testing.assert_close(grads[name].grad, total, rtol=1e-4, atol=1e-6)
    for name, leaf in shared_grads.items():
        torch.testing.assert_close(grads[name].grad, leaf.grad, rtol=1e-4, atol=1e-6)
    bn = model[1]
    torch.testing.assert_close(bn.running_mean, 0.1 * mean, rtol=1e-4, atol=1e-6)  # one update from 0
    torch.testing.assert_close(bn.running_var, 0.9 + 0.1 * var, rtol=1e-4, atol=1e-6)  # one update from 1
    assert int(bn.num_batches_tracked) == 1


def test_each_sub_batch_gets_an_independent_draw_on_the_intended_parameters(batch):
    model = tiny_model()
    damp = build_method("damp", model, OPTIMIZER, WEIGHT_NOISE)
    assert damp.names == ["0.weight", "1.weight", "5.weight"]  # conv kernel, BN scale, linear kernel
    offsets = damp.draw_offsets()
    conv = offsets[0].flatten(1)
    assert conv.shape[0] == 4
    correlation = torch.corrcoef(conv / model[0].weight.detach().flatten())
    assert (correlation - torch.eye(4)).abs().max() < 0.5  # 108 weights each: independent draws
    assert all(not torch.equal(conv[i], conv[j]) for i in range(4) for j in range(i + 1, 4))


def test_damp_noise_is_multiplicative_and_daap_additive():
    model = nn.Sequential(nn.Flatten(), nn.Linear(108, 3))
    nn.init.constant_(model[1].weight, 2.0)
    damp = build_method("damp", model, OPTIMIZER, {**WEIGHT_NOISE, "sub_batches": 8})
    ratio = 1.0 + damp.draw_offsets()[0] / 2.0
    assert abs(float(ratio.mean()) - 1.0) < 0.02 and abs(float(ratio.std()) - 0.1) < 0.01
    daap = build_method("daap", model, OPTIMIZER, {**WEIGHT_NOISE, "sigma": 0.05, "sub_batches": 8})
    assert abs(float(daap.draw_offsets()[0].std()) - 0.05) < 0.005


def test_perturbed_parameters_are_kernels_and_scales():
    model = tiny_model()
    assert [p.shape for p in perturbed_parameters(model)] == [(4, 3, 3, 3), (4,), (3, 4)]


def perturbations(method, grads: list[torch.Tensor]) -> list[torch.Tensor]:
    """SAM/ASAM's eps per parameter from per-parameter gradients with a leading sub-batch axis."""
    flat = torch.cat([g.flatten(1) for g in grads], dim=1)
    return sub_batch_views(method.perturbation(flat, flat_copy(method.params)), method.params)


def first_gradients(model, batch):
    model.zero_grad()
    nn.functional.cross_entropy(model(batch[0]), batch[1]).backward()
    return [p.grad.clone() for p in model.parameters()]


def test_sam_perturbation_has_norm_rho_per_sub_batch(batch):
    model = tiny_model()
    sam = build_method("sam", model, OPTIMIZER, SHARPNESS)
    grads = first_gradients(model, batch)
    eps = [e[0] for e in perturbations(sam, [g[None] for g in grads])]
    assert float(torch.sqrt(sum((e**2).sum() for e in eps))) == pytest.approx(0.05, rel=1e-5)
    stacked = [torch.stack([g, 3 * g]) for g in grads]  # two sub-batches, one gradient three times the other
    eps = perturbations(sam, stacked)
    norms = torch.sqrt(sum((e.flatten(1) ** 2).sum(1) for e in eps))
    torch.testing.assert_close(norms, torch.tensor([0.05, 0.05]))
    torch.testing.assert_close(eps[0][0], eps[0][1])


def test_asam_perturbation_is_scaled_by_weight_magnitude(batch):
    model = tiny_model()
    asam = build_method("asam", model, OPTIMIZER, {**SHARPNESS, "rho": 1.0, "eta": 0.0})
    grads = first_gradients(model, batch)
    eps = [e[0] for e in perturbations(asam, [g[None] for g in grads])]
    params = list(model.parameters())
    conv_w = params[0]
    ratio = eps[0] / (conv_w.detach() ** 2 * grads[0])
    torch.testing.assert_close(ratio, torch.full_like(ratio, float(ratio.flatten()[0])))
    bias_ratio = eps[1] / grads[1]  # biases are not scaled
    torch.testing.assert_close(bias_ratio, torch.full_like(bias_ratio, float(ratio.flatten()[0])))
    weights = [p.detach().abs() if s else torch.ones_like(p) for p, s in zip(params, asam.is_scaled, strict=True)]
    norm = torch.sqrt(sum(((e / w.clamp_min(1e-12)) ** 2).sum() for e, w in zip(eps, weights, strict=True)))
    assert float(norm) == pytest.approx(1.0, rel=1e-4)  # ||T^-1 eps|| = rho


def sgd_update(model: nn.Module, grads: list[torch.Tensor]) -> None:
    """One step of the base optimizer with the given gradients."""
    optimizer = torch.optim.SGD(model.parameters(), lr=OPTIMIZER.lr, momentum=OPTIMIZER.momentum, nesterov=True,
                                weight_decay=OPTIMIZER.weight_decay)
    for p, g in zip(model.parameters(), grads, strict=True):
        p.grad = g
    optimizer.step()


def sam_reference(model: nn.Module, inputs, targets, rho: float) -> list[torch.Tensor]:
    """The gradient SAM steps with, by hand: at w + rho g / ||g||, BN running statistics from the first pass only."""
    grads = first_gradients(model, (inputs, targets))
    norm = torch.sqrt(sum((g**2).sum() for g in grads))
    saved = buffers(model)
    with torch.no_grad():
        for p, g in zip(model.parameters(), grads, strict=True):
            p.add_(rho * g / norm)
    second = first_gradients(model, (inputs, targets))
    with torch.no_grad():
        for p, g in zip(model.parameters(), grads, strict=True):
            p.sub_(rho * g / norm)
        for name, b in model.named_buffers():
            b.copy_(saved[name])
    return second


def test_sam_with_one_sub_batch_is_plain_sam(batch):
    model, reference = tiny_model(), tiny_model()
    run_step("sam", model, batch, **SHARPNESS)
    sgd_update(reference, sam_reference(reference, *batch, rho=0.05))
    assert_same(model.parameters(), reference.parameters(), rtol=1e-5, atol=1e-6)
    assert_same(buffers(model).values(), buffers(reference).values())


def test_m_sharpness_in_one_joint_pass_equals_sam_per_sub_batch(batch):
    model, reference = tiny_model(), tiny_model()
    run_step("sam", model, batch, **{**SHARPNESS, "sub_batches": 4, "bn_scope": "sub_batch"})
    start = buffers(reference)
    grads, statistics = [], []
    for m in range(4):
        for name, b in reference.named_buffers():
            b.data.copy_(start[name])
        grads.append(sam_reference(reference, batch[0][m::4], batch[1][m::4], rho=0.05))
        statistics.append(buffers(reference))  # after the first pass's update, on this sub-batch
    for name, b in reference.named_buffers():
        b.data.copy_(sum(s[name] for s in statistics) / 4 if b.is_floating_point() else start[name] + 1)
    sgd_update(reference, [sum(g) / 4 for g in zip(*grads, strict=True)])
    assert_same(model.parameters(), reference.parameters(), rtol=1e-5, atol=1e-6)
    assert_same(buffers(model).values(), buffers(reference).values(), rtol=1e-5, atol=1e-6)


class ConvolutionWeights(TorchDispatchMode):
    """The weight every convolution kernel receives (after autocast's casts)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[torch.Tensor] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func is torch.ops.aten.convolution.default:
            self.seen.append(args[1].detach().float().clone())
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize(("bf16", "agreement"), [(False, 0.999), (True, None)])
def test_sams_forward_pass_sees_the_intended_perturbation_in_fp32(batch, bf16, agreement):
    model = tiny_model()
    sam = build_method("sam", model, OPTIMIZER, {**SHARPNESS, "rho": 0.002})
    sam.bf16 = bf16  # what precision: mixed would do on a GPU (autocast works on the CPU as well)
    intended = perturbations(sam, [g[None] for g in first_gradients(tiny_model(), batch)])[0].flatten()
    with ConvolutionWeights() as capture:
        sam.step(model, *batch)
    seen = (capture.seen[1] - capture.seen[0]).flatten()  # second pass's conv weight minus the first's
    cosine = float(F.cosine_similarity(seen, intended, dim=0))
    if agreement is not None:
        assert cosine > agreement
    else:  # bf16 rounds most of a 2e-4 perturbation of weights ~0.2 away
        assert cosine < 0.9


@pytest.mark.parametrize("method", ["sam", "asam"])
@pytest.mark.parametrize("sub_batches", [1, 4])
def test_second_pass_leaves_batchnorm_statistics_alone(method, sub_batches, batch):
    model = tiny_model()
    reference = copy.deepcopy(model)
    reference.train()
    with torch.no_grad():
        reference(batch[0])  # exactly one update of the running statistics, over the whole batch
    params = {**SHARPNESS, "rho": 0.5, "sub_batches": sub_batches, **({"eta": 0.0} if method == "asam" else {})}
    run_step(method, model, batch, **params)
    bn, bn_ref = model[1], reference[1]
    torch.testing.assert_close(bn.running_mean, bn_ref.running_mean)
    torch.testing.assert_close(bn.running_var, bn_ref.running_var)
    assert int(bn.num_batches_tracked) == 1


def test_every_method_reduces_the_loss(batch):
    params = {"sgd": {}, "adam": {}, "damp": {**WEIGHT_NOISE, "sigma": 0.05, "sub_batches": 2},
              "daap": {**WEIGHT_NOISE, "sigma": 0.05, "sub_batches": 2}, "sam": {**SHARPNESS, "sub_batches": 2},
              "asam": {**SHARPNESS, "eta": 0.0}}
    for method, own in params.items():
        model = tiny_model()
        optimizer = dataclasses.replace(OPTIMIZER, lr=0.05 if method != "adam" else 0.01)
        trainer = build_method(method, model, optimizer, own)
        losses = [float(trainer.step(model, *batch)[0]) for _ in range(30)]
        assert losses[-1] < losses[0], method


def test_bad_hyperparameters_are_rejected():
    with pytest.raises(ValueError, match="sub_batches"):
        build_method("damp", tiny_model(), OPTIMIZER, {**WEIGHT_NOISE, "sub_batches": 0})
    with pytest.raises(ValueError, match="equal sub-batches"):
        model = tiny_model()
        build_method("damp", model, OPTIMIZER, {**WEIGHT_NOISE, "sub_batches": 3}).step(
            model, torch.zeros(16, 3, 6, 6), torch.zeros(16, dtype=torch.long))


@pytest.mark.parametrize(("method", "params", "message"), [
    ("damp", {"sigmaa": 0.1, "sub_batches": 2, "bn_scope": "batch"},
     r"unknown key\(s\) sigmaa; missing key\(s\) sigma \(damp takes sigma, sub_batches, bn_scope\)"),
    ("daap", {"sigma": 0.1}, r"missing key\(s\) sub_batches, bn_scope"),
    ("sam", {}, r"missing key\(s\) rho, sub_batches, bn_scope, precision \(sam takes rho, sub_batches, bn_scope, precision\)"),
    ("asam", {"rho": 1.0}, r"missing key\(s\) eta"),
    ("sgd", {"rho": 0.1}, r"unknown key\(s\) rho \(sgd takes no keys of its own\)"),
])
def test_a_builder_takes_exactly_its_own_keys(method, params, message):
    """No silent default: a missing or misspelled key fails before a step, naming the keys."""
    with pytest.raises(MethodParamsError, match=message):
        build_method(method, tiny_model(), OPTIMIZER, params)


def test_method_keys_come_from_the_builders():
    assert method_keys("damp") == ("sigma", "sub_batches", "bn_scope")
    assert method_keys("asam") == ("rho", "eta", "sub_batches", "bn_scope", "precision")
    assert method_keys("sgd") == () and method_keys("adam") == ()


def test_base_optimizer_adamw_with_kernel_only_decay_and_global_norm_clipping():
    from robopt.train.base import base_optimizer

    torch.manual_seed(0)
    model = build_model("small_cnn", 10)
    settings = dataclasses.replace(OPTIMIZER, base="adamw", weight_decay=0.1, weight_decay_on="kernels",
                                   grad_clip_norm=0.01)
    optimizer = base_optimizer(model, settings)
    assert isinstance(optimizer, torch.optim.AdamW)
    decayed, undecayed = optimizer.param_groups
    assert decayed["weight_decay"] == 0.1 and all(p.dim() > 1 for p in decayed["params"])
    assert undecayed["weight_decay"] == 0.0 and all(p.dim() == 1 for p in undecayed["params"])
    trainer = build_method("sgd", model, settings, {})
    trainer.step(model, torch.randn(8, 3, 32, 32), torch.randint(0, 10, (8,)))
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in model.parameters()]))
    assert float(norm) == pytest.approx(0.01, rel=1e-4)  # the step used the clipped gradient
    with pytest.raises(ValueError, match="valid: sgd, adamw"):
        base_optimizer(model, dataclasses.replace(OPTIMIZER, base="lamb"))


def tiny_vit() -> nn.Module:
    torch.manual_seed(0)
    return build_model("vit_s16", 3, image_size=32)  # a 2 x 2 token grid: linear layers on (n, tokens, width)


@pytest.mark.parametrize("method", ["damp", "daap"])
def test_the_joint_pass_of_a_vit_equals_the_sequential_reference(method):
    """Token activations (n, T, D) through the batched linear layers and per-sub-batch LayerNorm scales."""
    generator = torch.Generator().manual_seed(2)
    inputs, targets = torch.randn(8, 3, 32, 32, generator=generator), torch.randint(0, 3, (8,), generator=generator)
    joint_model, sequential_model = tiny_vit(), tiny_vit()
    params = {"sigma": 0.1, "sub_batches": 4, "bn_scope": "sub_batch"}
    joint = build_method(method, joint_model, OPTIMIZER, params)
    sequential = SequentialWeightNoise(build_method(method, sequential_model, OPTIMIZER, params))
    layer_norm_scales = {id(m.weight) for m in joint_model.modules() if isinstance(m, nn.LayerNorm)}
    assert layer_norm_scales <= {id(p) for p in perturbed_parameters(joint_model)}  # flax "scale" leaves
    torch.manual_seed(3)
    loss, logits = joint.step(joint_model, inputs, targets)
    torch.manual_seed(3)
    reference_loss, reference_logits = sequential.step(sequential_model, inputs, targets)
    torch.testing.assert_close(loss, reference_loss, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(logits, reference_logits, rtol=1e-4, atol=1e-5)
    assert_same(gradients(joint_model), gradients(sequential_model), rtol=1e-4, atol=1e-5)  # float32, 12 blocks


def test_sam_sub_batches_of_a_vit_equal_separate_sam_steps_on_each():
    """m-sharpness on a ViT: the joint pass's gradient is the mean of each sub-batch's own SAM gradient."""
    generator = torch.Generator().manual_seed(4)
    inputs, targets = torch.randn(4, 3, 32, 32, generator=generator), torch.randint(0, 3, (4,), generator=generator)
    joint_model = tiny_vit()
    sam = build_method("sam", joint_model, OPTIMIZER, {**SHARPNESS, "sub_batches": 2})
    sam.optimizer.step = lambda: None
    sam.step(joint_model, inputs, targets)
    expected = None
    for m in range(2):
        model = tiny_vit()
        single = build_method("sam", model, OPTIMIZER, SHARPNESS)
        single.optimizer.step = lambda: None
        single.step(model, inputs[m::2], targets[m::2])
        grads = [g / 2 for g in gradients(model)]
        expected = grads if expected is None else [a + b for a, b in zip(expected, grads, strict=True)]
    assert_same(gradients(joint_model), expected, rtol=1e-4, atol=1e-6)
