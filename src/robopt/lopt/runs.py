"""The jobs of the learned-optimizer DAG as functions: outer-train one seed, its meta-validation runs, the evaluation
runs (the choice among seeds: ``robopt.lopt.selection``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from robopt.data.format import ImageSplit
from robopt.io import prepend_columns
from robopt.lopt.adam import adam_step, init_adam
from robopt.lopt.data import InnerData, downsampled
from robopt.lopt.inner_eval import EvalSettings, EvaluationSets, inner_train
from robopt.lopt.mlp_optimizer import init_state, learned_step
from robopt.lopt.objectives import Noise
from robopt.lopt.outer import OuterSettings, OuterTrainer

if TYPE_CHECKING:
    import pandas as pd


def load_inner_data(block: dict[str, Any], train_path: str | Path, meta_path: str | Path,
                    device: torch.device | None = None) -> tuple[InnerData, str]:
    """(the inner problem's training and validation images, the block's seeded hold-out, on the block's device
    or ``device`` (a rank's own); the dataset's corruption scale) from a prepared dataset's files."""
    from robopt.data import load_meta, load_split
    from robopt.runtime import resolve_device

    scale = load_meta(meta_path)["corruption_scale"]
    split = downsampled(load_split(train_path), block["downsample"])
    data = InnerData.from_split(split, block["validation_fraction"], block["split_seed"], scale,
                                device or resolve_device(block["device"]))
    return data, scale


def load_inner_test(block: dict[str, Any], test_path: str | Path) -> ImageSplit:
    """The test images of the learned-optimizer evaluations, downsampled as the training images are."""
    from robopt.data import load_split

    return downsampled(load_split(test_path), block["downsample"])


def outer_train(
    settings: OuterSettings, objective: Noise, data: InnerData, theta0: torch.Tensor, checkpoint: str | Path | None,
    labels: dict[str, Any],
) -> tuple[dict[str, torch.Tensor], pd.DataFrame]:
    """Outer-train one seed from ``theta0``; returns the final theta with the progress snapshots (``theta``, ``iterations`` (S,),
    ``snapshots`` (S x D)) and the tidy outer-training curve with ``labels`` (experiment, objective, seed) first."""
    trainer = OuterTrainer(settings, data, objective, data.train_images.device, theta0)
    curve = trainer.run(checkpoint, log_every=max(1, settings.iterations // 20))
    iterations, snapshots = trainer.progress_snapshots()
    return {"theta": trainer.theta.cpu(), "iterations": iterations, "snapshots": snapshots}, prepend_columns(curve, labels)


def clean_and_noised_runs(
    update, state, members: int, data: InnerData, test: ImageSplit, settings: EvalSettings, noise: Noise
) -> pd.DataFrame:
    """The same update rule inner-trained on clean data and on ``noise``-noised data, on one set of evaluation sets."""
    device = data.train_images.device
    sets = EvaluationSets(data, test.images.to(device), test.labels.to(device), settings.test_images, settings.seed)
    frames = [inner_train(update, state, members, data, sets, settings, train_noise) for train_noise in (None, noise)]
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def evaluate_learned(
    theta: torch.Tensor, settings: EvalSettings, noise: Noise, data: InnerData, test: ImageSplit
) -> pd.DataFrame:
    """Inner-train with the learned optimizer ``theta`` on clean and on noised data; tidy evaluation rows."""
    meta = theta.to(data.train_images.device)[None]

    def update(params, grads, state):
        return learned_step(meta, params, grads, state)

    table = clean_and_noised_runs(update, init_state, 1, data, test, settings, noise).drop(columns="member")
    table.insert(0, "lr", float("nan"))
    return table


def evaluate_progress(
    iterations: torch.Tensor, thetas: torch.Tensor, settings: EvalSettings, data: InnerData, test: ImageSplit
) -> pd.DataFrame:
    """Fig. 1a's learned-optimizer points: every theta snapshot (S x D, outer iterations ``iterations``) inner-trains
    a fresh CNN on clean data with the evaluation runs' initialisation, batches and length, as one population; the
    final test losses at ``settings.final_targets``, one row per (iteration, target)."""
    device = data.train_images.device
    meta = thetas.to(device)

    def update(params, grads, state):
        return learned_step(meta, params, grads, state)

    sets = EvaluationSets(data, test.images.to(device), test.labels.to(device), settings.test_images, settings.seed)
    table = inner_train(update, init_state, len(meta), data, sets, settings, None)
    table = table[(table["split"] == "test") & (table["step"] == settings.steps)].reset_index(drop=True)
    table.insert(0, "iteration", iterations.numpy()[table["member"].to_numpy()])
    return table.drop(columns="member")


def scored_iterations(iterations: list[int], last_snapshots: int, initial: bool) -> list[int]:
    """The snapshots the selection reads: a seed's last ``last_snapshots`` (after iteration 0), and iteration 0 (the
    initial rule theta0, the same for every seed: scored by one seed only) when ``initial``."""
    trained = sorted(set(iterations) - {0})[-last_snapshots:]
    return sorted(({0} if initial or not trained else set()) | set(trained))


def validate_snapshots(iterations: torch.Tensor, thetas: torch.Tensor, runs: list[EvalSettings],
                       data: InnerData) -> pd.DataFrame:
    """Meta-validation scores of theta snapshots (S x D at outer iterations ``iterations``; iteration 0 is the
    initial rule theta0): each inner-trains a fresh CNN per run of ``runs`` (one initialisation each, the snapshots
    as one population) and is scored by its mean loss over the runs' targets on the validation images. One row per
    (iteration, init)."""
    import pandas as pd

    meta = thetas.to(data.train_images.device)

    def update(params, grads, state):
        return learned_step(meta, params, grads, state)

    frames = []
    for init, settings in enumerate(runs):
        sets = EvaluationSets(data, None, None, settings.test_images, settings.seed)
        table = inner_train(update, init_state, len(meta), data, sets, settings, None)
        scores = table[table["split"] == "validation"].groupby("member", as_index=False)["loss"].mean()
        scores.insert(0, "init", init)
        scores.insert(0, "iteration", iterations.numpy()[scores["member"].to_numpy()])
        frames.append(scores.drop(columns="member"))
    return pd.concat(frames, ignore_index=True)


def evaluate_adam(
    lrs: list[float], settings: EvalSettings, noise: Noise, data: InnerData, test: ImageSplit
) -> pd.DataFrame:
    """Adam over the learning-rate grid ``lrs`` (one population), inner-trained on clean and on noised data."""
    rates = torch.tensor(lrs, device=data.train_images.device)

    def update(params, grads, state):
        return adam_step(rates, params, grads, state)

    table = clean_and_noised_runs(update, init_adam, len(rates), data, test, settings, noise)
    table.insert(0, "lr", rates.cpu()[table["member"].to_numpy()].numpy())
    return table.drop(columns="member")
