"""Aggregate per-model metric tables into the papers' summaries."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from robopt.errors import RoboptError

TIDY_COLUMNS = ["dataset", "model", "method", "seed", "corruption", "severity", "n_images", "accuracy", "error", "nll", "ece"]


def read_tidy(path: str | Path, required: Iterable[str]) -> pd.DataFrame:
    """Read a tidy CSV, failing with the file and the missing columns named."""
    path = Path(path)
    if not path.exists():
        raise RoboptError(f"input table {path} does not exist")
    frame = pd.read_csv(path)
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise RoboptError(f"{path} lacks column(s) {', '.join(missing)}; it has {', '.join(frame.columns)}")
    return frame


def collect(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Concatenate per-model metric CSVs into one tidy table, sorted for stable output."""
    frames = [read_tidy(path, TIDY_COLUMNS) for path in paths]
    if not frames:
        raise RoboptError("no metric tables to collect")
    table = pd.concat(frames, ignore_index=True)[TIDY_COLUMNS]
    return table.sort_values(["dataset", "method", "seed", "corruption", "severity"], ignore_index=True)


def error_by_severity(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean error (%) per (dataset, method, severity) over corruptions, then mean and std over seeds.

    Severity 0 is the clean test set, as in DAMP's benchmark bar charts.
    """
    per_seed = metrics.groupby(["dataset", "method", "seed", "severity"], as_index=False)["error"].mean()
    summary = per_seed.groupby(["dataset", "method", "severity"]).agg(
        error_mean=("error", "mean"), error_std=("error", "std"), n_seeds=("seed", "nunique")
    )
    summary["error_std"] = summary["error_std"].fillna(0.0)
    return summary.reset_index()


def corruption_error(metrics: pd.DataFrame, baseline: str = "sgd") -> pd.DataFrame:
    """DAMP's corruption error, one row per (dataset, method), normalised by ``baseline``.

    CE_c = sum_s E_{s,c}(method) / sum_s E_{s,c}(baseline) over severities 1..5 (errors averaged over seeds);
    ``none`` is the clean-error ratio and ``avg`` the mean of all columns including ``none``, as in the paper.
    """
    if baseline not in set(metrics["method"]):
        raise RoboptError(f"corruption error needs the baseline method {baseline!r} in the metrics")
    error = metrics.groupby(["dataset", "method", "corruption", "severity"])["error"].mean().reset_index()
    corrupted = error[error["severity"] > 0].groupby(["dataset", "method", "corruption"])["error"].sum()
    clean = error[error["severity"] == 0].set_index(["dataset", "method"])["error"]
    ratio = corrupted / corrupted.xs(baseline, level="method")
    table = ratio.unstack("corruption")
    table["none"] = clean / clean.xs(baseline, level="method")
    table["avg"] = table.mean(axis=1)
    return table.reset_index().rename_axis(columns=None)
