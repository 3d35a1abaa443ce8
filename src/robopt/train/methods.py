"""Training methods behind one interface: ``step(model, inputs, targets) -> (loss, logits)``.

A method owns its optimizer and updates the model in place; the training loop never
branches on the method (as in DAMP's ``build_<method>_optimizer`` builders).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

import torch
from torch import nn

from robopt.registry import Registry


class Method(Protocol):
    optimizer: torch.optim.Optimizer

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One update on a batch; returns the mean loss (detached) and the logits."""
        ...


def nesterov_sgd(params: Iterable[nn.Parameter], hyper: dict[str, Any]) -> torch.optim.Optimizer:
    """SGD with (Nesterov) momentum and coupled L2 weight decay, as the DAMP reference code."""
    return torch.optim.SGD(
        params,
        lr=hyper["lr"],
        momentum=hyper["momentum"],
        nesterov=hyper["nesterov"] and hyper["momentum"] > 0,
        weight_decay=hyper["weight_decay"],
    )


class SGD:
    """Plain mini-batch SGD: one forward/backward on the whole batch."""

    def __init__(self, model: nn.Module, hyper: dict[str, Any]) -> None:
        self.optimizer = nesterov_sgd(model.parameters(), hyper)

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.optimizer.zero_grad(set_to_none=True)
        logits = model(inputs)
        loss = nn.functional.cross_entropy(logits, targets)
        loss.backward()
        self.optimizer.step()
        return loss.detach(), logits.detach()


METHODS: Registry[Callable[[nn.Module, dict[str, Any]], Method]] = Registry("method")
METHODS.register("sgd")(SGD)


def build_method(name: str, model: nn.Module, hyper: dict[str, Any]) -> Method:
    """The method ``name`` wrapping ``model``; ``hyper`` holds lr, momentum, weight decay and its own keys."""
    return METHODS.get(name)(model, hyper)
