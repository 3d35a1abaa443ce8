"""Results in RobustBench's corruption-benchmark format: its 15 corruptions, its aggregation and its model-info JSON.

Follows github RobustBench/robustbench (``robustbench/eval.py`` ``corruptions_evaluation``, ``robustbench/utils.py``
``ModelInfo`` and ``update_json``, read at commit 78fcc9e): ``corruptions_acc`` is the unweighted mean of the 75
(corruption, severity) accuracies over its 15 corruptions (``robustbench/data.py`` ``CORRUPTIONS``, the 4 extra
ones left out) on the same image count; ``clean_acc``, ``corruptions_acc`` and ``corruptions_mce`` are written as
``update_json`` writes them (``str(round(100 * value, 2))``); ``corruptions_mce`` only where an AlexNet reference
exists (ImageNet, ``robopt.evaluate.mce``), else null. Where it differs: the JSON carries no fields beyond
``ModelInfo``'s (the protocol goes in its ``footnote`` and in the per-cell CSV beside it), and a missing cell is an
error instead of a smaller mean.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from robopt.errors import RoboptError
from robopt.evaluate.mce import HENDRYCKS_ALEXNET_ERROR, alexnet_error_of, mean_corruption_error

#: RobustBench's corruptions, in its order (robustbench/data.py CORRUPTIONS).
ROBUSTBENCH_CORRUPTIONS = ("shot_noise", "motion_blur", "snow", "pixelate", "gaussian_noise", "defocus_blur",
                           "brightness", "fog", "zoom_blur", "frost", "glass_blur", "impulse_noise", "contrast",
                           "jpeg_compression", "elastic_transform")
#: The fields of RobustBench's ``ModelInfo`` dataclass, in its order.
MODEL_INFO_FIELDS = ("link", "name", "authors", "additional_data", "number_forward_passes", "dataset", "venue",
                     "architecture", "eps", "clean_acc", "reported", "corruptions_acc", "corruptions_acc_3d",
                     "corruptions_mce", "corruptions_mce_3d", "autoattack_acc", "footnote")
SEVERITIES = (1, 2, 3, 4, 5)


def robustbench_cells(metrics: pd.DataFrame) -> pd.DataFrame:
    """The 75 (corruption, severity) accuracy cells RobustBench averages, from one model's tidy metrics (columns
    corruption, severity, accuracy, n_images); a missing cell or unequal image counts are errors."""
    cells = metrics[metrics["corruption"].isin(ROBUSTBENCH_CORRUPTIONS) & metrics["severity"].isin(SEVERITIES)]
    have = set(zip(cells["corruption"], cells["severity"], strict=True))
    missing = [f"{c}/{s}" for c in ROBUSTBENCH_CORRUPTIONS for s in SEVERITIES if (c, s) not in have]
    if missing:
        raise RoboptError(f"RobustBench's corruption accuracy needs all 75 cells; missing: {', '.join(missing[:6])}"
                          + (f" and {len(missing) - 6} more" if len(missing) > 6 else ""))
    if len(cells) != 75:
        raise RoboptError(f"expected one row per (corruption, severity), got {len(cells)} rows for 75 cells")
    if "n_images" in cells and cells["n_images"].nunique() > 1:
        raise RoboptError("RobustBench averages cells of the same image count; got "
                          f"{sorted(cells['n_images'].unique().tolist())}")
    order = {name: k for k, name in enumerate(ROBUSTBENCH_CORRUPTIONS)}
    return cells.sort_values(["corruption", "severity"], key=lambda c: c.map(order) if c.name == "corruption" else c,
                             ignore_index=True)


def corruptions_accuracy(metrics: pd.DataFrame) -> float:
    """RobustBench's ``corruptions_acc`` in %: the unweighted mean of the 75 cells' accuracies (fractions in)."""
    return 100 * float(robustbench_cells(metrics)["accuracy"].mean())


def clean_accuracy(metrics: pd.DataFrame) -> float:
    """Top-1 accuracy in % on the clean test images (the row with severity 0)."""
    clean = metrics[metrics["severity"] == 0]
    if len(clean) != 1:
        raise RoboptError(f"expected one clean row (severity 0), got {len(clean)}")
    return 100 * float(clean["accuracy"].iloc[0])


def robustbench_value(percent: float) -> str:
    """A percentage as ``update_json`` stores it: ``str(round(x, 2))`` ("73.46", "100.0")."""
    return str(round(percent, 2))


def model_info(metrics: pd.DataFrame, name: str, dataset: str, alexnet_error: Mapping[str, float] | None = None,
               **known: Any) -> dict[str, Any]:
    """A dict with exactly ``ModelInfo``'s fields: the accuracies from ``metrics`` as RobustBench writes them, the mCE
    against ``alexnet_error`` where given (ImageNet), ``known`` fields (architecture, footnote, ...) as given, the
    rest null."""
    unknown = sorted(set(known) - set(MODEL_INFO_FIELDS))
    if unknown:
        raise RoboptError(f"not ModelInfo field(s): {', '.join(unknown)}; fields: {', '.join(MODEL_INFO_FIELDS)}")
    info: dict[str, Any] = dict.fromkeys(MODEL_INFO_FIELDS)
    info.update(known, name=name, dataset=dataset, clean_acc=robustbench_value(clean_accuracy(metrics)),
                corruptions_acc=robustbench_value(corruptions_accuracy(metrics)))
    if alexnet_error is not None:
        info["corruptions_mce"] = robustbench_value(mean_corruption_error(robustbench_cells(metrics), alexnet_error))
    return info


def write_model_info(info: dict[str, Any], path: str | Path) -> None:
    from robopt.io import write_text

    write_text(json.dumps(info, indent=2) + "\n", path)


def read_unaggregated(path_or_buffer) -> pd.DataFrame:
    """RobustBench's ``unaggregated_results.csv`` (two header rows: corruption, severity; one row per model) as tidy
    rows (model, corruption, severity, accuracy)."""
    wide = pd.read_csv(path_or_buffer, header=[0, 1], index_col=0)
    tidy = wide.stack([0, 1], future_stack=True).rename("accuracy").reset_index()
    tidy.columns = ["model", "corruption", "severity", "accuracy"]
    tidy["severity"] = tidy["severity"].astype(int)
    return tidy


def published_unaggregated(dataset: str = "cifar10") -> pd.DataFrame:
    """Per-cell accuracies of a few RobustBench models: a copy of its
    ``model_info/<dataset>/corruptions/unaggregated_results.csv`` rows (CIFAR-10-C: Standard, Hendrycks2020AugMixWRN,
    Kireev2021Effectiveness_RLATAugMix at commit c76809a; ImageNet-C: AlexNet, Standard_R50, Hendrycks2020AugMix at
    commit 78fcc9e)."""
    if dataset not in ("cifar10", "imagenet"):
        raise RoboptError(f"no stored RobustBench per-cell values for {dataset!r} (stored: cifar10, imagenet)")
    with resources.files("robopt.evaluate").joinpath(f"robustbench_{dataset}_unaggregated.csv").open() as handle:
        return read_unaggregated(handle)


def robustbench_alexnet_error() -> dict[str, float]:
    """RobustBench's AlexNet reference for the mCE of its ImageNet-C protocol, from its stored per-cell row."""
    cells = published_unaggregated("imagenet")
    return alexnet_error_of(cells[cells["model"] == "AlexNet"])


def published_leaderboard() -> pd.DataFrame:
    """RobustBench's published clean and corruption accuracy of a few models (dataset, model, architecture,
    clean_acc, corruptions_acc, corruptions_mce (ImageNet), robustbench_commit)."""
    with resources.files("robopt.evaluate").joinpath("published_robustbench.csv").open() as handle:
        return pd.read_csv(handle)


LEADERBOARD_METRICS = ("clean_acc", "corruptions_acc", "corruptions_mce")


def as_number(value: Any) -> float | None:
    """A stored RobustBench value (string, number, null or NaN) as a float, None where absent."""
    return None if value is None or pd.isna(value) else float(value)


def beside_leaderboard(results: list[dict[str, Any]]) -> pd.DataFrame:
    """Our RobustBench-format results of external models beside the stored leaderboard values of the same model
    (matched by ``robustbench_name``, else by the name of a ``robustbench:<name>`` source; others have no published
    row). Each result: model, source, dataset, robustbench_name (or None), clean_acc, corruptions_acc,
    corruptions_mce (or None), and what was evaluated."""
    board = published_leaderboard().set_index(["dataset", "model"])
    rows = []
    for result in results:
        kind, _, source_name = result["source"].partition(":")
        rb_name = result.get("robustbench_name") or (source_name if kind == "robustbench" else None)
        key = (result["dataset"], rb_name)
        published = board.loc[key] if rb_name and key in board.index else None
        row = {**result, **{metric: as_number(result.get(metric)) for metric in LEADERBOARD_METRICS}}
        for metric in LEADERBOARD_METRICS:
            row[f"published_{metric}"] = as_number(published[metric]) if published is not None else None
            both = row[metric] is not None and row[f"published_{metric}"] is not None
            row[f"{metric}_diff"] = row[metric] - row[f"published_{metric}"] if both else None
        row["robustbench_commit"] = published["robustbench_commit"] if published is not None else None
        rows.append(row)
    return pd.DataFrame(rows)


def alexnet_reference(dataset: str, protocol: str) -> Mapping[str, float] | None:
    """The AlexNet errors an ImageNet mCE divides by under ``protocol`` (none elsewhere: no AlexNet row exists)."""
    if dataset != "imagenet":
        return None
    return robustbench_alexnet_error() if protocol == "robustbench" else HENDRYCKS_ALEXNET_ERROR


def imagenet_robustbench_metrics(rows: pd.DataFrame) -> pd.DataFrame:
    """The clean and ImageNet-C rows of an ImageNet evaluation (columns test_set, condition, severity, ...) in the
    shape RobustBench's aggregation reads (corruption = the condition)."""
    chosen = rows[rows["test_set"].isin(["clean", "imagenet_c"])]
    return chosen.assign(corruption=chosen["condition"]).reset_index(drop=True)


CELL_COLUMNS = ["corruption", "severity", "accuracy", "n_images", "corruption_source", "protocol"]


def write_robustbench_result(metrics: pd.DataFrame, name: str, dataset: str, entry: Mapping[str, Any],
                             json_path: str | Path, cells_path: str | Path) -> None:
    """An external model's RobustBench JSON (ImageNet: its protocol in the footnote, mCE against that protocol's
    AlexNet reference) and its 75 cells with the images they used (corruption_source, protocol)."""
    from robopt.data.robustbench_imagenet import PROTOCOLS
    from robopt.io import write_csv

    protocol = entry.get("protocol", "pipeline")
    known = {"architecture": entry["architecture"]} if entry.get("architecture") else {}
    if dataset == "imagenet":
        known["footnote"] = PROTOCOLS[protocol]
    elif "corruption_source" in metrics and set(metrics["corruption_source"].dropna()) == {"generated"}:
        known["footnote"] = (f"Corrupted test sets regenerated by robopt's engine, not the official {dataset}-C "
                             "release files (corruption_source: generated).")
    write_model_info(model_info(metrics, name, dataset, alexnet_reference(dataset, protocol), **known), json_path)
    write_csv(robustbench_cells(metrics).assign(protocol=protocol)[CELL_COLUMNS], cells_path)


def external_result(name: str, entry: Mapping[str, Any], info_path: str | Path, cells_path: str | Path) -> dict:
    """One row of the external-models table from a model's JSON and cells: its values and what they were computed on
    (images per cell, generated or official -C, protocol)."""
    info = json.loads(Path(info_path).read_text())
    cells = pd.read_csv(cells_path)
    return {"model": name, "source": entry["source"], "dataset": entry["dataset"],
            "robustbench_name": entry.get("robustbench_name"),
            **{metric: info[metric] for metric in LEADERBOARD_METRICS}, "n_images": int(cells["n_images"].iloc[0]),
            "corruption_source": cells["corruption_source"].iloc[0], "protocol": cells["protocol"].iloc[0]}
