"""The leaderboard figure: clean against corruption accuracy, one marker per model with its spread over seeds,
models brought in and RobustBench's stored values marked apart from the trained ones."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from robopt.plots.style import legend_outside, new_figure, save_figure, variant_style

#: How rows that are not trained here are drawn.
KIND_STYLE = {"external": {"marker": "*", "color": "black", "size": 9},
              "RobustBench stored": {"marker": "X", "color": "0.45", "size": 7}}


def corruption_axis(table: pd.DataFrame) -> tuple[str, str]:
    """RobustBench's corruptions_acc where every row with corruptions has it, else the mean over every cell."""
    trained = table[table["kind"] != "RobustBench stored"]
    if trained["corruptions_acc_mean"].notna().all():
        return "corruptions_acc", "corruption accuracy, %\n(RobustBench: 15 corruptions x 5 severities)"
    return "all_corruptions_acc", "corruption accuracy, %\n(every evaluated corruption and severity)"


def plot_leaderboard(table: pd.DataFrame, pdf_path: str | Path, meta: dict[str, str], scale: str) -> None:
    """Clean accuracy (x) against corruption accuracy (y); bars: std over seeds; trained models in their variant's
    colour (an augmented SGD apart from SGD), external models as stars, RobustBench's stored values as crosses."""
    y_score, y_label = corruption_axis(table)
    fig, (ax,) = new_figure(1, width_per_panel=4.2, height=3.4, legend_width=2.4)
    stored_first = table.assign(_z=(table["kind"] != "RobustBench stored")).sort_values("_z", kind="stable")
    for row in stored_first.itertuples():
        y, y_std = getattr(row, f"{y_score}_mean"), getattr(row, f"{y_score}_std", float("nan"))
        if pd.isna(y) and row.kind == "RobustBench stored":
            y, y_std = row.corruptions_acc_mean, float("nan")
        if pd.isna(y):
            continue
        if row.kind == "trained":
            style = variant_style(row.method, row.train_corruption)
            marker, color, size, label = style["marker"], style["color"], 6, style["label"]
        else:
            marker, color, size = (KIND_STYLE[row.kind][k] for k in ("marker", "color", "size"))
            label = row.model if row.kind != "external" else f"{row.model.removeprefix('external_')} (brought in)"
        ax.errorbar(row.clean_acc_mean, y, xerr=None if pd.isna(row.clean_acc_std) else row.clean_acc_std,
                    yerr=None if pd.isna(y_std) else y_std, fmt=marker, color=color, markersize=size, capsize=2,
                    label=label)
    ax.set_xlabel("clean accuracy, %")
    ax.set_ylabel(y_label)
    ax.set_title(f"Leaderboard: {table['dataset'].iloc[0]}\n{scale}", fontsize=8)
    legend_outside(ax, fontsize=7)
    save_figure(fig, pdf_path, meta)
