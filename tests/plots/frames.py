"""Small hand-made tidy tables that the figure tests draw from."""

from __future__ import annotations

import pandas as pd

META = {"commit": "test", "date": "today", "device": "cpu", "config": "{}"}


def summary() -> pd.DataFrame:
    """An error-by-severity table (robopt.evaluate.error_by_severity's columns): SGD and DAMP on two datasets."""
    rows = []
    for dataset in ("cifar10", "cifar100"):
        for method in ("sgd", "damp"):
            for severity in range(6):
                rows.append({"dataset": dataset, "variant": method, "method": method, "train_corruption": "none",
                             "severity": severity, "error_mean": 10.0 + 5 * severity, "error_std": 1.0, "n_seeds": 3})
    return pd.DataFrame(rows)
