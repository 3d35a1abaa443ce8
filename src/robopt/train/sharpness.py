"""SAM (Foret et al. 2021) and ASAM (Kwon et al. 2021) with m-sharpness: each of M sub-batches gets its own
adversarial point, and the update averages the gradients taken there.

Follows ``build_SAM_optimizer`` / ``build_ASAM_optimizer`` in ``optimizers/optims.py`` of github trungtrinh44/DAMP
(``num_microbatches_per_batch: 8``): per sub-batch m, eps_m = rho * T^2 g_m / ||T g_m|| with g_m the sub-batch's
gradient, T = 1 (SAM) or T = |w| + eta on conv/linear kernels and BN scales and 1 elsewhere (ASAM); the gradient of
each sub-batch at w + eps_m, averaged over sub-batches, is the update direction. With M > 1 both passes are one
joint pass over the sub-batches (``robopt.train.sub_batch``, sub-batch m = images n mod M = m): per-sub-batch
gradients come from stacked copies of every parameter. BatchNorm statistics are batch-wide or per sub-batch
(``bn_scope``); the running statistics are updated by the first pass only, once, as in the reference (whose
``new_netstate`` is the first pass's). M = 1 is plain SAM/ASAM on the whole batch. Across ranks
(``robopt.distributed``) M counts every rank's sub-batches: each rank computes the adversarial points of its own
(m-sharpness across devices, as the reference on 8 GPUs), batch-wide BN statistics span the ranks, and the final
gradients are averaged over ranks.

Precision: the perturbation is about rho / sqrt(N) per weight (1e-5 for ResNet18), below bf16's resolution of a
weight, so with ``precision: fp32`` (the default) both passes run without autocast and with TF32 off, as the
reference computes; ``mixed`` follows the dataset's ``mixed_precision``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

from robopt.distributed import current_world
from robopt.train.base import (
    OptimizerSettings,
    apply_update,
    base_optimizer,
    frozen_batchnorm_statistics,
    local_sub_batches,
    perturbed_parameters,
    uses_bf16,
)
from robopt.train.sub_batch import (
    check_bn_scope,
    flat_copy,
    flat_parameters,
    joint_forward,
    sub_batch_views,
    synchronised_statistics,
)

PRECISIONS = ("fp32", "mixed")


@contextlib.contextmanager
def exact_float32(enabled: bool) -> Iterator[None]:
    """TF32 off for convolutions and matmuls while ``enabled`` (restored afterwards)."""
    if not enabled:
        yield
        return
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


class SAM:
    """Sharpness-aware minimisation around the base (Nesterov SGD) optimizer, with ``sub_batches`` adversarial points."""

    adaptive = False

    def __init__(self, model: nn.Module, optimizer: OptimizerSettings, *, rho: float, sub_batches: int, bn_scope: str,
                 precision: str) -> None:
        self._setup(model, optimizer, rho, 0.0, sub_batches, bn_scope, precision)

    def _setup(self, model: nn.Module, optimizer: OptimizerSettings, rho: float, eta: float, sub_batches: int,
               bn_scope: str, precision: str) -> None:
        if rho < 0 or eta < 0 or sub_batches < 1:
            raise ValueError(f"need rho >= 0, eta >= 0 and sub_batches >= 1, got {rho}, {eta} and {sub_batches}")
        if precision not in PRECISIONS:
            raise ValueError(f"unknown SAM precision {precision!r}; valid: {', '.join(PRECISIONS)}")
        self.optimizer = base_optimizer(model, optimizer)
        self.clip_norm = optimizer.grad_clip_norm
        self.rho, self.eta = float(rho), float(eta)
        self.world = current_world()
        self.sub_batches = local_sub_batches(int(sub_batches), self.world)  # this rank's share of the M
        self.bn_scope = check_bn_scope(bn_scope)
        self.fp32 = precision == "fp32"
        self.bf16 = uses_bf16(model, optimizer) and not self.fp32
        named = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
        self.names, self.params = [name for name, _ in named], [p for _, p in named]
        scaled = {id(p) for p in perturbed_parameters(model)} if self.adaptive else set()
        self.is_scaled = [id(p) in scaled for p in self.params]
        self.scaled_mask = torch.cat([torch.full((p.numel(),), flag, device=p.device)
                                      for p, flag in zip(self.params, self.is_scaled, strict=True)])
        self.counters = [b for name, b in model.named_buffers() if name.endswith("num_batches_tracked")]

    def perturbation(self, grads: torch.Tensor, clean: torch.Tensor) -> torch.Tensor:
        """eps = rho T^2 g / ||T g|| for each row of ``grads`` (M x N: one flat gradient per sub-batch), at the flat
        clean parameters ``clean`` (N,); overwrites ``grads``."""
        scale = torch.where(self.scaled_mask, clean.abs() + self.eta, 1.0) if self.adaptive else None
        scaled = grads if scale is None else grads.mul_(scale)
        eps = scaled.mul_(self.rho / (scaled.norm(dim=1, keepdim=True) + 1e-12))  # rho T g / ||T g|| per row
        return eps if scale is None else eps.mul_(scale)

    def forward_loss(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor,
                     stacked: dict[str, torch.Tensor] | None) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.autocast(device_type=inputs.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            if stacked is None:
                with synchronised_statistics(self.world, self.bn_scope):
                    logits = model(inputs)
            else:
                logits = joint_forward(model, inputs, stacked, self.bn_scope, self.world)
        return nn.functional.cross_entropy(logits.float(), targets), logits

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if len(inputs) % self.sub_batches:
            raise ValueError(f"batch of {len(inputs)} does not split into {self.sub_batches} equal sub-batches")
        with exact_float32(self.fp32 and inputs.is_cuda):
            if self.sub_batches == 1:
                loss, logits = self.whole_batch_step(model, inputs, targets)
            else:
                loss, logits = self.sub_batch_step(model, inputs, targets)
        apply_update(self.optimizer, self.params, self.world, self.clip_norm)
        return loss.detach(), logits.detach()

    def whole_batch_step(self, model, inputs, targets):
        self.optimizer.zero_grad(set_to_none=True)
        loss, logits = self.forward_loss(model, inputs, targets, None)
        loss.backward()
        grads = flat_copy([p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params])
        eps = [e[0] for e in sub_batch_views(self.perturbation(grads[None], flat_copy(self.params)), self.params)]
        with torch.no_grad():
            torch._foreach_add_(self.params, eps)
        self.optimizer.zero_grad(set_to_none=True)
        with frozen_batchnorm_statistics(model):
            self.forward_loss(model, inputs, targets, None)[0].backward()
        with torch.no_grad():
            torch._foreach_sub_(self.params, eps)
        return loss, logits

    def sub_batch_step(self, model, inputs, targets):
        count = self.sub_batches
        self.optimizer.zero_grad(set_to_none=True)
        # every parameter as M copies, all in one (M, N) leaf: its gradient row m is g_m / M
        clean = flat_copy(self.params)
        copies = clean.expand(count, -1).requires_grad_()
        loss, logits = self.forward_loss(model, inputs, targets, self.stacked(copies))
        (grads,) = torch.autograd.grad(loss, copies)
        perturbed = flat_parameters(self.params).unsqueeze(0) + self.perturbation(grads, clean)
        with no_running_statistics_update(model, self.counters):
            self.forward_loss(model, inputs, targets, self.stacked(perturbed))[0].backward()
        return loss, logits

    def stacked(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        return dict(zip(self.names, sub_batch_views(flat, self.params), strict=True))


@contextlib.contextmanager
def no_running_statistics_update(model: nn.Module, counters: list[torch.Tensor]) -> Iterator[None]:
    """BatchNorm layers normalise with batch statistics but leave their running statistics alone (SAM's second
    pass): momentum 0 for the pass, and the step counters put back."""
    layers = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in layers]
    for layer in layers:
        layer.momentum = 0.0
    try:
        yield
    finally:
        for layer, momentum in zip(layers, momenta, strict=True):
            layer.momentum = momentum
        if counters:
            with torch.no_grad():
                torch._foreach_sub_(counters, 1)


class ASAM(SAM):
    """Adaptive SAM: the perturbation is scaled elementwise by |w| + eta."""

    adaptive = True

    def __init__(self, model: nn.Module, optimizer: OptimizerSettings, *, rho: float, eta: float, sub_batches: int,
                 bn_scope: str, precision: str) -> None:
        self._setup(model, optimizer, rho, eta, sub_batches, bn_scope, precision)
