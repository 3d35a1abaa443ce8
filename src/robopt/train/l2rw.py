"""Learning to Reweight Examples (Ren et al. 2018, L2RW): per-example weights from one virtual SGD step.

Follows github uber-research/learning-to-reweight-examples (``cifar/cifar_train.py``, ``reweight_mod``): weights
eps = 0 for the batch's examples, a virtual step theta' = theta - a grad sum eps_i l_i, the mean cross-entropy of a
meta batch at theta', w~ = max(0, -dL_meta/d eps), w = w~ / sum w~ (all zero stays zero), then the real step of the
base optimizer (with its momentum and weight decay) on sum_i w_i l_i with w fixed. At eps = 0, theta' = theta and
-dL_meta/d eps_i = a <grad L_meta(theta), grad l_i(theta)>: the virtual lr a cancels in the normalisation, so none
is configured. Where it differs: the meta-gradient is taken as those inner products (one reverse pass on the meta
batch at theta, then the real forward carries grad L_meta as a forward-mode tangent, so the same pass gives the
per-example losses to back-propagate and their inner products; ``robopt.train.meta_step``) instead of a second-order
graph and a separate real forward (the real forward alone moves the BatchNorm running statistics, once), and the
logged loss is the unweighted batch mean, comparable with SGD's.
"""

from __future__ import annotations

import torch
import torch.autograd.forward_ad as fwAD
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from robopt.train.base import OptimizerSettings
from robopt.train.meta_step import alignments, at_least_float32, meta_gradient, parameters_of
from robopt.train.reweighting import Reweighting, sum_normalised


def normalised_weights(raw: torch.Tensor) -> torch.Tensor:
    """max(0, raw) / its sum; all zero stays all zero (never NaN)."""
    return sum_normalised(raw.clamp_min(0))


class L2RW(Reweighting):
    """The L2RW step around the base optimizer; ``meta_batch_size`` meta images per step (the reference: 100)."""

    def __init__(self, model: nn.Module, optimizer: OptimizerSettings, *, meta_batch_size: int,
                 meta_bn: str) -> None:
        self._setup("l2rw", model, optimizer, meta_batch_size, meta_bn)

    def example_weights(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor,
                        meta_inputs: torch.Tensor, meta_targets: torch.Tensor) -> torch.Tensor:
        """The normalised weights w of the batch: max(0, <grad L_meta, grad l_i>) / sum, at the current weights."""
        params = parameters_of(model)
        direction = meta_gradient(model, params, meta_inputs, meta_targets, self.meta_bn)
        return normalised_weights(alignments(model, params, inputs, targets, direction))

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The real forward with grad L_meta(theta) as its tangent: losses and inner products in one pass."""
        meta_inputs, meta_targets = self.draw_meta_batch()
        direction = meta_gradient(model, parameters_of(model), meta_inputs, meta_targets, self.meta_bn)
        self.optimizer.zero_grad(set_to_none=True)
        with fwAD.dual_level():
            duals = {name: fwAD.make_dual(p, direction[name]) for name, p in model.named_parameters()
                     if name in direction}
            logits = functional_call(model, duals, (inputs,))  # the module's own buffers: the real forward
            losses, alignment = fwAD.unpack_dual(F.cross_entropy(at_least_float32(logits), targets, reduction="none"))
            logits = fwAD.unpack_dual(logits).primal
        weights = normalised_weights(alignment.detach())
        self.weighted_update(losses, weights)
        self.last_weights = weights * len(weights)
        return losses.detach().mean(), logits.detach()
