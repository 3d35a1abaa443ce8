"""The training loop's side of a biased training set: building it with its meta set, the meta set's per-epoch
metrics, the early-stopping baseline's model selection on it, and the mean weight a reweighting method gives to
biased and clean examples."""

from __future__ import annotations

import copy
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from robopt.data.augment import normalize
from robopt.data.bias import bias_training_set, concatenate, unbiased
from robopt.data.format import ImageSplit
from robopt.errors import ConfigError
from robopt.history_names import WEIGHT_BIASED, WEIGHT_CLEAN


def training_and_meta_sets(train: ImageSplit, method: str, bias: dict[str, Any] | None, train_images: int | None,
                           corruption_scale: str) -> tuple[ImageSplit, ImageSplit | None]:
    """The split ``method`` trains on (the biased set, or the ``train_images`` subset) with its ``biased`` mask, and
    the meta set (None without a bias block); a method with ``meta_set_use: train`` trains on both."""
    from robopt.data.splits import training_subset
    from robopt.train.methods import meta_set_use

    use = meta_set_use(method)
    if bias is None:
        if use:
            raise ConfigError(f"method {method} needs a meta set: add a bias block with meta_set.per_class")
        subset = training_subset(train, train_images) if train_images is not None else train
        return unbiased(subset), None
    biased = bias_training_set(train, bias, train_images, corruption_scale)
    if use == "train":
        return concatenate(biased.train, unbiased(biased.meta)), biased.meta
    return biased.train, biased.meta


@torch.no_grad()
def meta_set_metrics(model: nn.Module, meta: ImageSplit, mean: list[float], std: list[float],
                     batch_size: int = 500) -> dict[str, float]:
    """Mean cross-entropy and accuracy of ``model`` (eval mode) on the meta set."""
    was_training = model.training
    model.eval()
    loss, correct = 0.0, 0
    for start in range(0, len(meta), batch_size):
        logits = model(normalize(meta.images[start:start + batch_size], mean, std)).float()
        labels = meta.labels[start:start + batch_size]
        loss += float(F.cross_entropy(logits, labels, reduction="sum"))
        correct += int((logits.argmax(1) == labels).sum())
    model.train(was_training)
    return {"meta_loss": loss / len(meta), "meta_accuracy": correct / len(meta)}


class WeightLog:
    """Sums of the per-example weights a reweighting method gave in an epoch, apart for biased and clean examples."""

    def __init__(self, device: torch.device) -> None:
        self.sums = torch.zeros(2, device=device, dtype=torch.float64)
        self.counts = torch.zeros(2, device=device, dtype=torch.float64)

    def add(self, weights: torch.Tensor, biased: torch.Tensor) -> None:
        groups = biased.long()  # 0 = clean, 1 = biased
        self.sums.index_add_(0, groups, weights.double())
        self.counts.index_add_(0, groups, torch.ones_like(weights, dtype=torch.float64))

    def metrics(self) -> dict[str, float]:
        """{weight_clean, weight_biased}: the epoch's mean weights (a group without examples is left out)."""
        names = (WEIGHT_CLEAN, WEIGHT_BIASED)
        return {name: float(s / c) for name, s, c in zip(names, self.sums, self.counts, strict=True) if c > 0}


class EarlyStopping:
    """Keeps the model state of the epoch with the best meta-set accuracy (the first of equals)."""

    def __init__(self) -> None:
        self.best_accuracy, self.best_epoch, self.best_state = -1.0, 0, None

    def update(self, model: nn.Module, epoch: int, accuracy: float) -> None:
        if accuracy > self.best_accuracy:
            self.best_accuracy, self.best_epoch = accuracy, epoch
            self.best_state = copy.deepcopy(model.state_dict())

    def state_dict(self) -> dict[str, Any]:
        return {"best_accuracy": self.best_accuracy, "best_epoch": self.best_epoch, "best_state": self.best_state}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best_accuracy, self.best_epoch, self.best_state = (state["best_accuracy"], state["best_epoch"],
                                                                state["best_state"])
