"""The learned optimizer to evaluate, chosen on meta-validation among the outer-trained seeds and the initial rule.

The paper keeps the best of several outer-training seeds but does not say by what. Its outer-train loss is a poor
guide (it reads which training phase the pairs were in at the end, not how good theta is), so here each seed's
theta snapshots are inner-trained from scratch on the training images from several initialisations and scored by
the objective's loss on the validation images (``robopt.lopt.runs.validate_snapshots``); never the test set. The
initial rule theta0 (iteration 0, the same rule for every seed) is always a candidate, so the selection says so
when outer-training improved nothing. Torch-free: a job of seconds.
"""

from __future__ import annotations

import math

import pandas as pd

THETA0 = "theta0"


def candidate_score(validation: pd.DataFrame, iterations: list[int]) -> tuple[float, float, int]:
    """(mean, standard error over inits, inits) of the validation loss at ``iterations``: per init the mean over
    those snapshots (and over seeds, for theta0), then over inits."""
    per_init = validation[validation["iteration"].isin(iterations)].groupby("init")["loss"].mean()
    count = len(per_init)
    error = float(per_init.std(ddof=1) / math.sqrt(count)) if count > 1 else float("nan")
    return float(per_init.mean()), error, count


def final_outer_loss(curves: pd.DataFrame, seed: int, final_fraction: float = 0.1) -> float:
    """The mean outer-train loss over the last ``final_fraction`` of a seed's iterations (shown, not used)."""
    outer = curves[(curves["target"] == "outer") & (curves["seed"] == seed)]
    if outer.empty:
        return float("nan")
    last = outer["iteration"].max()
    return float(outer.loc[outer["iteration"] > last * (1 - final_fraction), "loss"].mean())


def select_candidate(validation: pd.DataFrame, curves: pd.DataFrame, last_snapshots: int = 1) -> pd.DataFrame:
    """One row per candidate (theta0, then each seed's final theta scored over its last ``last_snapshots``
    snapshots): meta-validation loss, its standard error, the seed's final outer-train loss, the rank and whether
    it is selected (the lowest loss; ties and non-finite losses never beat theta0), with the reason in words.

    ``validation`` has columns seed, iteration, init, loss (every seed's snapshots, iteration 0 included)."""
    rows = []
    loss, error, inits = candidate_score(validation, [0])
    rows.append({"candidate": THETA0, "seed": pd.NA, "snapshot_iterations": "0", "validation_loss": loss,
                 "validation_se": error, "inits": inits, "final_outer_loss": float("nan")})
    for seed, group in validation.groupby("seed"):
        chosen = sorted(set(group["iteration"]) - {0})[-last_snapshots:] or [0]
        loss, error, inits = candidate_score(group, chosen)
        rows.append({"candidate": f"seed {int(seed)}", "seed": int(seed),
                     "snapshot_iterations": " ".join(map(str, chosen)), "validation_loss": loss,
                     "validation_se": error, "inits": inits, "final_outer_loss": final_outer_loss(curves, seed)})
    table = pd.DataFrame(rows)
    table["order"] = range(len(table))  # theta0 first: it wins ties
    table = table.sort_values(["validation_loss", "order"], na_position="last").drop(columns="order")
    table = table.reset_index(drop=True).astype({"seed": "Int64"})
    table["rank"] = range(1, len(table) + 1)
    table["selected"] = table["rank"] == 1
    table["reason"] = [reason(row, table) for row in table.itertuples()]
    return table


def reason(row, table: pd.DataFrame) -> str:
    """Why a candidate was or was not selected, in words."""
    best = table.iloc[0]
    initial = table.loc[table["candidate"] == THETA0].iloc[0]
    seeds = len(table) - 1
    if row.selected and row.candidate == THETA0:
        return (f"no outer-trained seed beat the initial rule on meta-validation: theta0 {row.validation_loss:.4f}, "
                f"best of {seeds} seeds {table['validation_loss'].iloc[1]:.4f}")
    if row.selected:
        return (f"lowest meta-validation loss {row.validation_loss:.4f} of {seeds} seeds and theta0 "
                f"(theta0 {initial.validation_loss:.4f})")
    return f"meta-validation loss {row.validation_loss:.4f} > {best.validation_loss:.4f} of {best.candidate}"
