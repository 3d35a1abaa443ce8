"""Training curves of the DAMP-side models: loss, accuracy and learning rate per epoch, one line per method.

Reads the tidy ``history.csv`` every training job writes; the line is the mean over seeds and the band the
min-max range, so a diverging seed is visible.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes

from robopt.plots.style import (
    legend_outside,
    new_figure,
    ordered_variants,
    save_figure,
    seeds_label,
    variant_label,
    variant_style,
)

PANELS = {"loss": "training loss", "accuracy": "training accuracy (%)", "lr": "learning rate"}


def plot_training_curves(history: pd.DataFrame, dataset: str, pdf_path: str | Path, meta: dict[str, str]) -> list[Axes]:
    """Three panels (loss, accuracy, learning rate on a log scale) against epoch for one dataset's models."""
    part = history[(history["dataset"] == dataset) & (history["split"] == "train")]
    if part.empty:
        raise ValueError(f"no training history for dataset {dataset!r}")
    models = ordered_variants(part)
    fig, axes = new_figure(len(PANELS), width_per_panel=2.9, legend_width=2.0)
    for ax, (metric, label) in zip(axes, PANELS.items(), strict=True):
        rows = part[part["metric"] == metric]
        scale = 100.0 if metric == "accuracy" else 1.0
        for k, (variant, method, corruption) in enumerate(models):
            per_epoch = rows[rows["variant"] == variant].groupby("epoch")["value"].agg(["mean", "min", "max"])
            style = variant_style(method, corruption)
            seeds = part.loc[part["variant"] == variant, "seed"].nunique()
            ax.plot(per_epoch.index, scale * per_epoch["mean"], color=style["color"],
                    linestyle=style["linestyle"], marker=style["marker"],
                    markersize=3, markevery=max(1, len(per_epoch) // 6),
                    label=f"{variant_label(method, corruption)} ({seeds_label(seeds)})", zorder=3 + k)
            if seeds > 1:
                ax.fill_between(per_epoch.index, scale * per_epoch["min"], scale * per_epoch["max"],
                                color=style["color"], alpha=0.15, linewidth=0)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        if metric == "lr":
            ax.set_yscale("log")
    axes[0].set_title(f"{dataset}: training curves")
    legend_outside(axes[-1])
    save_figure(fig, pdf_path, meta)
    return axes
