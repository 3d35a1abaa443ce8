"""Meta-Weight-Net (Shu et al. 2019, MW-Net): a small network V maps each example's loss to its weight and is
meta-learned on a meta set.

Follows github xjtushujun/meta-weight-net, ``train_WRN-28-10_Meta_PGC.py`` (the README's default, behind the paper's
noise numbers): V is an MLP 1 -> 100 -> 1 with ReLU and a sigmoid output on the per-example cross-entropy; per step,
weights w = V(l) / sum_j V(l_j) over the batch (kept as V(l) when the sum is 0), a virtual SGD step of the model with
the current lr on sum_i w_i l_i, the mean meta cross-entropy of a meta batch at the stepped weights, whose gradient
flows into V through the weights *and their sum*, one step of V's optimizer, then the real step on sum_i w_i l_i with
the updated V (no gradient into V). Which reference each choice follows (keys of the ``mwnet`` block):

- ``normalize: sum`` (default): the WRN script and the class-imbalance code's ``train()``
  (xjtushujun/Meta-weight-net_class-imbalance); ``none`` = w = V(l) / n, as the later ``MW-Net.py`` (ResNet-32).
  Without the sum the meta objective gains a direction unrelated to the bias (scale every weight up), and V tends to
  saturate near 1, which turns MW-Net into SGD.
- ``meta_optimizer``/``meta_lr``/``meta_weight_decay``: ``sgd`` is Nesterov momentum 0.9 (the WRN script: lr 1e-3,
  weight decay 5e-4; the class-imbalance code: lr 1e-5, weight decay 5e-4); ``adam`` is ``MW-Net.py`` (lr 1e-3,
  weight decay 1e-4). Each paper-scale config copies the script it names; reachable configs choose V's optimizer
  and step size for their number of steps on the meta set.
- ``detach_input: true``: V reads the detached loss (both meta-weight-net scripts); ``false`` as the
  class-imbalance code (``vnet(cost_v)``), where the virtual step's gradient also flows through V's input: it is
  sum_i c_i grad l_i with c_i = d/dl_i sum_j w_j(l) l_j.

Where it differs from all of them: V's meta-gradient is taken as -lr sum_i <grad L_meta(theta'), grad l_i(theta)>
dc_i/dphi (exact; one forward-mode pass instead of a second-order graph, ``robopt.train.meta_step``), the real
forward is reused for the virtual and the real step (the references run a fresh forward with the same weights,
whose batch-statistics output is the same), ``meta_interval`` k updates V every k steps (the references: every
step), and the logged loss is the unweighted batch mean.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from robopt.history_names import WEIGHT_AT_LOSS
from robopt.train.base import OptimizerSettings
from robopt.train.meta_step import weight_meta_gradient
from robopt.train.reweighting import Reweighting, forward_losses, sum_normalised

META_OPTIMIZERS = ("adam", "sgd")
#: How V's outputs become the batch's loss weights: ``sum`` = V / sum V (the paper's scripts), ``none`` = V / n.
NORMALIZATIONS = ("sum", "none")
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


def batch_weights(values: torch.Tensor, normalize: str) -> torch.Tensor:
    """The loss weights of a batch from V's outputs: divided by their sum (``sum``) or by the batch size (``none``)."""
    if normalize == "sum":
        return sum_normalised(values)
    if normalize == "none":
        return values / len(values)
    raise ValueError(f"unknown normalize {normalize!r}; valid: {', '.join(NORMALIZATIONS)}")


class MWNet(Reweighting):
    """The MW-Net step around the base optimizer; V is built from the global RNG right after the model, so a seed
    fixes both."""

    def __init__(self, model: nn.Module, optimizer: OptimizerSettings, *, meta_batch_size: int, meta_bn: str,
                 meta_interval: int, meta_optimizer: str, meta_lr: float, meta_weight_decay: float,
                 hidden: int, normalize: str, detach_input: bool) -> None:
        self._setup("mwnet", model, optimizer, meta_batch_size, meta_bn)
        if meta_interval < 1 or hidden < 1:
            raise ValueError(f"meta_interval and hidden must be >= 1, got {meta_interval} and {hidden}")
        batch_weights(torch.ones(1), normalize)  # an unknown name fails here, before any step
        device = next(model.parameters()).device
        self.weight_net = WeightNet(hidden).to(device)
        self.meta_optimizer = meta_optimizer_of(self.weight_net, meta_optimizer, meta_lr, meta_weight_decay)
        self.meta_interval, self.steps = int(meta_interval), 0
        self.normalize, self.detach_input = normalize, bool(detach_input)

    def step_coefficients(self, losses: torch.Tensor) -> torch.Tensor:
        """c with grad_theta of the virtual step's loss = sum_i c_i grad l_i, differentiable in V's parameters:
        the weights themselves when V reads the detached loss, else d/dl_i sum_j w_j(l) l_j."""
        point = losses.detach().requires_grad_(not self.detach_input)
        weights = batch_weights(self.weight_net(point), self.normalize)
        if self.detach_input:
            return weights
        return torch.autograd.grad((weights * point).sum(), point, create_graph=True)[0]

    def update_weight_net(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor,
                          losses: torch.Tensor) -> None:
        """One meta step of V, differentiating the meta loss after a virtual step with the current lr."""
        lr = self.optimizer.param_groups[0]["lr"]
        coefficients = self.step_coefficients(losses)
        named = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
        grads = torch.autograd.grad((coefficients.detach() * losses).sum(), [p for _, p in named], retain_graph=True)
        d_coefficients = weight_meta_gradient(model, inputs, targets, *self.draw_meta_batch(), coefficients.detach(),
                                              lr, self.meta_bn, dict(zip([name for name, _ in named], grads,
                                                                         strict=True)))
        self.meta_optimizer.zero_grad(set_to_none=True)
        coefficients.backward(d_coefficients)
        self.meta_optimizer.step()

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.optimizer.zero_grad(set_to_none=True)
        losses, logits = forward_losses(model, inputs, targets)
        if self.steps % self.meta_interval == 0:
            self.update_weight_net(model, inputs, targets, losses)
        self.steps += 1
        with torch.no_grad():
            values = self.weight_net(losses.detach())
            weights = batch_weights(values, self.normalize)
        self.weighted_update(losses, weights)
        self.last_weights = weights * len(weights) if self.normalize == "sum" else values
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
