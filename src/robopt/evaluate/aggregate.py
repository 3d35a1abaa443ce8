"""Aggregate per-model metric tables into the papers' summaries."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from robopt.errors import RoboptError

#: Which model a row belongs to: the variant id and the columns that describe it (``robopt.variants.Variant.labels``).
MODEL_COLUMNS = ["variant", "method", "train_corruption", "sigma"]
#: How the model's training set was biased (``robopt.data.bias.bias_labels``; "none" / 0 / 1 for an unbiased set).
BIAS_COLUMNS = ["label_noise", "noise_rate", "imbalance", "meta_set"]
#: The bias columns of a model trained on the training split as it is.
UNBIASED = {"label_noise": "none", "noise_rate": 0.0, "imbalance": 1.0, "meta_set": "none"}
#: Which corrupted images a row was computed on: this pipeline's generated set or an official -C release.
CORRUPTION_SOURCES = ("generated", "official")
TIDY_COLUMNS = ["dataset", "model", *MODEL_COLUMNS, *BIAS_COLUMNS, "seed", "corruption_source", "corruption", "severity", "n_images", "accuracy", "error",
                "nll", "ece"]


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


#: The columns every training history has (the model's labels, then the tidy epoch rows).
HISTORY_COLUMNS = ["dataset", "variant", "method", "train_corruption", "seed", "epoch", "split", "metric", "value"]


def read_histories(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Concatenate training histories, naming any file that lacks a column."""
    return pd.concat([read_tidy(path, HISTORY_COLUMNS) for path in paths], ignore_index=True)


def collect(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Concatenate per-model metric CSVs into one tidy table, sorted for stable output."""
    frames = [read_tidy(path, TIDY_COLUMNS) for path in paths]
    if not frames:
        raise RoboptError("no metric tables to collect")
    table = pd.concat(frames, ignore_index=True)[TIDY_COLUMNS]
    return table.sort_values(["dataset", "variant", "seed", "corruption", "severity"], ignore_index=True)


#: The corruptions of the Tiny-ImageNet-C release (Hendrycks & Dietterich 2019): the 15 benchmark ones only. The
#: DAMP reference's bar charts average whatever its -C folder holds, so Tiny-ImageNet's per-severity means pool these
#: 15 even where the pipeline generated all 19 (CIFAR-10/100-C release all 19: nothing is dropped there).
RELEASED_CORRUPTIONS = {"tinyimagenet": (
    "gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur", "motion_blur", "zoom_blur", "snow",
    "frost", "fog", "brightness", "contrast", "elastic_transform", "pixelate", "jpeg_compression")}


def as_released(metrics: pd.DataFrame) -> pd.DataFrame:
    """``metrics`` without the corrupted rows a dataset's official -C release lacks (clean rows always kept)."""
    keep = pd.Series(True, index=metrics.index)
    for dataset, released in RELEASED_CORRUPTIONS.items():
        extra = (metrics["dataset"] == dataset) & (metrics["severity"] > 0) & ~metrics["corruption"].isin(released)
        keep &= ~extra
    return metrics[keep]


#: DAMP Fig. 2's severity groups: clean, mild (1-3) and severe (4-5) corruption.
SEVERITY_GROUPS: dict[str, tuple[int, ...]] = {"none": (0,), "mild": (1, 2, 3), "severe": (4, 5)}


def mean_and_std_over_seeds(per_seed: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """error_mean, error_std (0 for one seed) and n_seeds per ``keys`` from one error per (keys, seed)."""
    summary = per_seed.groupby(keys, dropna=False).agg(
        error_mean=("error", "mean"), error_std=("error", "std"), n_seeds=("seed", "nunique")
    )
    summary["error_std"] = summary["error_std"].fillna(0.0)
    return summary.reset_index()


def model_keys(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, variant) with the columns that describe the variant."""
    return metrics[["dataset", *MODEL_COLUMNS]].drop_duplicates(["dataset", "variant"])


def error_by_severity(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean error (%) per (dataset, variant, severity) over corruptions, then mean and std over seeds.

    Severity 0 is the clean test set, as in DAMP's benchmark bar charts; the corruptions pooled are those of the
    dataset's official -C release (``as_released``).
    """
    metrics = as_released(metrics)
    per_seed = metrics.groupby(["dataset", "variant", "seed", "severity"], as_index=False)["error"].mean()
    summary = mean_and_std_over_seeds(per_seed, ["dataset", "variant", "severity"])
    return model_keys(metrics).merge(summary, on=["dataset", "variant"])


def error_by_severity_group(
    metrics: pd.DataFrame, groups: dict[str, tuple[int, ...]] = SEVERITY_GROUPS
) -> pd.DataFrame:
    """Mean error (%) per (dataset, variant, severity group) over corruptions and the group's severities, then mean
    and std over seeds (DAMP Fig. 2: none / mild / severe), with the columns that describe each variant; the
    corruptions pooled are those of the dataset's official -C release (``as_released``)."""
    metrics = as_released(metrics)
    group_of = {severity: name for name, severities in groups.items() for severity in severities}
    metrics = metrics.assign(group=metrics["severity"].map(group_of)).dropna(subset=["group"])
    per_seed = metrics.groupby(["dataset", "variant", "seed", "group"], as_index=False)["error"].mean()
    summary = mean_and_std_over_seeds(per_seed, ["dataset", "variant", "group"])
    summary["group"] = pd.Categorical(summary["group"], categories=list(groups), ordered=True)
    summary = model_keys(metrics).merge(summary, on=["dataset", "variant"])
    return summary.sort_values(["dataset", "variant", "group"], ignore_index=True).astype({"group": str})


def corruption_error(metrics: pd.DataFrame, baseline: str = "sgd") -> pd.DataFrame:
    """DAMP's corruption error, one row per (dataset, variant), normalised by the ``baseline`` variant.

    CE_c = sum_s E_{s,c}(variant) / sum_s E_{s,c}(baseline) over severities 1..5 (errors averaged over seeds);
    ``none`` is the clean-error ratio; ``avg`` the mean over the paper's heatmap columns that were evaluated
    (``robopt.evaluate.published.heatmap_columns``) and ``none``, as the paper averages its printed cells;
    ``avg_all`` the mean over every evaluated corruption (all 19 at paper scale) and ``none``.
    The method and training corruption of each variant come along as columns.
    """
    from robopt.evaluate.published import heatmap_columns

    if baseline not in set(metrics["variant"]):
        raise RoboptError(f"corruption error needs the baseline variant {baseline!r} in the metrics")
    error = metrics.groupby(["dataset", "variant", "corruption", "severity"])["error"].mean().reset_index()
    corrupted = error[error["severity"] > 0].groupby(["dataset", "variant", "corruption"])["error"].sum()
    clean = error[error["severity"] == 0].set_index(["dataset", "variant"])["error"]
    ratio = corrupted / corrupted.xs(baseline, level="variant")
    table = ratio.unstack("corruption")
    table["none"] = clean / clean.xs(baseline, level="variant")
    every = list(table.columns)
    table["avg_all"] = table[every].mean(axis=1)
    datasets = table.index.get_level_values("dataset")
    table["avg"] = float("nan")
    for dataset in datasets.unique():
        paper = [c for c in heatmap_columns(dataset) if c in every] + ["none"]
        table.loc[datasets == dataset, "avg"] = table.loc[datasets == dataset, paper].mean(axis=1)
    table = table.reset_index().rename_axis(columns=None)
    keys = model_keys(metrics)[["dataset", "variant", "method", "train_corruption"]]
    return keys.merge(table, on=["dataset", "variant"]).sort_values(["dataset", "variant"], ignore_index=True)


def sigma_sweep_summary(metrics: pd.DataFrame) -> pd.DataFrame:
    """DAMP Fig. 2's table: error per severity group of SGD and of every swept (method, sigma), per dataset.

    ``metrics`` holds the sweep's models only (the inputs of its rule); the result has columns dataset, method,
    sigma (empty for SGD), group, error_mean, error_std, n_seeds.
    """
    summary = error_by_severity_group(metrics)
    columns = ["dataset", "method", "sigma", "group", "error_mean", "error_std", "n_seeds"]
    return summary[columns].sort_values(["dataset", "method", "sigma"], kind="stable", ignore_index=True)
