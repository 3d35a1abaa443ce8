"""L2RW and Meta-Weight-Net: exact meta-gradients (against finite differences, in float64), BatchNorm buffers kept,
weights invariant to the virtual lr, uniform weights = SGD."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from robopt.data.format import ImageSplit
from robopt.train.base import OptimizerSettings
from robopt.train.l2rw import L2RW, normalised_weights
from robopt.train.meta_step import (
    MetaBatches,
    alignments,
    buffer_copies,
    meta_gradient,
    parameters_of,
    weight_meta_gradient,
)
from robopt.train.methods import SGD
from robopt.train.mwnet import MWNet

OPTIMIZER = OptimizerSettings(lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4, mixed_precision=False,
                              base="sgd", grad_clip_norm=0.0, weight_decay_on="all")
MWNET = {"meta_batch_size": 8, "meta_bn": "batch", "meta_interval": 1, "meta_optimizer": "adam", "meta_lr": 1e-3,
         "meta_weight_decay": 1e-4, "hidden": 100, "normalize": "sum", "detach_input": True}


def conv_bn(dtype=torch.float64) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(4, 3)).to(dtype).train()


def data(n: int, seed: int, dtype=torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, 5, 5, generator=generator, dtype=dtype), torch.randint(0, 3, (n,), generator=generator)


def meta_loss_after_step(model, x, y, meta_x, meta_y, eps, lr) -> torch.Tensor:
    """L_meta(theta - lr grad sum eps_i l_i), computed the references' way (batch statistics, buffers cloned)."""
    from torch.func import functional_call

    params = {k: v.detach().requires_grad_(True) for k, v in parameters_of(model).items()}
    logits = functional_call(model, (params, buffer_copies(model)), (x,))
    loss = (eps * F.cross_entropy(logits, y, reduction="none")).sum()
    grads = torch.autograd.grad(loss, list(params.values()))
    stepped = {k: p.detach() - lr * g for (k, p), g in zip(params.items(), grads, strict=True)}
    meta_logits = functional_call(model, (stepped, buffer_copies(model)), (meta_x,))
    return F.cross_entropy(meta_logits, meta_y)


def finite_differences(f, eps: torch.Tensor, h: float = 1e-5) -> torch.Tensor:
    out = torch.zeros_like(eps)
    for i in range(len(eps)):
        step = torch.zeros_like(eps)
        step[i] = h
        out[i] = (f(eps + step) - f(eps - step)) / (2 * h)
    return out


@pytest.mark.parametrize("at", ["zero", "random"])
def test_weight_meta_gradient_matches_finite_differences(at):
    model = conv_bn()
    (x, y), (mx, my) = data(6, 1), data(5, 2)
    eps = torch.zeros(6, dtype=torch.float64) if at == "zero" else torch.rand(6, dtype=torch.float64,
                                                                               generator=torch.Generator().manual_seed(3))
    lr = 0.5
    exact = weight_meta_gradient(model, x, y, mx, my, eps, lr, "batch")
    numeric = finite_differences(lambda e: meta_loss_after_step(model, x, y, mx, my, e, lr), eps)
    torch.testing.assert_close(exact, numeric, rtol=1e-6, atol=1e-10)
    assert exact.abs().max() > 1e-4  # a real signal, not zeros on both sides


def test_meta_gradient_at_zero_is_minus_lr_times_gradient_inner_products():
    model = conv_bn()
    (x, y), (mx, my) = data(6, 1), data(5, 2)
    lr = 0.3
    exact = weight_meta_gradient(model, x, y, mx, my, torch.zeros(6, dtype=torch.float64), lr, "batch")
    params = parameters_of(model)
    g_meta = meta_gradient(model, params, mx, my, "batch")
    closed = []
    for i in range(6):  # grad l_i with the whole batch's statistics, one example at a time by reverse mode
        leaves = {k: v.detach().requires_grad_(True) for k, v in params.items()}
        from torch.func import functional_call

        losses = F.cross_entropy(functional_call(model, (leaves, buffer_copies(model)), (x,)), y, reduction="none")
        grads = torch.autograd.grad(losses[i], list(leaves.values()))
        closed.append(-lr * sum((g * g_meta[k]).sum() for k, g in zip(leaves, grads, strict=True)))
    torch.testing.assert_close(exact, torch.stack(closed), rtol=1e-9, atol=1e-12)


def test_l2rw_weights_are_normalised_clipped_minus_meta_gradient_and_lr_free():
    model = conv_bn()
    (x, y), (mx, my) = data(8, 1), data(5, 2)
    method = L2RW(model, OPTIMIZER, meta_batch_size=5, meta_bn="batch")
    weights = method.example_weights(model, x, y, mx, my)
    zero = torch.zeros(8, dtype=torch.float64)
    for lr in (1e-3, 0.1, 10.0):
        numeric = finite_differences(lambda e, lr=lr: meta_loss_after_step(model, x, y, mx, my, e, lr), zero)
        torch.testing.assert_close(weights, normalised_weights(-numeric), rtol=1e-5, atol=1e-9)
    assert weights.sum() == pytest.approx(1.0) and (weights >= 0).all() and (weights == 0).any()


def test_all_zero_weights_stay_zero():
    weights = normalised_weights(torch.tensor([-1.0, -2.0, 0.0]))
    assert torch.equal(weights, torch.zeros(3))


def oracle_meta_loss(model: nn.Module, net: nn.Module, x, y, meta_x, meta_y, lr: float, normalize: str,
                     detach_input: bool) -> torch.Tensor:
    """The references' meta objective, written out on a deep copy of the model with plain autograd: weights from V
    (divided by their sum or by n), a virtual SGD step on sum_i w_i l_i, the mean meta cross-entropy at the stepped
    parameters (BatchNorm with batch statistics)."""
    clone = copy.deepcopy(model).train()
    params = [p for p in clone.parameters()]
    losses = F.cross_entropy(clone(x), y, reduction="none")
    values = net((losses.detach() if detach_input else losses).reshape(-1, 1)).reshape(-1)
    if normalize == "sum":
        weights = values / values.sum() if values.sum() != 0 else values
    else:
        weights = values / len(values)
    grads = torch.autograd.grad((weights * losses).sum(), params)
    with torch.no_grad():
        for p, g in zip(params, grads, strict=True):
            p -= lr * g
        return F.cross_entropy(clone(meta_x), meta_y)


def mwnet_gradient(normalize: str, detach_input: bool, lr: float = 0.5):
    """MW-Net's own meta-gradient on V's parameters (the optimizer's step stubbed out), with its V and the data."""
    model = conv_bn()
    (x, y), (mx, my) = data(6, 1), data(5, 2)
    method = MWNet(model, OPTIMIZER, **{**MWNET, "hidden": 3, "normalize": normalize, "detach_input": detach_input})
    method.weight_net.double()
    with torch.no_grad():  # every hidden unit active on these losses, so each parameter has a gradient to check
        first, last = method.weight_net.layers[0], method.weight_net.layers[2]
        first.weight.copy_(torch.tensor([[0.5], [1.0], [-0.7]]))
        first.bias.copy_(torch.tensor([0.1, -0.2, 3.0]))
        last.weight.copy_(torch.tensor([[0.8, -1.1, 0.6]]))
    method.draw_meta_batch = lambda: (mx, my)
    method.meta_optimizer.step = lambda: None
    method.optimizer.param_groups[0]["lr"] = lr
    losses = F.cross_entropy(model(x), y, reduction="none")
    method.update_weight_net(model, x, y, losses)
    return model, method.weight_net, (x, y, mx, my)


@pytest.mark.parametrize(("normalize", "detach_input"), [("sum", True), ("none", True), ("sum", False)])
def test_mwnet_weight_net_gradient_matches_finite_differences_of_the_meta_objective(normalize, detach_input):
    lr = 0.5
    model, net, (x, y, mx, my) = mwnet_gradient(normalize, detach_input, lr)
    h = 1e-5
    for name, p in net.named_parameters():
        numeric = torch.zeros_like(p)
        for i in range(p.numel()):
            original = p.view(-1)[i].item()
            values = []
            for shift in (h, -h):
                with torch.no_grad():
                    p.view(-1)[i] = original + shift
                values.append(oracle_meta_loss(model, net, x, y, mx, my, lr, normalize, detach_input))
            with torch.no_grad():
                p.view(-1)[i] = original
            numeric.view(-1)[i] = (values[0] - values[1]) / (2 * h)
        assert numeric.abs().max() > 1e-7, name  # a real signal, not zeros on both sides
        torch.testing.assert_close(p.grad, numeric, rtol=1e-5, atol=1e-10, msg=name)


@pytest.mark.parametrize("normalize", ["sum", "none"])
def test_mwnet_gradient_along_scaling_every_weight_is_zero_only_when_normalised_by_the_sum(normalize):
    """d L_meta / d t of V(l) -> t V(l) at t = 1: zero when the weights are V / sum V, not when they are V / n."""
    captured = {}
    model = conv_bn()
    (x, y), (mx, my) = data(6, 1), data(5, 2)
    method = MWNet(model, OPTIMIZER, **{**MWNET, "hidden": 3, "normalize": normalize, "detach_input": True})
    method.weight_net.double()
    method.draw_meta_batch = lambda: (mx, my)
    method.meta_optimizer.step = lambda: None

    def keep_output_gradient(_module, _inputs, output):
        captured["values"] = output.detach()
        output.register_hook(lambda grad: captured.__setitem__("grad", grad))

    method.weight_net.register_forward_hook(keep_output_gradient)
    method.update_weight_net(model, x, y, F.cross_entropy(model(x), y, reduction="none"))
    along_scaling = (captured["grad"] * captured["values"]).sum().item()
    size = captured["grad"].abs().max().item()
    assert size > 1e-6
    if normalize == "sum":
        assert abs(along_scaling) < 1e-12 * max(size, 1.0)
    else:
        assert abs(along_scaling) > 1e-3 * size


def test_mwnet_real_step_weights_each_loss_by_v_over_its_sum():
    """The real step equals SGD on sum_i V(l_i) / sum_j V(l_j) l_i with V after its meta step."""
    x, y = data(8, 1, torch.float32)
    model, reference = conv_bn(torch.float32), conv_bn(torch.float32)
    method = MWNet(model, OPTIMIZER, **{**MWNET, "normalize": "sum"})
    method.meta_interval = 10**9  # V untouched in this step
    method.steps = 1
    method.step(model, x, y)
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    losses = F.cross_entropy(reference(x), y, reduction="none")
    with torch.no_grad():
        values = method.weight_net(losses)
    (values / values.sum() * losses).sum().backward()
    optimizer.step()
    for (name, a), b in zip(model.state_dict().items(), reference.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, msg=name)


def test_meta_passes_leave_batchnorm_buffers_untouched():
    model = conv_bn()
    (x, y), (mx, my) = data(6, 1), data(5, 2)
    before = {k: v.clone() for k, v in model.named_buffers()}
    weight_meta_gradient(model, x, y, mx, my, torch.rand(6, dtype=torch.float64), 0.1, "batch")
    meta_gradient(model, parameters_of(model), mx, my, "running")
    alignments(model, parameters_of(model), x, y, parameters_of(model))
    for k, v in model.named_buffers():
        assert torch.equal(v, before[k]), k
    assert model.training and model[1].training


def test_running_statistics_meta_bn_differs_from_batch_statistics():
    model = conv_bn()
    mx, my = data(5, 2)
    with torch.no_grad():
        model[1].running_mean.fill_(0.5)
    batch = meta_gradient(model, parameters_of(model), mx, my, "batch")
    running = meta_gradient(model, parameters_of(model), mx, my, "running")
    assert not torch.allclose(batch["0.weight"], running["0.weight"])


def test_uniform_weights_reproduce_the_sgd_step():
    x, y = data(8, 1, torch.float32)
    sgd_model, reweighted = conv_bn(torch.float32), conv_bn(torch.float32)
    SGD(sgd_model, OPTIMIZER).step(sgd_model, x, y)
    method = L2RW(reweighted, OPTIMIZER, meta_batch_size=5, meta_bn="batch")
    from robopt.train.reweighting import forward_losses

    losses, _ = forward_losses(reweighted, x, y)
    method.weighted_update(losses, torch.full((8,), 1 / 8))
    for (name, a), b in zip(sgd_model.state_dict().items(), reweighted.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, msg=name)


def meta_split(n: int = 40) -> ImageSplit:
    generator = torch.Generator().manual_seed(4)
    return ImageSplit(torch.randint(0, 256, (n, 5, 5, 3), dtype=torch.uint8, generator=generator),
                      torch.arange(n) % 3, ["a", "b", "c"])


@pytest.mark.parametrize("name", ["l2rw", "mwnet"])
def test_steps_train_and_log_weights(name):
    model = conv_bn(torch.float32)
    method = (L2RW(model, OPTIMIZER, meta_batch_size=8, meta_bn="batch") if name == "l2rw"
              else MWNet(model, OPTIMIZER, **MWNET))
    method.attach_meta_set(MetaBatches(meta_split(), 8, [0.5] * 3, [0.25] * 3, 1, 0, torch.device("cpu")))
    x, y = data(8, 1, torch.float32)
    before = copy.deepcopy(model.state_dict())
    loss, logits = method.step(model, x, y)
    assert torch.isfinite(loss) and logits.shape == (8, 3)
    assert method.last_weights.shape == (8,) and torch.isfinite(method.last_weights).all()
    assert not torch.equal(before["0.weight"], model.state_dict()["0.weight"])


def test_mwnet_updates_its_weight_net_every_meta_interval_steps():
    model = conv_bn(torch.float32)
    method = MWNet(model, OPTIMIZER, **{**MWNET, "meta_interval": 2})
    method.attach_meta_set(MetaBatches(meta_split(), 8, [0.5] * 3, [0.25] * 3, 1, 0, torch.device("cpu")))
    x, y = data(8, 1, torch.float32)
    snapshots = []
    for _ in range(3):
        snapshots.append(copy.deepcopy(method.weight_net.state_dict()))
        method.step(model, x, y)
    changed = [not torch.equal(a["layers.0.weight"], b["layers.0.weight"])
               for a, b in zip(snapshots, snapshots[1:], strict=False)]
    assert changed == [True, False]


def test_l2rw_step_uses_the_weights_of_the_separate_passes():
    """The fused step (real forward carrying the meta-gradient as a tangent) equals example weights from the
    separate passes followed by a plain weighted step, BatchNorm buffers included."""
    from robopt.train.reweighting import forward_losses

    x, y = data(16, 1, torch.float32)
    mx, my = data(8, 2, torch.float32)
    fused_model, separate_model = conv_bn(torch.float32), conv_bn(torch.float32)
    fused = L2RW(fused_model, OPTIMIZER, meta_batch_size=8, meta_bn="batch")
    fused.draw_meta_batch = lambda: (mx, my)
    fused.step(fused_model, x, y)
    separate = L2RW(separate_model, OPTIMIZER, meta_batch_size=8, meta_bn="batch")
    weights = separate.example_weights(separate_model, x, y, mx, my)
    losses, _ = forward_losses(separate_model, x, y)
    separate.weighted_update(losses, weights)
    torch.testing.assert_close(fused.last_weights, weights * 16)
    for (name, a), b in zip(fused_model.state_dict().items(), separate_model.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, msg=name)


@pytest.mark.parametrize("name", ["l2rw", "mwnet"])
def test_a_multi_rank_job_is_refused_with_a_clear_message(name, monkeypatch):
    from robopt.distributed import World
    from robopt.errors import ConfigError

    monkeypatch.setattr("robopt.train.meta_step.current_world", lambda: World(0, 2, 0))
    model = conv_bn(torch.float32)
    with pytest.raises(ConfigError, match=f"{name} runs on one process only"):
        (L2RW(model, OPTIMIZER, meta_batch_size=8, meta_bn="batch") if name == "l2rw"
         else MWNet(model, OPTIMIZER, **MWNET))
