"""Meta-reweighting figures: the mean weight of noisy (biased) and clean examples per epoch, and Meta-Weight-Net's
learned weighting function V(loss)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from robopt.history_names import WEIGHT_AT_LOSS, WEIGHT_BIASED, WEIGHT_CLEAN
from robopt.plots.style import legend_outside, method_style, new_figure, ordered, save_figure, seeds_label

GROUPS = {WEIGHT_CLEAN: ("clean examples", "-"), WEIGHT_BIASED: ("noisy / corrupted examples", "--")}


def plot_example_weights(histories: pd.DataFrame, pdf_path: str | Path, meta: dict[str, str], scale: str) -> None:
    """One panel per reweighting method: the mean weight given to clean and to biased examples in each epoch (mean
    over seeds, the band their range); 1 = an unweighted example for L2RW (weights x batch size), V's output for
    MW-Net."""
    rows = histories[histories["metric"].isin(list(GROUPS))]
    methods = ordered(rows["method"], ["l2rw", "mwnet"])
    fig, axes = new_figure(max(1, len(methods)), width_per_panel=3.4, height=2.8)
    for ax, method in zip(axes, methods, strict=False):
        style = method_style(method)
        frame = rows[rows["method"] == method]
        for metric, (words, linestyle) in GROUPS.items():
            curve = frame[frame["metric"] == metric].groupby("epoch")["value"].agg(["mean", "min", "max"])
            ax.plot(curve.index, curve["mean"], color=style["color"], linestyle=linestyle, label=words)
            ax.fill_between(curve.index, curve["min"], curve["max"], color=style["color"], alpha=0.15, lw=0)
        ax.set_title(f"{style['label']}\n(mean of {seeds_label(frame['seed'].nunique())}, band: their range)",
                     fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean weight of an example")
        ax.set_ylim(bottom=0)
        ax.legend(frameon=False)
    fig.suptitle(f"Weight given to noisy and clean training examples ({scale})", fontsize=9)
    save_figure(fig, pdf_path, meta)


def weight_function(histories: pd.DataFrame) -> pd.DataFrame:
    """(dataset, seed, epoch, loss, weight) rows of MW-Net's V on its logged loss grid."""
    rows = histories[histories["metric"].str.startswith(WEIGHT_AT_LOSS)].copy()
    rows["loss"] = rows["metric"].str.removeprefix(WEIGHT_AT_LOSS).astype(float)
    return rows.rename(columns={"value": "weight"})[["dataset", "seed", "epoch", "loss", "weight"]]


def plot_weight_function(histories: pd.DataFrame, pdf_path: str | Path, meta: dict[str, str], scale: str) -> None:
    """V(loss) after the first epoch (dashed, faint) and the last (solid), one marker per seed."""
    curves = weight_function(histories)
    fig, (ax,) = new_figure(1, width_per_panel=4.2, height=3.0, legend_width=1.6)
    color = method_style("mwnet")["color"]
    first, last = curves["epoch"].min(), curves["epoch"].max()
    markers = dict(zip(sorted(curves["seed"].unique()), "osD^vP*X", strict=False))
    for (seed, epoch), frame in curves[curves["epoch"].isin([first, last])].groupby(["seed", "epoch"]):
        frame = frame.sort_values("loss")
        ax.plot(frame["loss"], frame["weight"], color=color, linestyle="-" if epoch == last else "--",
                alpha=0.9 if epoch == last else 0.45, marker=markers.get(seed, "o"), markevery=4, markersize=4,
                label=f"seed {seed}, after epoch {epoch}")
    ax.set_xlabel("training loss of an example (cross-entropy)")
    ax.set_ylabel("weight V(loss)")
    ax.set_ylim(0, 1)
    ax.set_title(f"Meta-Weight-Net's learned weighting function\n{scale}", fontsize=9)
    legend_outside(ax)
    save_figure(fig, pdf_path, meta)
