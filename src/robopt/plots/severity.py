"""DAMP's bar charts of error (%) against corruption severity: one panel per dataset, horizontal bars.

Fig. 3 (camera-ready Fig. 4) has a bar per method and severity 0-5; Fig. 2 (camera-ready Fig. 7) a bar per (method,
noise level) and the groups none / mild / severe.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from robopt.plots.style import (
    METHOD_STYLE,
    legend_below,
    method_style,
    new_figure,
    ordered,
    ordered_variants,
    save_figure,
    seeds_label,
    variant_label,
    variant_style,
)

DATASET_TITLES = {"cifar10": "CIFAR-10", "cifar100": "CIFAR-100", "tinyimagenet": "TinyImageNet", "synthetic": "Synthetic"}
GROUP_LABELS = {"none": "None", "mild": "Mild (1-3)", "severe": "Severe (4-5)"}
#: What the bars and their whiskers are (the legend's title: a figure read on its own says it).
ERROR_BAR_NOTE = "bars: mean over seeds; whiskers: ±1 standard deviation over seeds"


@dataclass(frozen=True)
class BarSeries:
    """One bar per category: which rows of a panel's summary, and how they are drawn."""

    label: str
    rows: pd.DataFrame  # one row per category, columns error_mean, error_std, n_seeds
    style: dict
    alpha: float = 1.0


def draw_bar_series(ax: Axes, categories: list, labels: list[str], series: list[BarSeries], axis_label: str) -> None:
    """Horizontal grouped bars, categories top to bottom, std over seeds as error bars where several seeds exist."""
    height = 0.8 / len(series)
    for k, bars in enumerate(series):
        seeds = int(bars.rows["n_seeds"].max()) if bars.rows["n_seeds"].notna().any() else 0
        ax.barh(
            np.arange(len(categories)) + (k - (len(series) - 1) / 2) * height,
            bars.rows["error_mean"], height,
            xerr=bars.rows["error_std"] if seeds > 1 else None,
            color=bars.style["color"], alpha=bars.alpha, hatch=bars.style["hatch"], edgecolor="black", linewidth=0.5,
            label=f"{bars.label} ({seeds_label(seeds)})",
        )
    ax.set_yticks(range(len(categories)), labels)
    ax.invert_yaxis()
    ax.set_ylabel(axis_label)
    ax.set_xlabel("error (%)")


def plot_panels(summary: pd.DataFrame, category: str, labels: dict, axis_label: str, series_of, pdf_path: str | Path,
                meta: dict[str, str], n_series: int) -> list[Axes]:
    """One panel per dataset of ``summary``; ``series_of(panel_rows, categories)`` gives each panel's bars."""
    datasets = ordered(summary["dataset"], DATASET_TITLES)
    n_categories = summary[category].nunique()
    fig, axes = new_figure(len(datasets), width_per_panel=max(3.2, 6.4 / len(datasets)),
                           height=1.0 + 0.09 * n_categories * n_series)
    for ax, dataset in zip(axes, datasets, strict=True):
        part = summary[summary["dataset"] == dataset]
        categories = ordered(part[category], labels)
        draw_bar_series(ax, categories, [str(labels.get(c, c)) for c in categories], series_of(part, categories),
                        axis_label)
        ax.set_title(DATASET_TITLES.get(dataset, dataset))
    legend_below(fig, axes[-1], ncol=3, title=ERROR_BAR_NOTE)
    save_figure(fig, pdf_path, meta)
    return axes


def plot_error_by_severity(summary: pd.DataFrame, pdf_path: str | Path, meta: dict[str, str]) -> list[Axes]:
    """DAMP Fig. 3: y = severity (0 = clean), x = error %, a bar per model (method, training corruption).

    ``summary`` is ``robopt.evaluate.error_by_severity``'s table. Returns the axes (for tests).
    """
    models = ordered_variants(summary)

    def series_of(part: pd.DataFrame, severities: list) -> list[BarSeries]:
        return [
            BarSeries(variant_label(method, corruption),
                      part[part["variant"] == variant].set_index("severity").reindex(severities),
                      variant_style(method, corruption))
            for variant, method, corruption in models
        ]

    severities = sorted(summary["severity"].unique())
    return plot_panels(summary, "severity", {s: str(s) for s in severities}, "severity (0 = clean)", series_of,
                       pdf_path, meta, len(models))


def plot_sigma_sweep(summary: pd.DataFrame, pdf_path: str | Path, meta: dict[str, str]) -> list[Axes]:
    """DAMP Fig. 2: y = none / mild / severe, x = error %, a bar for SGD and per (DAMP or DAAP, sigma).

    ``summary`` is ``robopt.evaluate.sigma_sweep_summary``'s table. Within a method, lighter bars are smaller
    sigmas; the hatch names the method in black and white.
    """
    keys = summary[["method", "sigma"]].drop_duplicates()
    keys = keys.assign(rank=keys["method"].map({m: k for k, m in enumerate(METHOD_STYLE)}))
    keys = keys.sort_values(["rank", "sigma"], na_position="first")

    def series_of(part: pd.DataFrame, groups: list) -> list[BarSeries]:
        series = []
        for method, sigmas in keys.groupby("method", sort=False)["sigma"]:
            style = method_style(method)
            for k, sigma in enumerate(sigmas):
                rows = part[(part["method"] == method) & (part["sigma"].fillna(-1) == (-1 if pd.isna(sigma) else sigma))]
                label = style["label"] if pd.isna(sigma) else f"{style['label']} σ={sigma:g}"
                series.append(BarSeries(label, rows.set_index("group").reindex(groups), style,
                                        alpha=0.35 + 0.65 * (k + 1) / len(sigmas)))
        return series

    return plot_panels(summary, "group", GROUP_LABELS, "corruption severity", series_of, pdf_path, meta, len(keys))
