"""What the meta-reweighting methods (L2RW, Meta-Weight-Net) share: the meta-batch sampler, the virtual SGD step
and the exact meta-gradient with respect to per-example loss weights.

With a virtual step theta'(eps) = theta - lr * grad_theta sum_i eps_i l_i(theta) and the meta loss L_meta(theta')
on a meta batch, dL_meta/d eps_i = -lr <grad L_meta(theta'), grad l_i(theta)>: one reverse pass on the meta batch at
theta' gives grad L_meta, and one forward-mode pass (``torch.func.jvp``) of theta -> (l_1 .. l_n) along it gives all
n inner products at once, without a second-order graph (Meta-Weight-Net's input, the per-example loss, is
detached, so its meta-gradient needs nothing more). The references (uber-research/learning-to-reweight-examples,
xjtushujun/meta-weight-net) differentiate through the virtual step with a second-order graph instead; the values
are the same, as the finite-difference tests check. Every meta pass runs through ``functional_call`` on clones of
the BatchNorm buffers (the running statistics are moved by the real forward only), in float32 without autocast;
BatchNorm in the meta forward uses the meta batch's statistics (``meta_bn="batch"``, as the references) or the
running ones (``"running"``); the training batch's forward-mode pass uses its batch statistics, as its real
forward.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, jvp

from robopt.data.augment import normalize, random_crop_flip
from robopt.data.format import ImageSplit
from robopt.distributed import current_world
from robopt.errors import ConfigError

Params = dict[str, torch.Tensor]
META_BN = ("batch", "running")


def check_meta_bn(meta_bn: str) -> str:
    if meta_bn not in META_BN:
        raise ValueError(f"unknown meta_bn {meta_bn!r}; valid: {', '.join(META_BN)}")
    return meta_bn


def refuse_distributed(method: str) -> None:
    """The meta step is single-process: across ranks it would need every rank's meta-gradient, which is not built."""
    if current_world().distributed:
        raise ConfigError(f"{method} runs on one process only; set distributed.training.devices and nodes to 1")


class MetaBatches:
    """Meta batches drawn from a meta set held on the device: ``batch_size`` distinct images per draw (uniformly,
    from the method's own generator), augmented with the training crop and flip and normalised as training batches.
    The generator state is the sampler's whole state (``state_dict``), so a resumed run draws the same batches."""

    def __init__(self, meta: ImageSplit, batch_size: int, mean: list[float], std: list[float], crop_padding: int,
                 seed: int, device: torch.device) -> None:
        if len(meta) == 0:
            raise ConfigError("a meta-reweighting method needs a meta set: set bias.meta_set.per_class > 0")
        self.meta = meta.to(device)
        self.batch_size = min(batch_size, len(meta))
        self.mean, self.std, self.crop_padding = mean, std, crop_padding
        self.generator = torch.Generator(device=device).manual_seed(seed)

    def draw(self) -> tuple[torch.Tensor, torch.Tensor]:
        index = torch.randperm(len(self.meta), generator=self.generator, device=self.generator.device)
        index = index[: self.batch_size]
        images = self.meta.images[index]
        if self.crop_padding > 0:
            images = random_crop_flip(images, self.crop_padding, self.generator)
        return normalize(images, self.mean, self.std), self.meta.labels[index]

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.generator.set_state(state["generator"])


def at_least_float32(tensor: torch.Tensor) -> torch.Tensor:
    """bf16/fp16 logits in float32; float32 and float64 (the tests' exactness checks) as they are."""
    return tensor.to(torch.promote_types(tensor.dtype, torch.float32))


def parameters_of(model: nn.Module) -> Params:
    """The model's trainable parameters, detached (the point the meta passes differentiate at)."""
    return {name: p.detach() for name, p in model.named_parameters() if p.requires_grad}


def buffer_copies(model: nn.Module) -> Params:
    """Clones of every buffer: meta passes move these, never the model's running statistics."""
    return {name: b.clone() for name, b in model.named_buffers()}


@contextlib.contextmanager
def batchnorm_mode(model: nn.Module, training: bool) -> Iterator[None]:
    """BatchNorm layers in training (batch statistics) or eval (running statistics) mode, restored afterwards."""
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [m.training for m in norms]
    for m in norms:
        m.training = training
    try:
        yield
    finally:
        for m, mode in zip(norms, saved, strict=True):
            m.training = mode


def example_losses(model: nn.Module, params: Params, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per-example cross-entropy at ``params`` (buffers cloned), float32."""
    logits = functional_call(model, (params, buffer_copies(model)), (inputs,))
    return F.cross_entropy(at_least_float32(logits), targets, reduction="none")


def meta_gradient(model: nn.Module, params: Params, inputs: torch.Tensor, targets: torch.Tensor,
                  meta_bn: str) -> Params:
    """The gradient of the mean meta cross-entropy at ``params`` (batch or running BatchNorm statistics)."""
    uniform = torch.full((len(targets),), 1.0 / len(targets), device=inputs.device, dtype=inputs.dtype)
    return weighted_gradient(model, params, inputs, targets, uniform, batch_statistics=meta_bn == "batch")


def alignments(model: nn.Module, params: Params, inputs: torch.Tensor, targets: torch.Tensor,
               direction: Params) -> torch.Tensor:
    """a_i = <grad l_i(params), direction> for every example of the batch: one forward-mode pass (batch statistics)."""
    with batchnorm_mode(model, True):
        _, tangent = jvp(lambda p: example_losses(model, p, inputs, targets), (params,), (direction,))
    return tangent


def virtual_step(params: Params, grads: Params, lr: float) -> Params:
    """theta' = theta - lr * grad (plain SGD: the references' virtual step has no momentum or weight decay)."""
    return {name: p - lr * grads[name] for name, p in params.items()}


def weighted_gradient(model: nn.Module, params: Params, inputs: torch.Tensor, targets: torch.Tensor,
                      weights: torch.Tensor, batch_statistics: bool = True) -> Params:
    """grad_theta sum_i weights_i l_i(theta) at ``params`` (buffers cloned; BatchNorm with the batch's statistics, or
    the running ones)."""
    leaves = {name: p.detach().requires_grad_(True) for name, p in params.items()}
    with batchnorm_mode(model, batch_statistics), torch.enable_grad():
        loss = (weights.detach() * example_losses(model, leaves, inputs, targets)).sum()
        grads = torch.autograd.grad(loss, list(leaves.values()))
    return dict(zip(leaves, grads, strict=True))


def weight_meta_gradient(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, meta_inputs: torch.Tensor,
                         meta_targets: torch.Tensor, weights: torch.Tensor, lr: float, meta_bn: str,
                         train_grads: Params | None = None) -> torch.Tensor:
    """dL_meta(theta'(w))/dw_i at the weights ``w`` (theta' = theta - lr grad sum w_i l_i): exact, as
    -lr <grad L_meta(theta'), grad l_i(theta)>. ``train_grads`` = grad sum w_i l_i if already computed."""
    params = parameters_of(model)
    if train_grads is None:
        train_grads = weighted_gradient(model, params, inputs, targets, weights)
    stepped = virtual_step(params, train_grads, lr)
    direction = meta_gradient(model, stepped, meta_inputs, meta_targets, meta_bn)
    return -lr * alignments(model, params, inputs, targets, direction)
