"""A population of the 4-layer CNN of Metz et al. (2019) stepped as one batched computation.

Parameters are a dict of stacked tensors (population first). Three interchangeable implementations of the
per-member loss and gradient: ``grouped`` (the population folded into the channels of grouped convolutions),
``vmap`` (``torch.func``), and ``loop`` (one member at a time). ``auto`` picks per device from
benchmarks/lopt_population.py: on 2 CPU cores one member already runs the convolutions at ~80% of the measured
peak and both vectorised forms are slower (0.56-0.88x at P = 4..32), so the CPU uses the loop; CUDA uses ``vmap``.
The learned optimizer's update is batched over the whole population in every case.
"""

from __future__ import annotations

import math
from functools import cache

import torch
import torch.nn.functional as F
from torch.func import functional_call, grad_and_value, vmap

from robopt.models.small_cnn import SmallCNN, SmallCNNConfig

Params = dict[str, torch.Tensor]
IMPLEMENTATIONS = ("auto", "grouped", "vmap", "loop")
CONFIG = SmallCNNConfig()
CONV_NAMES = [f"features.{2 * k}" for k in range(len(CONFIG.channels))]


def init_population(size: int, num_classes: int, generator: torch.Generator, device: torch.device) -> Params:
    """``size`` independent initialisations: He-normal convolutions with zero bias, PyTorch-default linear head."""
    params: Params = {}
    in_channels = 3
    k = CONFIG.kernel_size
    for name, out_channels in zip(CONV_NAMES, CONFIG.channels, strict=True):
        std = math.sqrt(2.0 / (in_channels * k * k))
        shape = (size, out_channels, in_channels, k, k)
        params[f"{name}.weight"] = std * torch.randn(shape, generator=generator, device=device)
        params[f"{name}.bias"] = torch.zeros(size, out_channels, device=device)
        in_channels = out_channels
    bound = 1.0 / math.sqrt(in_channels)
    params["head.weight"] = (torch.rand((size, num_classes, in_channels), generator=generator, device=device) * 2 - 1) * bound
    params["head.bias"] = (torch.rand((size, num_classes), generator=generator, device=device) * 2 - 1) * bound
    return params


def grouped_logits(params: Params, images: torch.Tensor) -> torch.Tensor:
    """Logits (P x B x classes) of every member on its own batch ``images`` (P x B x 3 x H x W)."""
    size, batch = images.shape[:2]
    hidden = images.transpose(0, 1).reshape(batch, size * images.shape[2], *images.shape[3:])
    for name, stride in zip(CONV_NAMES, CONFIG.strides, strict=True):
        weight, bias = params[f"{name}.weight"], params[f"{name}.bias"]
        hidden = F.conv2d(
            hidden, weight.reshape(-1, *weight.shape[2:]), bias.reshape(-1), stride, CONFIG.kernel_size // 2, groups=size
        ).relu()
    features = hidden.mean(dim=(2, 3)).reshape(batch, size, -1).transpose(0, 1)  # P x B x C
    return torch.baddbmm(params["head.bias"][:, None, :], features, params["head.weight"].transpose(1, 2))


def member_losses(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy per member (P,) from P x B x classes logits and P x B labels."""
    flat = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), reduction="none")
    return flat.reshape(labels.shape).mean(dim=1)


@cache
def _template(num_classes: int) -> SmallCNN:
    """A parameter-free (meta device) module for ``functional_call``."""
    return SmallCNN(num_classes).to("meta")


def _single_loss(params: Params, images: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    return F.cross_entropy(functional_call(_template(num_classes), params, (images,)), labels)


def resolve_implementation(name: str, device: torch.device) -> str:
    if name not in IMPLEMENTATIONS:
        raise ValueError(f"unknown population implementation {name!r}; valid: {', '.join(IMPLEMENTATIONS)}")
    if name == "auto":
        return "vmap" if device.type == "cuda" else "loop"
    return name


def losses_and_grads(
    params: Params, images: torch.Tensor, labels: torch.Tensor, implementation: str = "auto"
) -> tuple[torch.Tensor, Params]:
    """Per-member training loss (P,) and gradients (same shapes as ``params``) on per-member batches."""
    num_classes = params["head.bias"].shape[-1]
    implementation = resolve_implementation(implementation, images.device)
    if implementation == "grouped":
        leaves = {name: value.detach().requires_grad_(True) for name, value in params.items()}
        with torch.enable_grad():
            losses = member_losses(grouped_logits(leaves, images), labels)
            grads = torch.autograd.grad(losses.sum(), list(leaves.values()))
        return losses.detach(), dict(zip(leaves, grads, strict=True))
    _template(num_classes)  # build the module outside vmap (its initialisation draws random numbers)
    step = grad_and_value(_single_loss)
    if implementation == "vmap":
        grads, losses = vmap(step, in_dims=(0, 0, 0, None))(params, images, labels, num_classes)
        return losses, grads
    results = [step({k: v[p] for k, v in params.items()}, images[p], labels[p], num_classes) for p in range(len(images))]
    grads = {name: torch.stack([g[name] for g, _ in results]) for name in params}
    return torch.stack([loss for _, loss in results]), grads


@torch.no_grad()
def evaluate_losses(params: Params, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-member loss (P,) without gradients (validation / test batches, P x B x 3 x H x W)."""
    return member_losses(grouped_logits(params, images), labels)
