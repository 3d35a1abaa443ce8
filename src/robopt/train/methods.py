"""Training methods behind one interface: ``step(model, inputs, targets) -> (loss, logits)``.

A method owns its optimizer and updates the model in place; the training loop never branches on the method (as in
DAMP's ``build_<method>_optimizer`` builders). A builder takes the base optimizer settings and its own hyperparameters
as required keyword arguments: the builder's signature is the one list of a method's keys, checked by
``method_keys`` before any job runs, so a missing or misspelled key can never fall back to a silent default.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping

import torch
from torch import nn

from robopt.distributed import current_world
from robopt.errors import RoboptError
from robopt.registry import Registry
from robopt.train.base import Method, OptimizerSettings, apply_update, base_optimizer, loss_and_logits, uses_bf16
from robopt.train.l2rw import L2RW
from robopt.train.mwnet import MWNet
from robopt.train.sharpness import ASAM, SAM
from robopt.train.sub_batch import synchronised_statistics
from robopt.train.weight_noise import DAAP, DAMP


class MethodParamsError(RoboptError, ValueError):
    """A method got a hyperparameter it does not take, or lacks one it needs."""


class SGD:
    """Plain mini-batch training with the base optimizer (Nesterov SGD, or AdamW where configured): one
    forward/backward on the whole batch."""

    def __init__(self, model: nn.Module, optimizer: OptimizerSettings) -> None:
        self.optimizer = base_optimizer(model, optimizer)
        self._setup(model, optimizer)

    def _setup(self, model: nn.Module, optimizer: OptimizerSettings) -> None:
        self.bf16 = uses_bf16(model, optimizer)
        self.clip_norm = optimizer.grad_clip_norm
        self.world = current_world()
        self.params = list(model.parameters())

    def step(self, model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Across ranks: BatchNorm statistics over the whole batch (every rank's images), gradients averaged."""
        self.optimizer.zero_grad(set_to_none=True)
        with synchronised_statistics(self.world):
            loss, logits = loss_and_logits(model, inputs, targets, bf16=self.bf16)
        apply_update(self.optimizer, self.params, self.world, self.clip_norm)
        return loss, logits


class Adam(SGD):
    """Adam (betas 0.9/0.999, eps 1e-8) with coupled L2 weight decay: the learned-optimizer baselines."""

    def __init__(self, model: nn.Module, optimizer: OptimizerSettings) -> None:
        self.optimizer = torch.optim.Adam(model.parameters(), lr=optimizer.lr, weight_decay=optimizer.weight_decay)
        self._setup(model, optimizer)


class SGDPlusMeta(SGD):
    """SGD on the training set and the meta set together: the baseline that spends the trusted images as data."""

    meta_set_use = "train"


class SGDEarlyStop(SGD):
    """SGD whose final model is the epoch with the best meta-set accuracy: the baseline that spends the trusted
    images on model selection (never the test set)."""

    meta_set_use = "select"


MethodBuilder = Callable[..., Method]
METHODS: Registry[MethodBuilder] = Registry("method")
#: ``dropout`` is the base optimizer's step on a model built with dropout (DAMP camera-ready's ImageNet baseline;
#: the rate is the method block's ``dropout`` key, a model option: ``robopt.variants.SETTING_OVERRIDES``).
for _name, _builder in {"sgd": SGD, "dropout": SGD, "damp": DAMP, "daap": DAAP, "sam": SAM, "asam": ASAM,
                        "adam": Adam, "sgd_plus_meta": SGDPlusMeta, "sgd_early_stop": SGDEarlyStop, "l2rw": L2RW,
                        "mwnet": MWNet}.items():
    METHODS.register(_name)(_builder)


def meta_set_use(name: str) -> str | None:
    """How method ``name`` uses the bias block's meta set (``robopt.train.reweighting.META_SET_USES``), or None."""
    return getattr(METHODS.get(name), "meta_set_use", None)


def method_keys(name: str) -> tuple[str, ...]:
    """The hyperparameters method ``name`` takes besides the base optimizer (its builder's keyword arguments)."""
    signature = inspect.signature(METHODS.get(name))
    return tuple(p.name for p in signature.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY)


def check_method_params(name: str, params: Mapping[str, object], where: str = "") -> None:
    """Raise naming the keys when ``params`` is not exactly the hyperparameters of method ``name``."""
    allowed = method_keys(name)
    unknown = sorted(set(params) - set(allowed))
    missing = [key for key in allowed if key not in params]
    if unknown or missing:
        problems = ([f"unknown key(s) {', '.join(unknown)}"] if unknown else []) + (
            [f"missing key(s) {', '.join(missing)}"] if missing else [])
        takes = ", ".join(allowed) or "no keys of its own"
        raise MethodParamsError(f"{where or name}: {'; '.join(problems)} ({name} takes {takes})")


def build_method(name: str, model: nn.Module, optimizer: OptimizerSettings, params: Mapping[str, object]) -> Method:
    """The method ``name`` wrapping ``model``: ``optimizer`` for the base step, ``params`` its own keys (all of them)."""
    check_method_params(name, params)
    return METHODS.get(name)(model, optimizer, **params)
