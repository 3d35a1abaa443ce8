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
    "robopt.evaluate.evaluate": ("evaluate_model", "predict"),
    "robopt.evaluate.metrics": ("classification_metrics", "expected_calibration_error"),
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
