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
