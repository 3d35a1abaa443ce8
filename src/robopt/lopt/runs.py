"""The jobs of the learned-optimizer DAG as functions: outer-train one seed, select the best seed, evaluation runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import torch

from robopt.data.format import ImageSplit
from robopt.data.prepare import CORRUPTION_SCALE
from robopt.lopt.adam import adam_step, init_adam
from robopt.lopt.data import InnerData
from robopt.lopt.inner_eval import EvaluationSets, inner_train
from robopt.lopt.mlp_optimizer import init_state, learned_step
from robopt.lopt.outer import OuterTrainer
from robopt.lopt.settings import eval_settings, noise_of_kind, objective_noise, outer_settings, train_noise_kind


def inner_data(lopt: dict[str, Any], train: ImageSplit, device: torch.device) -> InnerData:
    return InnerData.from_split(train, lopt.get("validation_fraction", 0.1), lopt.get("split_seed", 0),
                                CORRUPTION_SCALE[lopt["dataset"]], device)


def outer_train(
    lopt: dict[str, Any], experiment: str, seed: int, data: InnerData, checkpoint: str | Path | None
) -> tuple[torch.Tensor, pd.DataFrame]:
    """Outer-train one seed of ``experiment``; returns theta and the tidy outer-training curve."""
    trainer = OuterTrainer(outer_settings(lopt, seed), data, objective_noise(lopt, experiment), data.train_images.device)
    curve = trainer.run(checkpoint, log_every=max(1, lopt["outer"]["iterations"] // 20))
    curve.insert(0, "seed", seed)
    curve.insert(0, "experiment", experiment)
    return trainer.theta.cpu(), curve


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


def evaluation_sets(lopt: dict[str, Any], data: InnerData, test: ImageSplit) -> EvaluationSets:
    evaluation = lopt["evaluation"]
    device = data.train_images.device
    return EvaluationSets(data, test.images.to(device), test.labels.to(device), evaluation.get("test_images", 10_000),
                          evaluation.get("seed", 0))


def clean_and_noised_runs(
    lopt: dict[str, Any], kind: str, sigma: float, update, state, members: int, data: InnerData, test: ImageSplit
) -> pd.DataFrame:
    """The same update rule inner-trained on clean data and on ``kind``-noised data, on one set of evaluation sets."""
    settings, sets = eval_settings(lopt, kind, sigma), evaluation_sets(lopt, data, test)
    frames = [inner_train(update, state, members, data, sets, settings, noise)
              for noise in (None, noise_of_kind(lopt, kind, sigma))]
    return pd.concat(frames, ignore_index=True)


def evaluate_learned(
    lopt: dict[str, Any], experiment: str, theta: torch.Tensor, data: InnerData, test: ImageSplit
) -> pd.DataFrame:
    """Inner-train with the learned optimizer on clean and on noised data; tidy evaluation rows."""
    meta = theta.to(data.train_images.device)[None]

    def update(params, grads, state):
        return learned_step(meta, params, grads, state)

    sigma = lopt["experiments"][experiment].get("sigma", 0.05)
    table = clean_and_noised_runs(lopt, train_noise_kind(lopt, experiment), sigma, update, init_state, 1, data, test)
    table = table.drop(columns="member")
    table.insert(0, "lr", float("nan"))
    table.insert(0, "optimizer", f"lopt_{experiment}")
    return table


def evaluate_adam(lopt: dict[str, Any], kind: str, data: InnerData, test: ImageSplit, sigma: float = 0.05) -> pd.DataFrame:
    """Adam over the learning-rate grid (one population), inner-trained on clean and on ``kind``-noised data."""
    lrs = torch.tensor(lopt["evaluation"]["adam_lrs"], device=data.train_images.device)

    def update(params, grads, state):
        return adam_step(lrs, params, grads, state)

    table = clean_and_noised_runs(lopt, kind, sigma, update, init_adam, len(lrs), data, test)
    table.insert(0, "lr", lrs.cpu()[table["member"].to_numpy()].numpy())
    table.insert(0, "optimizer", f"adam_{kind}")
    return table.drop(columns="member")
