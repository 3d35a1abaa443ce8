"""DAMP and DAAP (Trinh et al. 2024, Alg. 1 and 3): gradients at randomly perturbed weights, per sub-batch.

The batch is split into M sub-batches; each gets its own noise draw on the conv/linear weights and BN
scales, the gradients at the perturbed weights are averaged, and the base optimizer (with weight decay
on the clean weights) takes one step. Sub-batches run one after another here, so BatchNorm uses
per-sub-batch statistics (the reference code synchronises them over the whole batch).
"""

from __future__ import annotations

import torch
from torch import nn

from robopt.train.base import OptimizerSettings, loss_and_logits, nesterov_sgd, perturbed_parameters, uses_bf16


class WeightNoise:
    """Shared loop of DAMP and DAAP; subclasses say how a weight is perturbed."""

    def __init__(self, model: nn.Module, optimizer: OptimizerSettings, *, sigma: float, sub_batches: int) -> None:
        if sigma < 0 or sub_batches < 1:
            raise ValueError(f"need sigma >= 0 and sub_batches >= 1, got {sigma} and {sub_batches}")
        self.optimizer = nesterov_sgd(model.parameters(), optimizer)
        self.sigma, self.sub_batches = float(sigma), int(sub_batches)
        self.targets = perturbed_parameters(model)
        self.bf16 = uses_bf16(model, optimizer)

    def perturb(self, weight: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if len(inputs) % self.sub_batches:
            raise ValueError(f"batch of {len(inputs)} does not split into {self.sub_batches} equal sub-batches")
        self.optimizer.zero_grad(set_to_none=True)
        clean = [p.detach().clone() for p in self.targets]
        losses, logits = [], []
        for sub_inputs, sub_targets in zip(inputs.chunk(self.sub_batches), targets.chunk(self.sub_batches), strict=True):
            with torch.no_grad():
                for p, w in zip(self.targets, clean, strict=True):
                    p.copy_(self.perturb(w))
            loss, sub_logits = loss_and_logits(model, sub_inputs, sub_targets, scale=1.0 / self.sub_batches, bf16=self.bf16)
            losses.append(loss)
            logits.append(sub_logits)
        with torch.no_grad():
            for p, w in zip(self.targets, clean, strict=True):
                p.copy_(w)
        self.optimizer.step()
        return torch.stack(losses).mean(), torch.cat(logits)


class DAMP(WeightNoise):
    """Multiplicative noise: w * (1 + sigma * z), z ~ N(0, 1) per element and sub-batch."""

    def perturb(self, weight: torch.Tensor) -> torch.Tensor:
        return weight * (1.0 + self.sigma * torch.randn_like(weight))


class DAAP(WeightNoise):
    """Additive noise: w + sigma * z, z ~ N(0, 1) per element and sub-batch."""

    def perturb(self, weight: torch.Tensor) -> torch.Tensor:
        return weight + self.sigma * torch.randn_like(weight)
