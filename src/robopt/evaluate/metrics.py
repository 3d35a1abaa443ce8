"""Classification metrics from logits: accuracy, negative log-likelihood, calibration error."""

from __future__ import annotations

import torch


def expected_calibration_error(probabilities: torch.Tensor, targets: torch.Tensor, bins: int = 15) -> float:
    """ECE with ``bins`` equal-width confidence bins (15 as in the DAMP reference code)."""
    confidence, prediction = probabilities.max(1)
    correct = (prediction == targets).double()
    edges = torch.linspace(0, 1, bins + 1, device=probabilities.device, dtype=confidence.dtype)
    # bin k holds confidences in (edges[k], edges[k+1]]
    which = torch.bucketize(confidence, edges[1:-1], right=False)
    total = torch.zeros(bins, dtype=torch.float64, device=probabilities.device)
    gap = total.clone().index_add_(0, which, confidence.double() - correct)
    return float(gap.abs().sum() / max(len(targets), 1))


def classification_metrics(logits: torch.Tensor, targets: torch.Tensor) -> dict[str, float]:
    """accuracy, error (%), mean cross-entropy and ECE of ``logits`` against ``targets``."""
    logits = logits.double()
    accuracy = float((logits.argmax(1) == targets).double().mean())
    return {
        "n_images": int(len(targets)),
        "accuracy": accuracy,
        "error": 100.0 * (1.0 - accuracy),
        "nll": float(torch.nn.functional.cross_entropy(logits, targets)),
        "ece": expected_calibration_error(logits.softmax(1), targets),
    }
