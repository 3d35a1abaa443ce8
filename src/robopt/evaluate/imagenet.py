"""Evaluate a trained ImageNet model on one test set streamed from its JPEG files -> tidy rows, one per condition.

A test set is clean validation, FGSM on it (eps 2/224, ``robopt.evaluate.adversarial``), or a shifted set of
``robopt.data.imagenet_test_sets`` with its conditions (corruption x severity, domain, or the set itself). Its score
in DAMP's Tables 1 and 2 is the mean error over its conditions (the camera-ready averages ImageNet-C and -C-bar over
all types and severities), computed by ``robopt.evaluate.imagenet_tables``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch
from torch import nn

from robopt.data.imagenet import ImageIndex
from robopt.data.imagenet_test_sets import Condition
from robopt.evaluate.adversarial import IMAGENET_FGSM_EPS, fgsm_logits
from robopt.evaluate.evaluate import predict
from robopt.evaluate.metrics import classification_metrics
from robopt.imagenet_protocol import EVAL_SIZE
from robopt.runtime import model_device

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

IMAGENET_METRIC_COLUMNS = ["test_set", "condition", "severity", "n_images", "accuracy", "error", "nll", "ece"]


def scored_metrics(logits: torch.Tensor, index: ImageIndex) -> dict[str, float]:
    """Metrics of ``logits`` on ``index``, over its ``scored_classes`` only where it names them (ImageNet-A)."""
    labels = index.labels
    if index.scored_classes is not None:
        classes = torch.tensor(index.scored_classes)
        logits, labels = logits[:, classes], torch.searchsorted(classes, labels)
    return classification_metrics(logits, labels)


def condition_logits(model: nn.Module, index: ImageIndex, mean: Sequence[float], std: Sequence[float],
                     batch_size: int, image_size: int, workers: int, fgsm_eps: float | None = None,
                     eval_resize: str = "crop") -> torch.Tensor:
    """Logits (on the CPU) of every image of ``index`` in its evaluation view (``eval_resize``: crop or square),
    FGSM-perturbed at ``fgsm_eps`` if given; the images are decoded batch by batch on the model's device."""
    from robopt.data.imagenet_loader import ImageNetBatches

    device = model_device(model)
    batches = ImageNetBatches(index, batch_size, train=False, device=device, workers=workers, image_size=image_size,
                              eval_resize=eval_resize)
    chunks = []
    for images, labels in batches:
        nhwc = images.permute(0, 2, 3, 1)
        chunks.append(predict(model, nhwc, mean, std, batch_size) if fgsm_eps is None
                      else fgsm_logits(model, nhwc, labels, fgsm_eps, mean, std, batch_size))
    return torch.cat(chunks)


def evaluate_conditions(model: nn.Module, test_set: str, conditions: Sequence[Condition], mean: Sequence[float],
                        std: Sequence[float], batch_size: int, image_size: int = EVAL_SIZE, workers: int = 4,
                        fgsm_eps: float | None = None, eval_resize: str = "crop") -> pd.DataFrame:
    """One row per condition of ``test_set`` (test_set, condition, severity, n_images, accuracy, error, nll, ece)."""
    import pandas as pd

    rows = []
    for condition in conditions:
        logits = condition_logits(model, condition.index, mean, std, batch_size, image_size, workers, fgsm_eps,
                                  eval_resize)
        metrics = scored_metrics(logits, condition.index)
        rows.append({"test_set": test_set, "condition": condition.name, "severity": condition.severity, **metrics})
        log.info("%s %s %d: error %.2f%%", test_set, condition.name, condition.severity, metrics["error"])
    return pd.DataFrame(rows, columns=IMAGENET_METRIC_COLUMNS)


def test_set_conditions(test_set: str, validation: ImageIndex, root: str | None) -> tuple[list[Condition],
                                                                                          float | None]:
    """The conditions of ``test_set`` and its FGSM step: ``clean`` and ``fgsm`` are the validation split, any other
    set is read from ``root`` in its release layout."""
    if test_set in ("clean", "fgsm"):
        return [Condition(test_set, 0, validation)], IMAGENET_FGSM_EPS if test_set == "fgsm" else None
    from robopt.data.imagenet_test_sets import read_test_set

    return read_test_set(test_set, root, validation.wnids), None
