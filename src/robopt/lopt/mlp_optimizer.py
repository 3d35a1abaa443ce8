"""The learned optimizer of Metz et al. (2019), App. A.2: one small MLP applied to every scalar parameter.

Features follow the predecessor's code (google-research ``task_specific_learned_opt``, ``fast_rolling_mlp.py``; as
google/learned_optimization ``adafac_mlp_lopt.py`` builds them): per parameter the gradient g, its momenta m_b at
five decays, the weight w, the Adam-like ratios m_b / (sqrt(v) + 1e-8) for each decay and 1 / (sqrt(v) + 1e-8), with
v the 0.999 moving average of g^2; every one of these divided by the root of its mean square over the tensor. Then
features shared by the tensor: time tanh(t / x - 1) at six timescales, and two bounded tensor features,
log10(rms(w) + 1e-3) / 3 and log10(#units) / 3 (both within [-1, 5] for any tensor up to 10^15 units).
The MLP (one hidden layer of 32 ReLU units) outputs a direction d and a log step length m; the update is
d * exp(m * lambda) * lambda with lambda = 0.001. The state (momenta, second moment, step count) is explicit, so an
inner training can be checkpointed and resumed.

Departures: App. A.2 also feeds log|w| per parameter and the unnormalised log of the tensor norm and of its number of
units; the first is dropped (the predecessor has no such feature; for a zero bias it is the constant log(eps)) and the
others are bounded as above, so that no input is large and constant over a tensor (then any change of the output
layer would move the whole tensor). The second-moment features come from the predecessor, not App. A.2: with them the
MLP can represent Adam's direction, and the initial rule theta0 is exactly that (``init_meta``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from robopt.lopt.population import Params

DECAYS = (0.5, 0.9, 0.99, 0.999, 0.9999)
RMS_DECAY = 0.999  # v: the moving average of g^2 (Adam's beta2)
ADAM_MOMENTUM = DECAYS.index(0.9)  # the momentum of theta0's Adam direction (Adam's beta1)
TIMESCALES = (2.0, 10.0, 20.0, 100.0, 200.0, 1000.0)
#: gradient, momenta, weight, momenta / sqrt(v), 1 / sqrt(v): normalised over the tensor
NORMALISED = 1 + len(DECAYS) + 1 + len(DECAYS) + 1
ADAM_FEATURE = 1 + len(DECAYS) + 1 + ADAM_MOMENTUM  # column of m_0.9 / (sqrt(v) + eps)
NUM_FEATURES = NORMALISED + len(TIMESCALES) + 2  # + time features, tensor scale, tensor size = 21
HIDDEN = 32
STEP_SCALE = 1e-3
ADAM_EPS = 1e-8
SCALE_EPS = 1e-3
SECOND_MOMENT_EPS = 1e-5


@dataclass
class OptimizerState:
    """Momenta per tensor (P x decays x shape), the second moment v (P x shape) and the inner step count per member
    (P,)."""

    momenta: Params
    second: Params
    step: torch.Tensor

    def to_dict(self) -> dict:
        return {"momenta": self.momenta, "second": self.second, "step": self.step}

    @classmethod
    def from_dict(cls, state: dict) -> OptimizerState:
        return cls(state["momenta"], state["second"], state["step"])

    def select(self, index: torch.Tensor) -> OptimizerState:
        """The members ``index`` (a 1-D index tensor)."""
        return OptimizerState({n: v[index] for n, v in self.momenta.items()},
                              {n: v[index] for n, v in self.second.items()}, self.step[index])

    def replace(self, index: torch.Tensor, part: OptimizerState) -> OptimizerState:
        """This state with the members ``index`` taken from ``part``."""
        return OptimizerState({n: v.index_copy(0, index, part.momenta[n]) for n, v in self.momenta.items()},
                              {n: v.index_copy(0, index, part.second[n]) for n, v in self.second.items()},
                              self.step.index_copy(0, index, part.step))

    def repeat_members(self, times: int) -> OptimizerState:
        """Each member ``times`` times in a row (member k -> members k * times ...)."""
        return OptimizerState({n: v.repeat_interleave(times, dim=0) for n, v in self.momenta.items()},
                              {n: v.repeat_interleave(times, dim=0) for n, v in self.second.items()},
                              self.step.repeat_interleave(times))

    def zero(self, which: torch.Tensor) -> None:
        """Restart the members in ``which`` (P,) bool, in place."""
        for tensors in (self.momenta, self.second):
            for value in tensors.values():
                value[which] = 0.0
        self.step[which] = 0.0


def init_state(params: Params) -> OptimizerState:
    momenta = {name: value.new_zeros(value.shape[0], len(DECAYS), *value.shape[1:]) for name, value in params.items()}
    second = {name: torch.zeros_like(value) for name, value in params.items()}
    size = next(iter(params.values())).shape[0]
    return OptimizerState(momenta, second, torch.zeros(size, device=next(iter(params.values())).device))


def meta_shapes() -> dict[str, tuple[int, ...]]:
    return {"w1": (NUM_FEATURES, HIDDEN), "b1": (HIDDEN,), "w2": (HIDDEN, 2), "b2": (2,)}


def num_meta_parameters() -> int:
    return sum(math.prod(shape) for shape in meta_shapes().values())


def init_meta(step_size: float, generator: torch.Generator) -> torch.Tensor:
    """Flat meta-parameters of the initial rule theta0: per-tensor normalised Adam with RMS step ``step_size``.

    Hidden units 0 and 1 carry +-(the m_0.9 / (sqrt(v) + 1e-8) feature), the direction output takes their difference
    times ``step_size / lambda`` and the log step stays 0, so the update of every tensor is exactly
    step_size * a / sqrt(mean(a^2) + 1e-5), a = m_0.9 / (sqrt(v_0.999) + 1e-8): Adam's direction (its bias
    corrections are the same for every element, so the normalisation removes them) at a fixed RMS step per tensor.
    The paper does not state its initialisation; this one is a competent optimizer that outer-training must improve
    on. All other first-layer weights start random (1 / sqrt(features)), the rest of the output layer zero.
    """
    shapes = meta_shapes()
    w1 = torch.randn(shapes["w1"], generator=generator) / math.sqrt(NUM_FEATURES)
    w2 = torch.zeros(shapes["w2"])
    w1[:, :2] = 0.0
    w1[ADAM_FEATURE, 0], w1[ADAM_FEATURE, 1] = 1.0, -1.0
    w2[0, 0], w2[1, 0] = step_size / STEP_SCALE, -step_size / STEP_SCALE
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


def tensor_features(weight: torch.Tensor, grad: torch.Tensor, momenta: torch.Tensor, second: torch.Tensor,
                    step: torch.Tensor) -> torch.Tensor:
    """Features (P x numel x 21) of one parameter tensor (P x shape) with its momenta (P x decays x shape) and second
    moment (P x shape)."""
    size = weight.shape[0]
    w, g = weight.reshape(size, -1), grad.reshape(size, -1)
    m = momenta.reshape(size, len(DECAYS), -1).transpose(1, 2)  # P x numel x decays
    inverse_rms = 1.0 / (second.reshape(size, -1).sqrt() + ADAM_EPS)
    per_parameter = torch.cat([g[..., None], m, w[..., None], m * inverse_rms[..., None], inverse_rms[..., None]],
                              dim=-1)
    normalised = second_moment_normalise(per_parameter)
    timescales = torch.tensor(TIMESCALES, device=weight.device)
    time = torch.tanh(step[:, None] / timescales - 1.0)  # P x 6
    scale = torch.log10(w.square().mean(dim=1, keepdim=True).sqrt() + SCALE_EPS) / 3.0  # P x 1
    units = torch.full_like(scale, math.log10(w.shape[1]) / 3.0)
    shared = torch.cat([time, scale, units], dim=-1)[:, None, :].expand(-1, w.shape[1], -1)
    return torch.cat([normalised, shared], dim=-1)


def mlp_outputs(meta: Params, features: torch.Tensor) -> torch.Tensor:
    """(P x numel x 16) features -> (P x numel x 2) outputs (direction, log step) of each member's MLP."""
    hidden = torch.baddbmm(meta["b1"][:, None, :], features, meta["w1"]).relu()
    return torch.baddbmm(meta["b2"][:, None, :], hidden, meta["w2"])


def update_momenta(momenta: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    decays = torch.tensor(DECAYS, device=grad.device, dtype=grad.dtype).view(1, -1, *([1] * (grad.dim() - 1)))
    return decays * momenta + (1 - decays) * grad[:, None]


def update_second(second: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    return RMS_DECAY * second + (1 - RMS_DECAY) * grad.square()


@torch.no_grad()
def learned_step(
    meta_flat: torch.Tensor, params: Params, grads: Params, state: OptimizerState
) -> tuple[Params, OptimizerState]:
    """One inner step for every member: meta_flat (P x D) holds each member's (possibly perturbed) MLP."""
    meta = unflatten_meta(meta_flat)
    new_params, new_momenta, new_second = {}, {}, {}
    for name, weight in params.items():
        momenta = update_momenta(state.momenta[name], grads[name])
        second = update_second(state.second[name], grads[name])
        outputs = mlp_outputs(meta, tensor_features(weight, grads[name], momenta, second, state.step))
        direction, log_step = outputs[..., 0], outputs[..., 1]
        update = direction * torch.exp(log_step * STEP_SCALE) * STEP_SCALE
        new_params[name] = weight - update.reshape(weight.shape)
        new_momenta[name], new_second[name] = momenta, second
    return new_params, OptimizerState(new_momenta, new_second, state.step + 1)
