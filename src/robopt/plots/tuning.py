"""The hold-out sweeps of ``tune`` blocks: hold-out error against the swept value per method, the choice marked.

DAMP tunes sigma / rho on a 10% hold-out of the training set; this figure shows what the sweep saw, so a reader can
judge whether the chosen value sits inside the grid or at its edge.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes

from robopt.plots.style import METHOD_STYLE, method_style, new_figure, ordered, save_figure

PARAMETER_LABELS = {"sigma": "noise level sigma", "rho": "radius rho", "lr": "learning rate",
                    "weight_decay": "weight decay", "eta": "eta"}


def tuning_table(sweeps: pd.DataFrame, choices: list[dict]) -> pd.DataFrame:
    """One row per (method, value): hold-out error (%) and NLL, and whether the sweep chose it."""
    chosen = {(choice["method"], float(choice["value"])) for choice in choices}
    table = sweeps[["dataset", "method", "parameter", "value", "n_images", "error", "nll"]].copy()
    table["chosen"] = [(m, float(v)) in chosen for m, v in zip(table["method"], table["value"], strict=True)]
    order = {method: k for k, method in enumerate(METHOD_STYLE)}
    return table.sort_values(["method", "value"], key=lambda c: c.map(order) if c.name == "method" else c,
                             ignore_index=True)


def plot_tuning(table: pd.DataFrame, pdf_path: str | Path, meta: dict[str, str]) -> list[Axes]:
    """One panel per tuned method: hold-out error (%) against the swept value (log axis), the choice starred."""
    methods = ordered(table["method"], METHOD_STYLE)
    fig, axes = new_figure(len(methods), width_per_panel=2.6, height=2.4)
    for ax, method in zip(axes, methods, strict=True):
        rows = table[table["method"] == method]
        style = method_style(method)
        ax.plot(rows["value"], rows["error"], color=style["color"], linestyle=style["linestyle"],
                marker=style["marker"], label=style["label"])
        best = rows[rows["chosen"]]
        ax.plot(best["value"], best["error"], linestyle="none", marker="*", markersize=13, color=style["color"],
                markeredgecolor="black", label="chosen")
        ax.set_xscale("log")
        ax.set_xticks(rows["value"], [f"{v:g}" for v in rows["value"]])
        ax.minorticks_off()
        parameter = rows["parameter"].iloc[0]
        ax.set_xlabel(PARAMETER_LABELS.get(parameter, parameter))
        ax.set_title(f"{style['label']}")
        ax.legend(frameon=False, loc="best")
    axes[0].set_ylabel(f"hold-out error (%), {int(table['n_images'].iloc[0]):,} images")
    save_figure(fig, pdf_path, meta)
    return axes
