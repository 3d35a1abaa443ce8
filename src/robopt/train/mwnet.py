"""Meta-Weight-Net (Shu et al. 2019, MW-Net): a small network V maps each example's loss to its weight and is
meta-learned on a meta set.

Follows github xjtushujun/meta-weight-net (``MW-Net.py``, ResNet-32 noise script): V is an MLP 1 -> 100 -> 1 with
ReLU and a sigmoid output on the detached per-example cross-entropy; per step, a virtual SGD step of the model with
the current lr on sum_i V(l_i) l_i / n, the mean meta cross-entropy of a meta batch at the stepped weights, one
step of V's optimizer (Adam lr 1e-3, weight decay 1e-4 in the reference; SGD with Nesterov momentum 0.9 as its WRN
script when ``meta_optimizer: sgd``), then the real step on sum_i V(l_i) l_i / n with the updated V (no gradient
into V). Where it differs: V's meta-gradient is -lr/n sum_i <grad L_meta(theta'), grad l_i(theta)> dV(l_i)/dphi
(exact; one forward-mode pass instead of a second-order graph, ``robopt.train.meta_step``), the real forward is
reused for the virtual step and the real step (the reference runs a fresh forward with the same weights, whose
batch-statistics output is the same), ``meta_interval`` k updates V every k steps (the reference: every step), and
the logged loss is the unweighted batch mean.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from robopt.history_names import WEIGHT_AT_LOSS
from robopt.train.base import OptimizerSettings
from robopt.train.meta_step import weight_meta_gradient
from robopt.train.reweighting import Reweighting, forward_losses

META_OPTIMIZERS = ("adam", "sgd")
#: Losses at which V is logged each epoch (history metric ``weight_at_loss_<x>``: the weighting function figure).
LOSS_GRID = tuple(round(0.25 * k, 2) for k in range(33))


class WeightNet(nn.Module):
    """V: loss -> weight in (0, 1), an MLP 1 -> hidden -> 1 with ReLU and a sigmoid output."""

    def __init__(self, hidden: int = 100) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(1, hidden), nn.ReLU(), nn.Linear(hidden, 1), nn.Sigmoid())

    def forward(self, losses: torch.Tensor) -> torch.Tensor:
        return self.layers(losses.reshape(-1, 1)).reshape(-1)


def meta_optimizer_of(net: nn.Module, name: str, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    if name == "adam":
        return torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=weight_decay)
    raise ValueError(f"unknown meta_optimizer {name!r}; valid: {', '.join(META_OPTIMIZERS)}")


class MWNet(Reweighting):
    """The MW-Net step around the base optimizer; V is built from the global RNG right after the model, so a seed
    fixes both."""

    def __init__(self, model: nn.Module, optimizer: OptimizerSettings, *, meta_batch_size: int, meta_bn: str,
                 meta_interval: int, meta_optimizer: str, meta_lr: float, meta_weight_decay: float,
                 hidden: int) -> None:
        self._setup("mwnet", model, optimizer, meta_batch_size, meta_bn)
        if meta_interval < 1 or hidden < 1:
            raise ValueError(f"meta_interval and hidden must be >= 1, got {meta_interval} and {hidden}")
        device = next(model.parameters()).device
        self.weight_net = WeightNet(hidden).to(device)
        self.meta_optimizer = meta_optimizer_of(self.weight_net, meta_optimizer, meta_lr, meta_weight_decay)
        self.meta_interval, self.steps = int(meta_interval), 0

    def update_weight_net(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor,
                          losses: torch.Tensor) -> None:
        """One meta step of V, differentiating the meta loss after a virtual step with the current lr."""
        n, lr = len(losses), self.optimizer.param_groups[0]["lr"]
        with torch.no_grad():
            eps = self.weight_net(losses.detach()) / n
        named = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
        grads = torch.autograd.grad((eps * losses).sum(), [p for _, p in named], retain_graph=True)
        d_eps = weight_meta_gradient(model, inputs, targets, *self.draw_meta_batch(), eps, lr, self.meta_bn,
                                     dict(zip([name for name, _ in named], grads, strict=True)))
        self.meta_optimizer.zero_grad(set_to_none=True)
        self.weight_net(losses.detach()).backward(d_eps / n)
        self.meta_optimizer.step()

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.optimizer.zero_grad(set_to_none=True)
        losses, logits = forward_losses(model, inputs, targets)
        if self.steps % self.meta_interval == 0:
            self.update_weight_net(model, inputs, targets, losses)
        self.steps += 1
        with torch.no_grad():
            weights = self.weight_net(losses.detach())
        self.weighted_update(losses, weights / len(weights))
        self.last_weights = weights
        return losses.detach().mean(), logits.detach()

    @torch.no_grad()
    def epoch_metrics(self) -> dict[str, float]:
        """V on a grid of losses 0..8: the learned weighting function at the end of the epoch."""
        device = next(self.weight_net.parameters()).device
        values = self.weight_net(torch.tensor(LOSS_GRID, device=device)).tolist()
        return {f"{WEIGHT_AT_LOSS}{loss:g}": value for loss, value in zip(LOSS_GRID, values, strict=True)}

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "weight_net": self.weight_net.state_dict(),
                "meta_optimizer": self.meta_optimizer.state_dict(), "steps": self.steps}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.weight_net.load_state_dict(state["weight_net"])
        self.meta_optimizer.load_state_dict(state["meta_optimizer"])
        self.steps = int(state["steps"])
