"""The best outer-training seed by final outer-train loss, as the paper selects (torch-free: a job of seconds)."""

from __future__ import annotations

import pandas as pd


def select_seed(curves: pd.DataFrame, final_fraction: float = 0.1) -> pd.DataFrame:
    """One row per seed: its final outer-train loss (mean over the last ``final_fraction`` of iterations), the rank,
    and whether it is selected (the lowest; non-finite losses never win), with the reason in words."""
    outer = curves[curves["target"] == "outer"]
    rows = []
    for seed, group in outer.groupby("seed"):
        last = group["iteration"].max()
        window = group[group["iteration"] > last * (1 - final_fraction)]
        rows.append({"seed": int(seed), "final_outer_loss": float(window["loss"].mean()), "iterations": int(last)})
    table = pd.DataFrame(rows).sort_values("final_outer_loss", na_position="last").reset_index(drop=True)
    table["rank"] = range(1, len(table) + 1)
    table["selected"] = table["rank"] == 1
    best = table.iloc[0]
    table["reason"] = [
        f"lowest final outer-train loss ({best.final_outer_loss:.4f}) of {len(table)} seeds" if row.selected
        else f"final outer-train loss {row.final_outer_loss:.4f} > {best.final_outer_loss:.4f} of seed {int(best.seed)}"
        for row in table.itertuples()
    ]
    return table
