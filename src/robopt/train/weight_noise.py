"""DAMP and DAAP (Trinh et al. 2024, Alg. 1 and 3): gradients at randomly perturbed weights, M sub-batches in one pass.

Follows ``build_DAMP_optimizer`` in ``optimizers/optims.py`` of github trungtrinh44/DAMP: the batch is split into M
sub-batches, each gets its own noise draw on the conv/linear kernels and BatchNorm scales (biases and BN shifts are
not perturbed), the loss of each sub-batch is differentiated with respect to *its perturbed weights* (no chain
factor through the noise), the M gradients are averaged, and the base optimizer (Nesterov SGD, weight decay on the
clean weights) takes one step. The reference runs the sub-batches on 8 devices with BatchNorm statistics
synchronised over the whole batch; here they run as one joint pass (``robopt.train.sub_batch``): sub-batch m is the
images n with n mod M = m, BN statistics are batch-wide (``bn_scope="batch"``, the reference's configs) or per
sub-batch (``"sub_batch"``), and the running statistics move once per step either way.

The noise is one draw z ~ N(0, 1) of shape (M, N) over the N perturbed weights: DAMP uses w * (1 + sigma z_m), DAAP
w + sigma z_m. Across ranks (``robopt.distributed``: M = ranks x local sub-batches, the paper's formulation, as the
reference's 8 devices each perturb their own sub-batch) every rank makes the same draw from its identically seeded
generator and keeps the rows of its own sub-batches, so the noise does not depend on the world size: rank r holds
the images n with n mod ranks = r, and its local sub-batch j is global sub-batch ranks * j + r. ``SequentialWeightNoise``
runs the same sub-batches and the same draw one after another (per-sub-batch BN only): the reference the joint pass
is tested against.
"""

from __future__ import annotations

import torch
from torch import nn

from robopt.distributed import current_world
from robopt.train.base import (
    OptimizerSettings,
    apply_update,
    base_optimizer,
    local_sub_batches,
    perturbed_parameters,
    uses_bf16,
)
from robopt.train.sub_batch import (
    check_bn_scope,
    flat_copy,
    flat_parameters,
    joint_forward,
    sub_batch_of,
    sub_batch_views,
)


class WeightNoise:
    """Shared step of DAMP and DAAP; subclasses say how the flat noise draw becomes weight offsets."""

    def __init__(self, model: nn.Module, optimizer: OptimizerSettings, *, sigma: float, sub_batches: int,
                 bn_scope: str) -> None:
        if sigma < 0 or sub_batches < 1:
            raise ValueError(f"need sigma >= 0 and sub_batches >= 1, got {sigma} and {sub_batches}")
        self.optimizer = base_optimizer(model, optimizer)
        self.clip_norm = optimizer.grad_clip_norm
        self.sigma, self.bn_scope = float(sigma), check_bn_scope(bn_scope)
        self.world = current_world()
        self.sub_batches = local_sub_batches(int(sub_batches), self.world)  # this rank's share of the M
        targets = {id(p) for p in perturbed_parameters(model)}
        self.names = [name for name, p in model.named_parameters() if id(p) in targets]
        self.targets = [p for p in model.parameters() if id(p) in targets]
        self.params = list(model.parameters())
        self.bf16 = uses_bf16(model, optimizer)

    def perturb(self, flat_weights: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """(M, N) perturbed weights from the weights (N,) and a standard-normal draw (M, N), in one fused operator;
        the noise term is a constant (the gradient reaching the weights is the sum of the M rows')."""
        raise NotImplementedError

    def offsets(self, flat_weights: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """(M, N) offsets of the perturbed weights from the clean ones (the sequential reference's form)."""
        return self.perturb(flat_weights, noise) - flat_weights

    def draw_noise(self, like: torch.Tensor) -> torch.Tensor:
        """(local M, N) standard-normal rows of this rank's sub-batches: the rows with their global ids of one
        (M, N) draw that every rank makes from its identically seeded generator (one kernel; across R ranks each
        generates R times the noise it keeps, a small cost beside a training step's passes)."""
        total = self.sub_batches * self.world.size
        noise = torch.randn(total, like.numel(), device=like.device, dtype=like.dtype)
        return noise[self.world.rank::self.world.size]  # all rows for one rank

    def draw_offsets(self) -> list[torch.Tensor]:
        """One (M, *shape) offset per perturbed weight (the draw ``step`` makes from the same random state)."""
        weights = flat_copy(self.targets)
        return sub_batch_views(self.offsets(weights, self.draw_noise(weights)), self.targets)

    def check_batch(self, inputs: torch.Tensor) -> None:
        if len(inputs) % self.sub_batches:
            raise ValueError(f"batch of {len(inputs)} does not split into {self.sub_batches} equal sub-batches")

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.check_batch(inputs)
        self.optimizer.zero_grad(set_to_none=True)
        weights = flat_parameters(self.targets)
        # the noise term of ``perturb`` is a constant: the gradient reaching w is the sum over sub-batches of the
        # gradient at each perturbed copy, i.e. the reference's gradient "with respect to the noisy parameters"
        perturbed = self.perturb(weights, self.draw_noise(weights))
        stacked = dict(zip(self.names, sub_batch_views(perturbed, self.targets), strict=True))
        with torch.autocast(device_type=inputs.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            logits = joint_forward(model, inputs, stacked, self.bn_scope, self.world)
        loss = nn.functional.cross_entropy(logits.float(), targets)  # mean over sub-batches of their means
        loss.backward()
        apply_update(self.optimizer, self.params, self.world, self.clip_norm)
        return loss.detach(), logits.detach()


class DAMP(WeightNoise):
    """Multiplicative noise: w * (1 + sigma * z), z ~ N(0, 1) per element and sub-batch."""

    def perturb(self, flat_weights: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return torch.addcmul(flat_weights, flat_weights.detach(), noise, value=self.sigma)


class DAAP(WeightNoise):
    """Additive noise: w + sigma * z, z ~ N(0, 1) per element and sub-batch."""

    def perturb(self, flat_weights: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return torch.add(flat_weights, noise, alpha=self.sigma)


class SequentialWeightNoise:
    """The reference form of a weight-noise method: the M sub-batches one after another with the same draw as the
    joint pass (its ``draw_offsets``), BN statistics per sub-batch, and the running statistics set once per step to
    the mean of the M sub-batch updates. M forward/backward passes: for tests, not for training."""

    def __init__(self, joint: WeightNoise) -> None:
        if joint.bn_scope != "sub_batch":
            raise ValueError("the sequential reference runs per-sub-batch BatchNorm statistics only")
        self.joint = joint

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        joint, count = self.joint, self.joint.sub_batches
        joint.check_batch(inputs)
        joint.optimizer.zero_grad(set_to_none=True)
        offsets = joint.draw_offsets()
        clean = [p.detach().clone() for p in joint.targets]
        buffers = dict(model.named_buffers())
        before = {name: b.clone() for name, b in buffers.items()}
        after = {name: torch.zeros_like(b) for name, b in buffers.items() if b.is_floating_point()}
        losses, logits = [], []
        for m in range(count):
            with torch.no_grad():
                for p, w, offset in zip(joint.targets, clean, offsets, strict=True):
                    p.copy_(w + offset[m])
                for name, buffer in buffers.items():
                    buffer.copy_(before[name])
            sub_logits = model(sub_batch_of(inputs, count, m))
            loss = nn.functional.cross_entropy(sub_logits.float(), sub_batch_of(targets, count, m))
            (loss / count).backward()
            losses.append(loss.detach())
            logits.append(sub_logits.detach())
            with torch.no_grad():
                for name, total in after.items():
                    total += buffers[name] / count
        with torch.no_grad():
            for p, w in zip(joint.targets, clean, strict=True):
                p.copy_(w)
            for name, buffer in buffers.items():  # running statistics: the mean update; counters: one step
                buffer.copy_(after[name] if name in after else buffers[name])
        apply_update(joint.optimizer, joint.params, joint.world, joint.clip_norm)
        return torch.stack(losses).mean(), torch.stack(logits, dim=1).flatten(0, 1)
