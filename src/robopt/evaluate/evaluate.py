"""Evaluate a trained model on clean test data and on every (corruption, severity) -> tidy rows."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch
from torch import nn

from robopt.corruptions.sets import CorruptedSet
from robopt.data.augment import normalize
from robopt.evaluate.metrics import classification_metrics
from robopt.runtime import model_device

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

METRIC_COLUMNS = ["corruption", "severity", "n_images", "accuracy", "error", "nll", "ece"]


@torch.no_grad()
def predict(
    model: nn.Module, images: torch.Tensor, mean: Sequence[float], std: Sequence[float], batch_size: int = 1000
) -> torch.Tensor:
    """Logits of ``model`` (in eval mode) for a uint8 NHWC batch, in chunks on the model's device."""
    model.eval()
    device = model_device(model)
    chunks = [
        model(normalize(images[start : start + batch_size].to(device), mean, std)).float().cpu()
        for start in range(0, len(images), batch_size)
    ]
    return torch.cat(chunks)


def evaluate_model(
    model: nn.Module,
    clean_images: torch.Tensor,
    clean_labels: torch.Tensor,
    corrupted: Sequence[CorruptedSet],
    mean: Sequence[float],
    std: Sequence[float],
    batch_size: int = 1000,
) -> pd.DataFrame:
    """One row per test condition: clean (corruption ``clean``, severity 0) and each corruption x severity."""
    rows = [{"corruption": "clean", "severity": 0, **classification_metrics(
        predict(model, clean_images, mean, std, batch_size), clean_labels.cpu())}]
    for corrupted_set in corrupted:
        for severity_index in range(corrupted_set.images.shape[0]):
            logits = predict(model, corrupted_set.images[severity_index], mean, std, batch_size)
            metrics = classification_metrics(logits, corrupted_set.labels)
            rows.append({"corruption": corrupted_set.corruption, "severity": severity_index + 1, **metrics})
            log.info("%s severity %d: accuracy %.4f", corrupted_set.corruption, severity_index + 1, metrics["accuracy"])
    import pandas as pd

    return pd.DataFrame(rows, columns=METRIC_COLUMNS)
