"""Evaluation on clean and corrupted test sets, and the aggregation into tables."""

from robopt.evaluate.aggregate import TIDY_COLUMNS, collect, corruption_error, error_by_severity, read_tidy
from robopt.evaluate.evaluate import evaluate_model, predict
from robopt.evaluate.metrics import classification_metrics, expected_calibration_error

__all__ = [
    "TIDY_COLUMNS",
    "classification_metrics",
    "collect",
    "corruption_error",
    "error_by_severity",
    "evaluate_model",
    "expected_calibration_error",
    "predict",
    "read_tidy",
]
