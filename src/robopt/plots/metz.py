"""Figures of Metz et al. (2019) from the tidy learned-optimizer tables.

Colours follow the paper's Table 1 (black: learned optimizer outer-trained on noised data, blue: outer-trained on
clean data, yellow: Adam); solid lines are inner-trained on clean data, dashed on noised data; markers tell the
optimizers apart in black-and-white print. Adam's learning rate is chosen per target noise by the final
validation loss, as the paper does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from robopt.plots.style import legend_outside, new_figure, save_figure

EVALUATION_COLUMNS = ["optimizer", "objective", "lr", "train_data", "step", "split", "noise", "level", "loss"]
CURVE_COLUMNS = ["experiment", "objective", "seed", "iteration", "target", "loss"]
PROGRESS_COLUMNS = ["experiment", "objective", "seed", "iteration", "noise", "level", "loss"]
TRAIN_STYLE = {"clean": "-", "noised": "--"}


def learned_optimizers(frame: pd.DataFrame, objective: str) -> list[str]:
    """The optimizer ids (``lopt_<experiment>``) of the experiments outer-trained on ``objective``, in file order."""
    return list(dict.fromkeys(frame.loc[frame["objective"] == objective, "optimizer"]))


def optimizer_style(optimizer: str, evaluation: pd.DataFrame) -> dict:
    """Colour, marker and label of an optimizer id: Adam (``adam_<noise>``), or a learned optimizer styled by the
    objective it was outer-trained on."""
    if optimizer.startswith("adam"):
        return {"color": "#c9a400", "marker": "^", "label": "Adam (lr tuned)"}
    if optimizer in learned_optimizers(evaluation, "clean"):
        return {"color": "#1f4fb4", "marker": "s", "label": "LO, clean objective"}
    return {"color": "black", "marker": "o", "label": "LO, noised objective"}


def adam_choice(evaluation: pd.DataFrame, noise: str, levels: Sequence[float]) -> pd.DataFrame:
    """Best Adam learning rate per (optimizer, train_data) by mean final validation loss over ``levels`` of ``noise``."""
    adam = evaluation[evaluation["optimizer"].str.startswith("adam")]
    final = adam[(adam["split"] == "validation") & (adam["noise"] == noise) & adam["level"].isin(levels)]
    if final.empty:
        return pd.DataFrame(columns=["optimizer", "train_data", "lr"])
    mean = final.groupby(["optimizer", "train_data", "lr"], as_index=False)["loss"].mean()
    return mean.loc[mean.groupby(["optimizer", "train_data"])["loss"].idxmin(), ["optimizer", "train_data", "lr"]]


def with_chosen_adam(evaluation: pd.DataFrame, noise: str, levels: Sequence[float]) -> pd.DataFrame:
    """Learned-optimizer rows plus the Adam rows of the learning rate chosen for this target."""
    is_adam = evaluation["optimizer"].str.startswith("adam")
    chosen = adam_choice(evaluation, noise, levels)
    adam = evaluation[is_adam].merge(chosen, on=["optimizer", "train_data", "lr"])
    return pd.concat([evaluation[~is_adam], adam], ignore_index=True)


def draw_curves(ax: plt.Axes, rows: pd.DataFrame, optimizers: Sequence[str]) -> None:
    """Test loss against inner step, one line per (optimizer, train data), averaged over the rows' levels."""
    steps_rows = rows[rows["split"] == "test"]
    for optimizer in optimizers:
        style = optimizer_style(optimizer, rows)
        for train_data, linestyle in TRAIN_STYLE.items():
            part = steps_rows[(steps_rows["optimizer"] == optimizer) & (steps_rows["train_data"] == train_data)]
            if part.empty:
                continue
            curve = part.groupby("step")["loss"].mean()
            suffix = f" lr={part['lr'].iloc[0]:g}" if optimizer.startswith("adam") else ""
            ax.plot(curve.index, curve.values, linestyle=linestyle, color=style["color"], marker=style["marker"],
                    markevery=max(1, len(curve) // 6), markersize=4,
                    label=f"{style['label']}{suffix}, trained {train_data}")
    ax.set_xlabel("inner-training step")
    ax.set_ylabel("test loss")


def adam_final_losses(evaluation: pd.DataFrame, sigma: float) -> pd.DataFrame:
    """Tuned Adam's final test loss at Gaussian noise ``sigma``, one row per train data (lr chosen at ``sigma``)."""
    final = with_chosen_adam(evaluation, "gaussian", [sigma])
    return final[final["optimizer"].str.startswith("adam") & (final["split"] == "test") & (final["noise"] == "gaussian")
                 & np.isclose(final["level"], sigma) & (final["step"] == final["step"].max())]


def plot_outer_training(progress: pd.DataFrame, curves: pd.DataFrame, evaluation: pd.DataFrame, sigma: float,
                        pdf_path: str | Path, meta: dict[str, str]) -> plt.Figure:
    """Fig. 1a: (left) the test loss at noise ``sigma`` of a CNN inner-trained from scratch on clean data with the
    learned optimizer of each outer iteration, every seed, beside tuned Adam's after the same inner training (same
    initialisation, batches and steps), so the lines are one quantity and cross where the paper reads its
    crossover; (right) the outer objective during outer-training, a different quantity (the validation loss averaged
    over truncations of inner problems in any phase), for diagnosis."""
    fig, (ax, ax_outer) = new_figure(2, width_per_panel=4.0, height=3.2, legend_width=2.8)
    gaussian = progress[progress["objective"] == "gaussian"]
    if gaussian.empty:
        raise ValueError("Fig. 1a needs the progress runs of an experiment with objective gaussian")
    experiment = gaussian["experiment"].iloc[0]
    points = gaussian[(gaussian["experiment"] == experiment) & (gaussian["noise"] == "gaussian")
                      & np.isclose(gaussian["level"], sigma)]
    linestyles = ["-", "--", ":", "-."]
    for k, (seed, group) in enumerate(points.groupby("seed")):
        group = group.sort_values("iteration")
        ax.plot(group["iteration"], group["loss"], color="black", linestyle=linestyles[k % 4], marker="o",
                markersize=3, linewidth=1, label=f"LO of that iteration, seed {seed}, trained clean")
    adam = adam_final_losses(evaluation, sigma)
    for train_data, linestyle in TRAIN_STYLE.items():
        row = adam[adam["train_data"] == train_data]
        if not row.empty:
            ax.axhline(row["loss"].iloc[0], color="#c9a400", linestyle=linestyle,
                       label=f"Adam lr={row['lr'].iloc[0]:g}, trained {train_data}")
    steps = int(evaluation["step"].max())
    ax.set_xlabel("outer-training iteration")
    ax.set_ylabel(f"test loss, noise {sigma:g}, after {steps} inner steps")
    ax.set_title("Inner-trained from scratch")
    outer = curves[(curves["experiment"] == experiment) & (curves["target"] == "outer")]
    for k, (seed, group) in enumerate(outer.groupby("seed")):
        ax_outer.plot(group["iteration"], group["loss"], color="0.4", linestyle=linestyles[k % 4], linewidth=1,
                      label=f"outer objective, seed {seed}")
    ax_outer.set_xlabel("outer-training iteration")
    ax_outer.set_ylabel(f"outer objective (validation loss, noise {sigma:g})")
    ax_outer.set_title("During outer-training (not comparable)")
    handles = ax.get_legend_handles_labels()[0] + ax_outer.get_legend_handles_labels()[0]
    legend_outside(ax_outer, handles=handles)
    save_figure(fig, pdf_path, meta)
    return fig


def plot_inner_training(evaluation: pd.DataFrame, sigma: float, pdf_path: str | Path,
                        meta: dict[str, str]) -> plt.Figure:
    """Fig. 1b: test loss under Gaussian noise ``sigma`` along inner training, LO vs tuned Adam."""
    fig, (ax,) = new_figure(1, width_per_panel=4.2, height=3.2, legend_width=2.6)
    rows = with_chosen_adam(evaluation, "gaussian", [sigma])
    rows = rows[(rows["noise"] == "gaussian") & np.isclose(rows["level"], sigma)]
    draw_curves(ax, rows, learned_optimizers(evaluation, "gaussian")[:1] + ["adam_gaussian"])
    ax.set_title(f"Inner training, test noise {sigma:g} (1 inner run each)")
    legend_outside(ax)
    save_figure(fig, pdf_path, meta)
    return fig


def plot_noise_scales(evaluation: pd.DataFrame, pdf_path: str | Path, meta: dict[str, str]) -> plt.Figure:
    """Fig. 1c: final test loss against the Gaussian noise scale at test (Adam's lr chosen per scale)."""
    fig, (ax,) = new_figure(1, width_per_panel=4.2, height=3.2, legend_width=2.6)
    final = evaluation[(evaluation["noise"] == "gaussian") & (evaluation["split"] == "test")]
    final = final[final["step"] == final["step"].max()]
    scales = sorted(final["level"].unique())
    chosen = {scale: with_chosen_adam(evaluation, "gaussian", [scale]) for scale in scales}  # Adam's lr per scale
    for optimizer in learned_optimizers(evaluation, "gaussian")[:1] + ["adam_gaussian"]:
        style = optimizer_style(optimizer, evaluation)
        for train_data, linestyle in TRAIN_STYLE.items():
            points = []
            for scale, rows in chosen.items():
                rows = rows[(rows["optimizer"] == optimizer) & (rows["train_data"] == train_data)
                            & (rows["split"] == "test") & (rows["noise"] == "gaussian") & np.isclose(rows["level"], scale)
                            & (rows["step"] == rows["step"].max())]
                if not rows.empty:
                    points.append((scale, rows["loss"].iloc[0]))
            if points:
                x, y = zip(*points, strict=True)
                ax.plot(x, y, linestyle=linestyle, color=style["color"], marker=style["marker"], markersize=4,
                        label=f"{style['label']}, trained {train_data}")
    ax.set_xlabel("Gaussian noise scale at test")
    ax.set_ylabel("final test loss")
    ax.set_title("Generalisation across noise scales")
    legend_outside(ax)
    save_figure(fig, pdf_path, meta)
    return fig


def plot_corruption_panels(evaluation: pd.DataFrame, corruptions: Sequence[str], severities: Sequence[int],
                           pdf_path: str | Path, meta: dict[str, str]) -> plt.Figure:
    """Fig. 2 / App. B: per corruption, test loss along inner training (mean over ``severities``): LO-robust,
    LO-clean and tuned Adam, each trained on clean (solid) and on the corruption mix (dashed)."""
    fig, axes = new_figure(len(corruptions), width_per_panel=3.6, height=3.2, legend_width=2.6)
    optimizers = learned_optimizers(evaluation, "corruption") + learned_optimizers(evaluation, "clean")
    optimizers += [o for o in ["adam_corruption"] if o in set(evaluation["optimizer"])]
    for ax, corruption in zip(axes, corruptions, strict=True):
        rows = with_chosen_adam(evaluation, corruption, list(severities))
        rows = rows[(rows["noise"] == corruption) & rows["level"].isin(list(severities))]
        draw_curves(ax, rows, optimizers)
        ax.set_title(f"{corruption.replace('_', ' ')} (severities {min(severities)}-{max(severities)})")
    legend_outside(axes[-1], fontsize=7)
    save_figure(fig, pdf_path, meta)
    return fig
