"""Evaluation on clean and corrupted test sets, and the aggregation into tables."""

from robopt.evaluate.aggregate import (
    SEVERITY_GROUPS,
    TIDY_COLUMNS,
    collect,
    corruption_error,
    error_by_severity,
    error_by_severity_group,
    read_tidy,
    sigma_sweep_summary,
)
from robopt.evaluate.evaluate import evaluate_model, predict
from robopt.evaluate.metrics import classification_metrics, expected_calibration_error

__all__ = [
    "SEVERITY_GROUPS",
    "TIDY_COLUMNS",
    "classification_metrics",
    "collect",
    "corruption_error",
    "error_by_severity",
    "error_by_severity_group",
    "evaluate_model",
    "expected_calibration_error",
    "predict",
    "read_tidy",
    "sigma_sweep_summary",
]
