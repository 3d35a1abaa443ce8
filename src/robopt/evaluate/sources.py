"""One checkpoint on two sets of corrupted images (this pipeline's generated -C set and the official release): the
per-cell and per-corruption differences, so results computed on either can be compared knowingly."""

from __future__ import annotations

import pandas as pd

from robopt.errors import RoboptError


def source_comparison(official: pd.DataFrame, generated: pd.DataFrame) -> pd.DataFrame:
    """Per (corruption, severity) present in both: accuracy (%) on the official and the generated images and the
    difference official - generated in points (the clean row, severity 0, is the same images: left out)."""
    keys = ["corruption", "severity"]
    both = official[official["severity"] > 0][[*keys, "accuracy", "n_images"]].merge(
        generated[generated["severity"] > 0][[*keys, "accuracy", "n_images"]], on=keys,
        suffixes=("_official", "_generated"))
    if both.empty:
        raise RoboptError("no (corruption, severity) evaluated on both the official and the generated images")
    both["accuracy_official"] *= 100
    both["accuracy_generated"] *= 100
    both["difference"] = both["accuracy_official"] - both["accuracy_generated"]
    return both.sort_values(keys, ignore_index=True)


def per_corruption(comparison: pd.DataFrame) -> pd.DataFrame:
    """The comparison averaged over severities per corruption, then a last row over every cell ('all')."""
    columns = ["accuracy_official", "accuracy_generated", "difference"]
    table = comparison.groupby("corruption", as_index=False)[columns].mean()
    overall = pd.DataFrame([{"corruption": "all", **comparison[columns].mean().to_dict()}])
    return pd.concat([table, overall], ignore_index=True)
