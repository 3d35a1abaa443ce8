"""Hyperparameter sweep on a seeded stratified hold-out split, as DAMP tunes sigma and rho on 10%."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

import torch

from robopt.data.format import ImageSplit
from robopt.data.splits import stratified_split
from robopt.evaluate.evaluate import predict
from robopt.evaluate.metrics import classification_metrics
from robopt.train.fit import TrainSettings, fit

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


def with_value(settings: TrainSettings, parameter: str, value: float) -> TrainSettings:
    """``settings`` with one hyperparameter replaced: a shared setting (lr, weight_decay) or a method key."""
    if parameter in settings.method_params:
        return dataclasses.replace(settings, method_params={**settings.method_params, parameter: value})
    if parameter in ("lr", "weight_decay"):
        return dataclasses.replace(settings, **{parameter: value})
    raise ValueError(f"cannot tune {parameter!r} of {settings.method}: not lr, weight_decay or one of its keys")


def sweep(
    train: ImageSplit,
    settings: TrainSettings,
    parameter: str,
    grid: list[float],
    val_fraction: float,
    val_seed: int,
    seed: int,
    device: torch.device | str = "cpu",
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Train on the fit part for every value of ``parameter`` (a base-optimizer setting such as ``lr``, or one of the
    method's own keys such as ``sigma``) in ``grid``, score on the hold-out part.

    The choice maximises hold-out accuracy (ties: lower NLL); the paper does not state its criterion.
    Returns the sweep table and the choice.
    """
    fit_index, holdout_index = stratified_split(train.labels, val_fraction, val_seed)
    fit_split, holdout = train.subset(fit_index), train.subset(holdout_index)
    method = settings.method
    rows = []
    for value in grid:
        trial = with_value(settings, parameter, value)
        model, _ = fit(fit_split, trial, seed, device=device)
        metrics = classification_metrics(predict(model, holdout.images, settings.mean, settings.std), holdout.labels.cpu())
        rows.append({"method": method, "parameter": parameter, "value": value, **metrics})
        log.info("%s %s=%g: hold-out accuracy %.4f nll %.4f", method, parameter, value, metrics["accuracy"], metrics["nll"])
    import pandas as pd

    table = pd.DataFrame(rows)
    best = table.sort_values(["accuracy", "nll"], ascending=[False, True]).iloc[0]
    choice = {
        "method": method,
        "parameter": parameter,
        "value": float(best["value"]),
        "criterion": "highest hold-out accuracy, ties broken by lower NLL",
        "holdout_images": len(holdout),
        "val_fraction": val_fraction,
        "val_seed": val_seed,
    }
    return table, choice
