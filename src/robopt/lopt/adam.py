"""Adam over a population with one learning rate per member: the tuned baseline of Metz et al. (2019), and the
meta-optimizer of the learned optimizer (a population of one)."""

from __future__ import annotations

import torch

from robopt.lopt.population import Params

BETAS = (0.9, 0.999)  # PyTorch defaults; the paper does not state Adam's betas or epsilon
EPS = 1e-8


def init_adam(params: Params) -> dict:
    size = next(iter(params.values())).shape[0]
    zeros = {name: torch.zeros_like(value) for name, value in params.items()}
    device = next(iter(params.values())).device
    return {"m": zeros, "v": {k: v.clone() for k, v in zeros.items()}, "step": torch.zeros(size, device=device)}


@torch.no_grad()
def adam_step(
    lrs: torch.Tensor, params: Params, grads: Params, state: dict, betas: tuple[float, float] = BETAS
) -> tuple[Params, dict]:
    """One Adam step per member; ``lrs`` (P,) are the members' learning rates."""
    step = state["step"] + 1
    beta1, beta2 = betas
    new_params, m_new, v_new = {}, {}, {}
    for name, weight in params.items():
        m_new[name] = beta1 * state["m"][name] + (1 - beta1) * grads[name]
        v_new[name] = beta2 * state["v"][name] + (1 - beta2) * grads[name].square()
        shape = (-1,) + (1,) * (weight.dim() - 1)
        m_hat = m_new[name] / (1 - beta1 ** step.to(weight)).view(shape)
        v_hat = v_new[name] / (1 - beta2 ** step.to(weight)).view(shape)
        new_params[name] = weight - lrs.to(weight).view(shape) * m_hat / (v_hat.sqrt() + EPS)
    return new_params, {"m": m_new, "v": v_new, "step": step}
