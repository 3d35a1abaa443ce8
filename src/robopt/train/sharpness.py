"""SAM (Foret et al. 2021) and ASAM (Kwon et al. 2021): the update uses the gradient at an adversarial point.

eps = rho * T^2 g / ||T g|| with T = 1 (SAM) or T = |w| + eta on conv/linear weights and BN scales and
T = 1 on the other parameters (ASAM, as the DAMP reference code). The second forward/backward pass
does not update BatchNorm running statistics.
"""

from __future__ import annotations

import torch
from torch import nn

from robopt.train.base import (
    OptimizerSettings,
    frozen_batchnorm_statistics,
    loss_and_logits,
    nesterov_sgd,
    perturbed_parameters,
    uses_bf16,
)


class SAM:
    """Sharpness-aware minimisation around the base (Nesterov SGD) optimizer."""

    adaptive = False

    def __init__(self, model: nn.Module, optimizer: OptimizerSettings, *, rho: float) -> None:
        self._setup(model, optimizer, rho, eta=0.0)

    def _setup(self, model: nn.Module, optimizer: OptimizerSettings, rho: float, eta: float) -> None:
        if rho < 0 or eta < 0:
            raise ValueError(f"rho and eta must be >= 0, got {rho} and {eta}")
        self.optimizer = nesterov_sgd(model.parameters(), optimizer)
        self.rho, self.eta = float(rho), float(eta)
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.bf16 = uses_bf16(model, optimizer)
        scaled = {id(p) for p in perturbed_parameters(model)} if self.adaptive else set()
        self.is_scaled = [id(p) in scaled for p in self.params]

    def perturbation(self) -> list[torch.Tensor]:
        """eps for every parameter from the current gradients (zero where a gradient is missing)."""
        scales = [
            (p.detach().abs() + self.eta) if scaled else torch.ones_like(p)
            for p, scaled in zip(self.params, self.is_scaled, strict=True)
        ]
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        norm = torch.sqrt(sum(((t * g) ** 2).sum() for t, g in zip(scales, grads, strict=True)))
        factor = self.rho / (norm + 1e-12)
        return [factor * t * t * g for t, g in zip(scales, grads, strict=True)]

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.optimizer.zero_grad(set_to_none=True)
        loss, logits = loss_and_logits(model, inputs, targets, bf16=self.bf16)
        eps = self.perturbation()
        with torch.no_grad():
            for p, e in zip(self.params, eps, strict=True):
                p.add_(e)
        self.optimizer.zero_grad(set_to_none=True)
        with frozen_batchnorm_statistics(model):
            loss_and_logits(model, inputs, targets, bf16=self.bf16)
        with torch.no_grad():
            for p, e in zip(self.params, eps, strict=True):
                p.sub_(e)
        self.optimizer.step()
        return loss, logits


class ASAM(SAM):
    """Adaptive SAM: the perturbation is scaled elementwise by |w| + eta."""

    adaptive = True

    def __init__(self, model: nn.Module, optimizer: OptimizerSettings, *, rho: float, eta: float) -> None:
        self._setup(model, optimizer, rho, eta)
