"""One leaderboard per dataset: every model the pipeline trained (mean +- std over seeds) and every model brought in,
in the numbers RobustBench compares (clean accuracy, ``corruptions_acc`` over its 15 corruptions x 5 severities),
with the 19-corruption mean, NLL and ECE, the scale and corruption source of each row, and RobustBench's stored
values beside a model it knows.

``corruptions_acc`` is computed as RobustBench computes it (``robopt.evaluate.robustbench.corruptions_accuracy``:
the unweighted mean of the 75 cells); a model evaluated on fewer corruptions gets none. mCE needs an AlexNet
reference, which exists for ImageNet only (``robopt.evaluate.mce``): on the CIFAR datasets the column is empty.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from robopt.errors import RoboptError
from robopt.evaluate.robustbench import corruptions_accuracy, published_leaderboard

#: The per-seed numbers of a leaderboard row, in %, NLL and ECE as fractions.
SCORES = ("clean_acc", "corruptions_acc", "all_corruptions_acc", "clean_nll", "corrupted_nll", "clean_ece",
          "corrupted_ece")


def per_seed_scores(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per (variant, seed) of a dataset's tidy metrics: ``SCORES``, the corruption source and the images."""
    rows = []
    for (variant, seed), frame in metrics.groupby(["variant", "seed"], sort=False):
        clean = frame[frame["severity"] == 0]
        corrupted = frame[frame["severity"] > 0]
        if len(clean) != 1:
            raise RoboptError(f"{variant} seed {seed}: expected one clean row, got {len(clean)}")
        try:
            rb = corruptions_accuracy(corrupted)
        except RoboptError:  # fewer than RobustBench's 75 cells evaluated
            rb = np.nan
        rows.append({"variant": variant, "method": frame["method"].iloc[0],
                     "train_corruption": frame["train_corruption"].iloc[0], "seed": seed,
                     "clean_acc": 100 * float(clean["accuracy"].iloc[0]), "corruptions_acc": rb,
                     "all_corruptions_acc": 100 * float(corrupted["accuracy"].mean()) if len(corrupted) else np.nan,
                     "clean_nll": float(clean["nll"].iloc[0]), "corrupted_nll": float(corrupted["nll"].mean()),
                     "clean_ece": float(clean["ece"].iloc[0]), "corrupted_ece": float(corrupted["ece"].mean()),
                     "n_corruptions": corrupted["corruption"].nunique(),
                     "corruption_source": "/".join(sorted(set(corrupted["corruption_source"].dropna()))) or "none",
                     "n_images": int(corrupted["n_images"].iloc[0]) if len(corrupted) else int(clean["n_images"].iloc[0])})
    return pd.DataFrame(rows)


def leaderboard(metrics: pd.DataFrame, dataset: str, scale: str, known: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every model of ``dataset`` in ``metrics``: mean and std over seeds of ``SCORES`` (std NaN for one seed), kind
    (trained / external), the scale it was computed at (``scale`` for trained models, the model's own for external
    ones), and for external models that ``known`` maps to a RobustBench name, a row of RobustBench's stored values.
    Sorted by corruption accuracy (RobustBench's where computed), best first."""
    scores = per_seed_scores(metrics[metrics["dataset"] == dataset])
    rows = []
    for variant, frame in scores.groupby("variant", sort=False):
        external = frame["method"].iloc[0] == "external"
        row = {"dataset": dataset, "model": variant, "kind": "external" if external else "trained",
               "method": frame["method"].iloc[0], "train_corruption": frame["train_corruption"].iloc[0],
               "seeds": len(frame)}
        for score in SCORES:
            row[f"{score}_mean"] = frame[score].mean()
            row[f"{score}_std"] = frame[score].std(ddof=1) if len(frame) > 1 else np.nan
        row.update(corruptions_mce=np.nan, n_corruptions=int(frame["n_corruptions"].iloc[0]),
                   n_images=int(frame["n_images"].iloc[0]), corruption_source=frame["corruption_source"].iloc[0],
                   scale="as brought in (evaluated on this pipeline's test sets)" if external else scale)
        rows.append(row)
    board = published_leaderboard().set_index(["dataset", "model"])
    for variant, name in (known or {}).items():
        if (dataset, name) in board.index and any(r["model"] == variant for r in rows):
            stored = board.loc[(dataset, name)]
            rows.append({"dataset": dataset, "model": f"{name} (RobustBench, stored)", "kind": "RobustBench stored",
                         "method": "external", "train_corruption": "none", "seeds": 1,
                         "clean_acc_mean": float(stored["clean_acc"]),
                         "corruptions_acc_mean": float(stored["corruptions_acc"]),
                         "corruptions_mce": float(stored["corruptions_mce"]) if pd.notna(stored["corruptions_mce"])
                         else np.nan, "corruption_source": "official",
                         "scale": f"RobustBench's leaderboard (commit {stored['robustbench_commit'][:7]})"})
    table = pd.DataFrame(rows)
    order = table["corruptions_acc_mean"].fillna(table["all_corruptions_acc_mean"])
    return table.assign(_order=order).sort_values("_order", ascending=False, ignore_index=True).drop(columns="_order")


def cell(mean: float, std: float, digits: int = 2) -> str:
    """'mean +- std', 'mean' for one seed, '' when absent."""
    if pd.isna(mean):
        return ""
    return f"{mean:.{digits}f}" if pd.isna(std) else f"{mean:.{digits}f} +- {std:.{digits}f}"


def leaderboard_markdown_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard as a reader sees it."""
    return pd.DataFrame({
        "model": table["model"], "kind": table["kind"], "seeds": table["seeds"],
        "clean acc. %": [cell(m, s) for m, s in zip(table["clean_acc_mean"], table["clean_acc_std"], strict=True)],
        "corruptions_acc % (RobustBench: 15 x 5)": [
            cell(m, s) for m, s in zip(table["corruptions_acc_mean"], table["corruptions_acc_std"], strict=True)],
        "all corruptions % (every evaluated cell)": [
            cell(m, s) for m, s in zip(table["all_corruptions_acc_mean"], table["all_corruptions_acc_std"],
                                       strict=True)],
        "mCE %": [cell(m, np.nan) for m in table["corruptions_mce"]],
        "NLL clean / corrupted": [f"{a:.3f} / {b:.3f}" if pd.notna(a) else "" for a, b in
                                  zip(table["clean_nll_mean"], table["corrupted_nll_mean"], strict=True)],
        "ECE clean / corrupted": [f"{a:.3f} / {b:.3f}" if pd.notna(a) else "" for a, b in
                                  zip(table["clean_ece_mean"], table["corrupted_ece_mean"], strict=True)],
        "corruption source": table["corruption_source"], "computed at": table["scale"],
    })
