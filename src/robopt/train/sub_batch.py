"""One joint pass over M sub-batches, each under its own copy of the weights (DAMP/DAAP noise, SAM's per-sub-batch
perturbation), for any model built from Conv2d / Linear / BatchNorm / LayerNorm layers (the CIFAR ResNets,
ResNet-50, and ViT-S/16, whose attention and activations carry the batch axis through).

A *stacked* parameter carries a leading sub-batch axis, (M, *shape). ``torch.func.functional_call`` puts the stacked
tensors in place of the model's parameters and ``SubBatchMode`` (a ``TorchFunctionMode``) computes every
``conv2d`` / ``linear`` / ``batch_norm`` call whose weight or bias is stacked as one batched operator:

- Sub-batch m is the images n with n mod M = m (batches are random, so this is as good a split as contiguous
  chunks), which makes a (b*M, C, H, W) activation the same memory as (b, M*C, H, W): a convolution becomes one
  grouped convolution with M groups, without a copy; a linear layer one batched matmul (over tokens too: a
  (b*M, T, I) activation is (b, M, T, I)); a LayerNorm normalises as usual and scales and shifts per sub-batch.
- BatchNorm statistics are synchronised over the whole batch (``bn_scope="batch"``: the DAMP reference code's
  ``sync_batch_norm``, its CIFAR default for every method) or per sub-batch (``"sub_batch"``: its Tiny-ImageNet
  SAM/ASAM configs). Either way the running statistics are updated once per step; per sub-batch, with the mean of
  the M sub-batch statistics (the reference keeps M copies of the running statistics and evaluates with the first;
  the mean has the same expectation and less variance).

Follows ``optimizers/optims.py`` of github trungtrinh44/DAMP, where ``jax.vmap`` over sub-batches (and ``pmap`` over
devices) does the same; the computation here is one pass in PyTorch. With channels-last activations the fold is a
copy instead of a view (still one pass).

Across ranks (``robopt.distributed``), batch-wide statistics are the statistics of every rank's images:
``synced_batch_norm`` computes what ``torch.nn.SyncBatchNorm`` computes (per-channel sums all-reduced, the backward
pass summed over ranks by the autograd-aware all-reduce), written out because ``SyncBatchNorm`` runs on CUDA only
and as a module of its own, which the joint pass could not reach; per-sub-batch statistics stay on their rank.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call
from torch.overrides import TorchFunctionMode

from robopt.distributed import SINGLE, World

BN_SCOPES = ("batch", "sub_batch")


def check_bn_scope(scope: str) -> str:
    if scope not in BN_SCOPES:
        raise ValueError(f"unknown BatchNorm statistics scope {scope!r}; valid: {', '.join(BN_SCOPES)}")
    return scope


def is_stacked(tensor: torch.Tensor | None, dims: int) -> bool:
    """Whether a weight/bias of a layer whose plain parameter has ``dims`` dimensions carries the sub-batch axis."""
    return tensor is not None and tensor.dim() == dims + 1


def per_sub_batch(tensor: torch.Tensor, sub_batches: int) -> torch.Tensor:
    """(M, C) as is; a shared (C,) repeated for every sub-batch -> (M, C)."""
    return tensor if tensor.dim() == 2 else tensor.expand(sub_batches, -1)


def unfold(tensor: torch.Tensor, shape) -> torch.Tensor:
    """``tensor`` (contiguous) in ``shape`` without becoming a view of it: the model's in-place ops that follow
    (``ReLU(inplace=True)``) then need no copy-back in the backward pass."""
    return torch.ops.aten._unsafe_view(tensor.contiguous(), tuple(shape))


def sub_batch_conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``F.conv2d`` with weight (M, O, C/g, k, k): one grouped convolution on the (b, M*C, H, W) fold."""
    sub_batches, out_channels = weight.shape[:2]
    n, channels = x.shape[:2]
    folded = x.reshape(n // sub_batches, sub_batches * channels, *x.shape[2:])
    if bias is not None:
        bias = per_sub_batch(bias, sub_batches).reshape(-1)
    out = F.conv2d(folded, weight.reshape(-1, *weight.shape[2:]), bias, stride, padding, dilation,
                   groups * sub_batches)
    return unfold(out, (n, out_channels, *out.shape[2:]))


def sub_batch_linear(x, weight, bias=None):
    """``F.linear`` with weight (M, O, I) (and bias (O,) or (M, O)) on (n, ..., I): one batched matmul."""
    sub_batches = weight.shape[0]
    grouped = x.reshape(x.shape[0] // sub_batches, sub_batches, -1, x.shape[-1])  # (b, M, tokens, I)
    out = torch.einsum("bmti,moi->bmto", grouped, weight)
    if bias is not None:
        out = out + (bias.view(1, sub_batches, 1, -1) if bias.dim() == 2 else bias)
    return unfold(out, (*x.shape[:-1], weight.shape[1]))


def sub_batch_layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """``F.layer_norm`` over the last dimension with weight and/or bias (M, D): per-sub-batch scale and shift."""
    stacked = weight if is_stacked(weight, 1) else bias
    sub_batches, width = stacked.shape
    normed = F.layer_norm(x, normalized_shape, None, None, eps)
    view = normed.reshape(x.shape[0] // sub_batches, sub_batches, -1, width)

    def per(tensor):
        return tensor.view(1, sub_batches, 1, width) if tensor.dim() == 2 else tensor

    out = view * per(weight) if weight is not None else view
    if bias is not None:
        out = out + per(bias)
    return unfold(out, x.shape)


def synced_batch_norm(x, running_mean, running_var, weight, bias, momentum, eps, world: World):
    """``F.batch_norm`` in training mode with statistics over the images of every rank (equal shards): biased
    variance to normalise, unbiased to update the running statistics, as ``F.batch_norm`` and ``SyncBatchNorm``."""
    from torch.distributed.nn.functional import all_reduce

    if momentum is None:
        raise ValueError("synchronised BatchNorm needs a momentum (cumulative averaging is not supported)")
    dims = [0, *range(2, x.dim())]
    count = x.numel() // x.shape[1] * world.size
    values = x.float()
    sums = all_reduce(torch.cat([values.sum(dims), values.square().sum(dims)]))  # backward: summed over ranks
    mean, mean_square = (sums / count).chunk(2)
    variance = mean_square - mean.square()
    if running_mean is not None:
        with torch.no_grad():
            running_mean.lerp_(mean, momentum)
            running_var.lerp_(variance * (count / (count - 1)), momentum)
    shape = (1, -1, *([1] * (x.dim() - 2)))
    scale = torch.rsqrt(variance + eps)
    out = ((values - mean.view(shape)) * scale.view(shape)).to(x.dtype)
    if weight is not None:
        out = out * weight.view(shape)
    if bias is not None:
        out = out + bias.view(shape)
    return out


def whole_batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps, world: World):
    """``F.batch_norm`` whose training statistics cover the whole batch, on every rank of ``world``."""
    if training and world.distributed:
        return synced_batch_norm(x, running_mean, running_var, weight, bias, momentum, eps, world)
    return F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)


def sub_batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps, scope, world=SINGLE):
    """``F.batch_norm`` whose weight and/or bias is (M, C): statistics over the whole batch or per sub-batch, the
    affine transform per sub-batch, running statistics updated once."""
    sub_batches = (weight if is_stacked(weight, 1) else bias).shape[0]
    n, channels = x.shape[:2]
    if scope == "sub_batch" and training:
        folded = x.reshape(n // sub_batches, sub_batches * channels, *x.shape[2:])
        track = running_mean is not None
        means = running_mean.repeat(sub_batches) if track else None
        variances = running_var.repeat(sub_batches) if track else None
        scale = per_sub_batch(weight, sub_batches).reshape(-1) if weight is not None else None
        shift = per_sub_batch(bias, sub_batches).reshape(-1) if bias is not None else None
        out = F.batch_norm(folded, means, variances, scale, shift, True, momentum, eps)
        if track:
            with torch.no_grad():
                running_mean.copy_(means.view(sub_batches, channels).mean(0))
                running_var.copy_(variances.view(sub_batches, channels).mean(0))
        return unfold(out, x.shape)
    normed = whole_batch_norm(x, running_mean, running_var, None, None, training, momentum, eps, world)
    view = normed.reshape(n // sub_batches, sub_batches, channels, -1)
    shape = (1, sub_batches, channels, 1)
    scale = weight.reshape(shape) if is_stacked(weight, 1) else weight.reshape(1, 1, channels, 1)
    if bias is None:
        return unfold(view * scale, x.shape)
    shift = bias.reshape(shape) if is_stacked(bias, 1) else bias.reshape(1, 1, channels, 1)
    return unfold(torch.addcmul(shift, view, scale), x.shape)


BATCH_NORM_ARGS = ("input", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps")
LAYER_NORM_ARGS = ("input", "normalized_shape", "weight", "bias", "eps")
BATCH_NORM_DEFAULTS = {"weight": None, "bias": None, "training": False, "momentum": 0.1, "eps": 1e-5}


class SubBatchMode(TorchFunctionMode):
    """Routes conv2d / linear / batch_norm calls with stacked weights to their one-pass sub-batch forms; across
    ranks with batch-wide statistics, every training-mode batch_norm to ``synced_batch_norm``."""

    def __init__(self, bn_scope: str = "batch", world: World = SINGLE) -> None:
        super().__init__()
        self.bn_scope = check_bn_scope(bn_scope)
        self.world = world

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is F.conv2d and is_stacked(args[1] if len(args) > 1 else kwargs.get("weight"), 4):
            return sub_batch_conv2d(*args, **kwargs)
        if func is F.linear and is_stacked(args[1] if len(args) > 1 else kwargs.get("weight"), 2):
            return sub_batch_linear(*args, **kwargs)
        if func is F.layer_norm:
            bound = {"weight": None, "bias": None, **dict(zip(LAYER_NORM_ARGS, args, strict=False)), **kwargs}
            if is_stacked(bound["weight"], 1) or is_stacked(bound["bias"], 1):
                return sub_batch_layer_norm(*(bound.get(name) for name in LAYER_NORM_ARGS if name in bound))
        if func is F.batch_norm:
            bound = {**BATCH_NORM_DEFAULTS, **dict(zip(BATCH_NORM_ARGS, args, strict=False)), **kwargs}
            if is_stacked(bound["weight"], 1) or is_stacked(bound["bias"], 1):
                return sub_batch_norm(bound["input"], bound["running_mean"], bound["running_var"], bound["weight"],
                                      bound["bias"], bound["training"], bound["momentum"], bound["eps"],
                                      self.bn_scope, self.world)
            if self.bn_scope == "batch":
                return whole_batch_norm(*(bound[name] for name in BATCH_NORM_ARGS), self.world)
        return func(*args, **kwargs)


def joint_forward(model: nn.Module, inputs: torch.Tensor, stacked: Mapping[str, torch.Tensor],
                  bn_scope: str = "batch", world: World = SINGLE) -> torch.Tensor:
    """Logits of ``model`` on ``inputs`` with the named parameters replaced by their stacked (M, *shape) versions:
    image n sees sub-batch n mod M's weights; the other parameters and all buffers are the model's own."""
    with SubBatchMode(bn_scope, world):
        return functional_call(model, dict(stacked), (inputs,))


def synchronised_statistics(world: World = SINGLE, bn_scope: str = "batch") -> contextlib.AbstractContextManager:
    """Around a plain forward pass: across ranks with batch-wide BatchNorm statistics, those of every rank's
    images (nothing to do for one rank, or for per-sub-batch statistics)."""
    if world.distributed and bn_scope == "batch":
        return SubBatchMode(bn_scope, world)
    return contextlib.nullcontext()


def sub_batch_views(flat: torch.Tensor, params: list[torch.Tensor]) -> list[torch.Tensor]:
    """Split an (M, N) tensor into (M, *shape) views, one per parameter (N = their total size)."""
    sizes = [p.numel() for p in params]
    return [part.view(flat.shape[0], *p.shape) for part, p in zip(flat.split(sizes, dim=1), params, strict=True)]


def flat_copy(params: list[torch.Tensor]) -> torch.Tensor:
    """All of ``params`` (detached) in one vector: one kernel for any number of tensors."""
    return torch.cat([p.detach().reshape(-1) for p in params])


def flat_parameters(params: list[torch.Tensor]) -> torch.Tensor:
    """All of ``params`` in one differentiable vector (its gradient splits back into the parameters' gradients):
    stacking every parameter through it costs a handful of kernels instead of a few per parameter."""
    return torch.cat([p.reshape(-1) for p in params])


def sub_batch_of(tensor: torch.Tensor, sub_batches: int, index: int) -> torch.Tensor:
    """The images of sub-batch ``index``: every M-th image from ``index`` (the split the joint pass uses)."""
    return tensor[index::sub_batches]
