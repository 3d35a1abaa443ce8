"""Evaluation on clean and corrupted test sets, and the aggregation into tables.

The aggregation is torch-free and imported eagerly; the evaluation itself (torch) is imported on first use, so a
table job starts without paying for torch.
"""

from robopt.evaluate.aggregate import (
    MODEL_COLUMNS,
    SEVERITY_GROUPS,
    TIDY_COLUMNS,
    collect,
    corruption_error,
    error_by_severity,
    error_by_severity_group,
    read_tidy,
    sigma_sweep_summary,
)
from robopt.lazy import lazy_exports

__getattr__ = lazy_exports(__name__, {
    "evaluate_model": "robopt.evaluate.evaluate",
    "predict": "robopt.evaluate.evaluate",
    "classification_metrics": "robopt.evaluate.metrics",
    "expected_calibration_error": "robopt.evaluate.metrics",
})


__all__ = [
    "MODEL_COLUMNS",
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
