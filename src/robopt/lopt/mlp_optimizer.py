"""The learned optimizer of Metz et al. (2019), App. A.2: one small MLP applied to every scalar parameter.

Per-parameter features: the gradient, its momenta at five decays, the weight and log|weight|, each divided by
the root of its second moment over the tensor; plus time features tanh(t / x - 1), the log of the tensor norm and
the log of the tensor's number of units. The MLP (one hidden layer of 32 ReLU units) outputs a direction d and a
log step length m; the update is d * exp(m * lambda) * lambda with lambda = 0.001, so the first steps are small.
The state (momenta, step count) is explicit, so an inner training can be checkpointed and resumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from robopt.lopt.population import Params

DECAYS = (0.5, 0.9, 0.99, 0.999, 0.9999)
TIMESCALES = (2.0, 10.0, 20.0, 100.0, 200.0, 1000.0)
NORMALISED = 2 + len(DECAYS) + 1  # gradient, momenta, weight, log|weight|
NUM_FEATURES = NORMALISED + len(TIMESCALES) + 2  # + time features, log tensor norm, log number of units = 16
HIDDEN = 32
STEP_SCALE = 1e-3
EPS = 1e-8
SECOND_MOMENT_EPS = 1e-5
OUTPUT_INIT_STD = 0.0  # random part of the output layer: zero, so constant features cannot push a whole tensor
INIT_DIRECTION_SCALE = 3.0  # synthetic demo, 400 steps: 2 and 3 train as fast as tuned Adam, 5 slower, 10 stalls


@dataclass
class OptimizerState:
    """Momenta per tensor (P x decays x shape) and the inner step count per member (P,)."""

    momenta: Params
    step: torch.Tensor

    def to_dict(self) -> dict:
        return {"momenta": self.momenta, "step": self.step}

    @classmethod
    def from_dict(cls, state: dict) -> OptimizerState:
        return cls(state["momenta"], state["step"])


def init_state(params: Params) -> OptimizerState:
    momenta = {name: value.new_zeros(value.shape[0], len(DECAYS), *value.shape[1:]) for name, value in params.items()}
    size = next(iter(params.values())).shape[0]
    return OptimizerState(momenta, torch.zeros(size, device=next(iter(params.values())).device))


def meta_shapes() -> dict[str, tuple[int, ...]]:
    return {"w1": (NUM_FEATURES, HIDDEN), "b1": (HIDDEN,), "w2": (HIDDEN, 2), "b2": (2,)}


def num_meta_parameters() -> int:
    return sum(math.prod(shape) for shape in meta_shapes().values())


def init_meta(generator: torch.Generator) -> torch.Tensor:
    """Flat meta-parameters that start as normalised-momentum descent (the paper does not state its initialisation).

    Hidden units 0 and 1 carry +-(momentum 0.9 feature) and the direction output takes their difference, so
    d = 3 x normalised momentum and the first steps are 3e-3 x (momentum / its RMS over the tensor); all other weights start random and small, and
    outer-training is free to move away from this rule.
    """
    shapes = meta_shapes()
    w1 = torch.randn(shapes["w1"], generator=generator) / math.sqrt(NUM_FEATURES)
    w2 = torch.randn(shapes["w2"], generator=generator) * OUTPUT_INIT_STD
    momentum = 1 + DECAYS.index(0.9)  # feature column of the 0.9 momentum
    w1[:, :2] = 0.0
    w1[momentum, 0], w1[momentum, 1] = 1.0, -1.0
    w2[:2, :] = 0.0
    w2[0, 0], w2[1, 0] = INIT_DIRECTION_SCALE, -INIT_DIRECTION_SCALE
    parts = {"w1": w1, "b1": torch.zeros(shapes["b1"]), "w2": w2, "b2": torch.zeros(shapes["b2"])}
    return torch.cat([parts[name].flatten() for name in shapes])


def unflatten_meta(flat: torch.Tensor) -> Params:
    """(P x D) flat meta-parameters -> dict of (P x shape) tensors."""
    out, offset = {}, 0
    for name, shape in meta_shapes().items():
        size = math.prod(shape)
        out[name] = flat[:, offset : offset + size].reshape(flat.shape[0], *shape)
        offset += size
    return out


def second_moment_normalise(features: torch.Tensor) -> torch.Tensor:
    """Divide each feature (last axis) by sqrt(mean over the tensor's elements of its square + 1e-5)."""
    return features * torch.rsqrt(features.square().mean(dim=1, keepdim=True) + SECOND_MOMENT_EPS)


def tensor_features(weight: torch.Tensor, grad: torch.Tensor, momenta: torch.Tensor, step: torch.Tensor) -> torch.Tensor:
    """Features (P x numel x 16) of one parameter tensor (P x shape) with its momenta (P x decays x shape)."""
    size = weight.shape[0]
    w, g = weight.reshape(size, -1), grad.reshape(size, -1)
    m = momenta.reshape(size, len(DECAYS), -1).transpose(1, 2)  # P x numel x decays
    per_parameter = torch.cat([g[..., None], m, w[..., None], torch.log(w.abs() + EPS)[..., None]], dim=-1)
    normalised = second_moment_normalise(per_parameter)
    timescales = torch.tensor(TIMESCALES, device=weight.device)
    time = torch.tanh(step[:, None] / timescales - 1.0)  # P x 6
    norm = torch.log(w.norm(dim=1, keepdim=True) + EPS)  # P x 1
    units = torch.full_like(norm, math.log(w.shape[1]))
    shared = torch.cat([time, norm, units], dim=-1)[:, None, :].expand(-1, w.shape[1], -1)
    return torch.cat([normalised, shared], dim=-1)


def mlp_outputs(meta: Params, features: torch.Tensor) -> torch.Tensor:
    """(P x numel x 16) features -> (P x numel x 2) outputs (direction, log step) of each member's MLP."""
    hidden = torch.baddbmm(meta["b1"][:, None, :], features, meta["w1"]).relu()
    return torch.baddbmm(meta["b2"][:, None, :], hidden, meta["w2"])


def update_momenta(momenta: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    decays = torch.tensor(DECAYS, device=grad.device, dtype=grad.dtype).view(1, -1, *([1] * (grad.dim() - 1)))
    return decays * momenta + (1 - decays) * grad[:, None]


@torch.no_grad()
def learned_step(
    meta_flat: torch.Tensor, params: Params, grads: Params, state: OptimizerState
) -> tuple[Params, OptimizerState]:
    """One inner step for every member: meta_flat (P x D) holds each member's (possibly perturbed) MLP."""
    meta = unflatten_meta(meta_flat)
    new_params, new_momenta = {}, {}
    for name, weight in params.items():
        momenta = update_momenta(state.momenta[name], grads[name])
        outputs = mlp_outputs(meta, tensor_features(weight, grads[name], momenta, state.step))
        direction, log_step = outputs[..., 0], outputs[..., 1]
        update = direction * torch.exp(log_step * STEP_SCALE) * STEP_SCALE
        new_params[name] = weight - update.reshape(weight.shape)
        new_momenta[name] = momenta
    return new_params, OptimizerState(new_momenta, state.step + 1)
