"""Training methods behind one interface: ``step(model, inputs, targets) -> (loss, logits)``.

A method owns its optimizer and updates the model in place; the training loop never
branches on the method (as in DAMP's ``build_<method>_optimizer`` builders).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from robopt.registry import Registry
from robopt.train.base import Method, loss_and_logits, nesterov_sgd, uses_bf16
from robopt.train.sharpness import ASAM, SAM
from robopt.train.weight_noise import DAAP, DAMP


class SGD:
    """Plain mini-batch SGD: one forward/backward on the whole batch."""

    def __init__(self, model: nn.Module, hyper: dict[str, Any]) -> None:
        self.optimizer = nesterov_sgd(model.parameters(), hyper)
        self.bf16 = uses_bf16(model, hyper)

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.optimizer.zero_grad(set_to_none=True)
        loss, logits = loss_and_logits(model, inputs, targets, bf16=self.bf16)
        self.optimizer.step()
        return loss, logits


class Adam(SGD):
    """Adam (betas 0.9/0.999, eps 1e-8) with coupled L2 weight decay: the learned-optimizer baselines."""

    def __init__(self, model: nn.Module, hyper: dict[str, Any]) -> None:
        self.optimizer = torch.optim.Adam(model.parameters(), lr=hyper["lr"], weight_decay=hyper.get("weight_decay", 0.0))
        self.bf16 = uses_bf16(model, hyper)


METHODS: Registry[Callable[[nn.Module, dict[str, Any]], Method]] = Registry("method")
for _name, _builder in {"sgd": SGD, "damp": DAMP, "daap": DAAP, "sam": SAM, "asam": ASAM, "adam": Adam}.items():
    METHODS.register(_name)(_builder)


def build_method(name: str, model: nn.Module, hyper: dict[str, Any]) -> Method:
    """The method ``name`` wrapping ``model``; ``hyper`` holds lr, momentum, weight decay and its own keys."""
    return METHODS.get(name)(model, hyper)
