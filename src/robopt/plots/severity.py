"""DAMP Fig. 3 (camera-ready Fig. 4): error (%) per severity, one panel per dataset, bars per method."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from robopt.plots.style import METHOD_STYLE, method_style, new_figure, ordered, save_figure

DATASET_TITLES = {"cifar10": "CIFAR-10", "cifar100": "CIFAR-100", "tinyimagenet": "TinyImageNet", "synthetic": "Synthetic"}


def plot_error_by_severity(summary: pd.DataFrame, pdf_path: str | Path, meta: dict[str, str]):
    """Horizontal grouped bars: y = severity (0 = clean), x = error %, error bars = std over seeds.

    ``summary`` has columns dataset, method, severity, error_mean, error_std, n_seeds.
    Returns the figure's axes (for tests).
    """
    datasets = ordered(summary["dataset"], DATASET_TITLES)
    methods = ordered(summary["method"], METHOD_STYLE)
    fig, axes = new_figure(
        len(datasets), height=1.0 + 0.09 * summary["severity"].nunique() * len(methods), legend_width=1.6
    )
    height = 0.8 / len(methods)
    for ax, dataset in zip(axes, datasets, strict=True):
        part = summary[summary["dataset"] == dataset]
        severities = sorted(part["severity"].unique())
        for k, method in enumerate(methods):
            rows = part[part["method"] == method].set_index("severity").reindex(severities)
            style = method_style(method)
            seeds = int(rows["n_seeds"].max()) if rows["n_seeds"].notna().any() else 0
            ax.barh(
                np.arange(len(severities)) + (k - (len(methods) - 1) / 2) * height,
                rows["error_mean"], height,
                xerr=rows["error_std"] if seeds > 1 else None,
                color=style["color"], hatch=style["hatch"], edgecolor="black", linewidth=0.5,
                label=f"{style['label']} ({seeds} seed{'s' if seeds != 1 else ''})",
            )
        ax.set_yticks(range(len(severities)), [str(s) for s in severities])
        ax.invert_yaxis()
        ax.set_ylabel("severity (0 = clean)")
        ax.set_xlabel("error (%)")
        ax.set_title(DATASET_TITLES.get(dataset, dataset))
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    save_figure(fig, pdf_path, meta)
    return axes
