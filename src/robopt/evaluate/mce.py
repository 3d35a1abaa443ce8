"""Mean corruption error (mCE, Hendrycks & Dietterich 2019): each corruption's error averaged over its severities,
divided by AlexNet's on the same corruption, then averaged over the 15 ImageNet-C corruptions, in %.

Two AlexNet references, one per ImageNet protocol: the full ImageNet-C errors of hendrycks/robustness as the AugMix
reference code lists them (google-research/augmix ``imagenet.py`` ``ALEXNET_ERR``), and RobustBench's AlexNet row of
``model_info/imagenet/corruptions/unaggregated_results.csv`` (its 5,000-image subset, commit 78fcc9e), from which
RobustBench's ``corruptions_evaluation`` divides (``(1 - acc) / (1 - alexnet_acc).mean()`` per corruption: the same
ratio of means). There is no AlexNet reference for CIFAR or Tiny-ImageNet: mCE is left out there, as RobustBench does.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from robopt.errors import RoboptError

#: AlexNet's error (fraction) per ImageNet-C corruption, averaged over severities, on the full release.
HENDRYCKS_ALEXNET_ERROR = {
    "gaussian_noise": 0.886428, "shot_noise": 0.894468, "impulse_noise": 0.922640, "defocus_blur": 0.819880,
    "glass_blur": 0.826268, "motion_blur": 0.785948, "zoom_blur": 0.798360, "snow": 0.866816, "frost": 0.826572,
    "fog": 0.819324, "brightness": 0.564592, "contrast": 0.853204, "elastic_transform": 0.646056,
    "pixelate": 0.717840, "jpeg_compression": 0.606500,
}


def alexnet_error_of(cells: pd.DataFrame) -> dict[str, float]:
    """A per-corruption AlexNet reference from its per-cell accuracies (columns corruption, severity, accuracy)."""
    return (1 - cells.groupby("corruption", sort=False)["accuracy"].mean()).to_dict()


def mean_corruption_error(cells: pd.DataFrame, alexnet_error: Mapping[str, float]) -> float:
    """mCE in % of a model's per-cell accuracies (fractions; columns corruption, severity, accuracy) against an
    AlexNet reference {corruption: mean error}; every corruption of the reference must be among the cells."""
    error = 1 - cells.groupby("corruption", sort=False)["accuracy"].mean()
    missing = sorted(set(alexnet_error) - set(error.index))
    if missing:
        raise RoboptError(f"mCE needs every corruption of its AlexNet reference; missing: {', '.join(missing)}")
    return 100 * float((error[list(alexnet_error)] / pd.Series(alexnet_error)).mean())
