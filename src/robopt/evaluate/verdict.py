"""Does a method beat SGD? Per-seed errors, paired differences with a t interval over seeds, and a plain word.

DAMP reports mean +- std over seeds; a verdict needs more: each method's seed s is paired with SGD's seed s (same
data order, same initialisation where the method does not change it), and the mean paired difference gets a
Student-t interval over seeds. ``better`` / ``worse`` only when the interval excludes zero, else ``inconclusive``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from robopt.errors import RoboptError

#: The two errors (%) every model is judged on: clean, and the mean over the paper's corruption columns x severities.
JUDGED = {"clean": "clean error", "corrupted": "mean corruption error"}


def per_seed_errors(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, variant, seed): clean error, mean error over the paper's heatmap corruptions and
    severities 1-5 (``corrupted``), and over every evaluated corruption (``corrupted_all``), in %."""
    from robopt.evaluate.published import heatmap_columns

    keys = ["dataset", "variant", "method", "train_corruption", "seed"]
    rows = []
    for dataset, frame in metrics.groupby("dataset"):
        paper = set(heatmap_columns(str(dataset)))
        corrupted = frame[frame["severity"] > 0]
        parts = {
            "clean": frame[frame["severity"] == 0],
            "corrupted": corrupted[corrupted["corruption"].isin(paper)],
            "corrupted_all": corrupted,
        }
        means = [part.groupby(keys, dropna=False)["error"].mean().rename(name) for name, part in parts.items()]
        rows.append(pd.concat(means, axis=1).reset_index())
    if not rows:
        raise RoboptError("no metrics to judge")
    return pd.concat(rows, ignore_index=True).sort_values(["dataset", "variant", "seed"], ignore_index=True)


def paired_interval(differences: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the mean of paired differences and its two-sided Student-t interval (NaN below 2 pairs)."""
    from scipy import stats

    differences = np.asarray(differences, dtype=float)
    mean = float(differences.mean()) if differences.size else float("nan")
    if differences.size < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, differences.size - 1) * differences.std(ddof=1) / np.sqrt(differences.size)
    return mean, mean - float(half), mean + float(half)


def word(low: float, high: float) -> str:
    """better / worse than the baseline when the interval of (method - baseline) error excludes zero."""
    if np.isnan(low) or np.isnan(high):
        return "inconclusive"
    return "better" if high < 0 else "worse" if low > 0 else "inconclusive"


def paired_summary(frame: pd.DataFrame, reference: pd.DataFrame, columns: Sequence[str], is_baseline: bool,
                   higher_is_better: bool = False, level: float = 0.95) -> dict:
    """Mean and std over the seeds of ``frame`` (a row per seed) of each column, and its paired difference to
    ``reference`` (indexed by seed): mean, ``level`` interval over the seeds both have, and its word (for an accuracy,
    ``higher_is_better``). The baseline's own row has no difference."""
    paired = frame.set_index("seed").join(reference[list(columns)].add_suffix("_baseline"), how="inner")
    row: dict = {"n_paired": 0 if is_baseline else len(paired)}
    for name in columns:
        row[f"{name}_mean"] = frame[name].mean()
        row[f"{name}_std"] = frame[name].std(ddof=1) if len(frame) > 1 else 0.0
    for name in columns:
        if is_baseline:
            row.update({f"{name}_diff": np.nan, f"{name}_diff_low": np.nan, f"{name}_diff_high": np.nan,
                        f"{name}_verdict": "baseline"})
            continue
        mean, low, high = paired_interval((paired[name] - paired[f"{name}_baseline"]).to_numpy(), level)
        row.update({f"{name}_diff": mean, f"{name}_diff_low": low, f"{name}_diff_high": high,
                    f"{name}_verdict": word(-high, -low) if higher_is_better else word(low, high)})
    return row


def verdict(per_seed: pd.DataFrame, baseline: str = "sgd", level: float = 0.95) -> pd.DataFrame:
    """Per (dataset, variant): mean and std over seeds of each judged error, the paired difference to ``baseline``
    (mean and ``level`` interval over the seeds both have) and its word. The baseline's own row has no difference."""
    if baseline not in set(per_seed["variant"]):
        raise RoboptError(f"the verdict needs the baseline variant {baseline!r}; variants: "
                          f"{', '.join(sorted(set(per_seed['variant'])))}")
    rows = []
    for (dataset, variant), frame in per_seed.groupby(["dataset", "variant"], sort=False):
        reference = per_seed[(per_seed["dataset"] == dataset) & (per_seed["variant"] == baseline)].set_index("seed")
        rows.append({"dataset": dataset, "variant": variant, "method": frame["method"].iloc[0],
                     "train_corruption": frame["train_corruption"].iloc[0], "n_seeds": len(frame),
                     **paired_summary(frame, reference, list(JUDGED), variant == baseline, level=level)})
    table = pd.DataFrame(rows)
    table["is_baseline"] = table["variant"] != baseline
    return table.sort_values(["dataset", "is_baseline", "variant"], ignore_index=True).drop(columns="is_baseline")


def verdict_markdown_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The verdict as a reader sees it: 'mean +- std' and 'diff [low, high]' cells, one column per judged error."""
    shown = table[["dataset", "variant", "n_seeds"]].copy()
    for name, label in JUDGED.items():
        shown[f"{label} %"] = [f"{m:.2f} +- {s:.2f}" for m, s in zip(table[f"{name}_mean"], table[f"{name}_std"], strict=True)]
        shown[f"{label}: paired diff to SGD [95% CI]"] = [
            "" if np.isnan(d) else f"{d:+.2f} [{lo:+.2f}, {hi:+.2f}]"
            for d, lo, hi in zip(table[f"{name}_diff"], table[f"{name}_diff_low"], table[f"{name}_diff_high"], strict=True)]
        shown[f"{label}: verdict"] = table[f"{name}_verdict"]
    return shown
