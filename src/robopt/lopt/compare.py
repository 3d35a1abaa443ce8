"""The learned optimizer's verdict: theta0, the selected theta and Adam inner-trained from several initialisations,
the objective's noisy test loss as mean +- std and paired differences (Metz et al. 2019 compare with tuned Adam).

Each initialisation (seeds ``evaluation.seed + 1000 + k``, apart from the selection's) inner-trains one CNN per
optimizer on the same batches; Adam's learning rate is the grid entry with the lowest mean validation loss over
the initialisations (never the test loss); the selected theta and theta0 are compared with it and with each other
per initialisation, with a Student-t interval of the paired difference (``robopt.evaluate.verdict``).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import torch

from robopt.evaluate.verdict import paired_interval, word
from robopt.lopt.adam import adam_step, init_adam
from robopt.lopt.data import InnerData
from robopt.lopt.inner_eval import EvalSettings, EvaluationSets, Target, inner_train
from robopt.lopt.mlp_optimizer import init_state, learned_step

INIT_OFFSET = 1000


def comparison_runs(base: EvalSettings, target: Target, inits: int) -> list[EvalSettings]:
    """One run per initialisation, scored once at the end under ``target`` on validation and test images."""
    return [dataclasses.replace(base, log_every=base.steps, curve_targets=[], final_targets=[target],
                                final_splits=("test", "validation"), seed=base.seed + INIT_OFFSET + k)
            for k in range(inits)]


def final_losses(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """(member, split, loss) of a run's final rows, with the member's optimizer name."""
    final = table[table["step"] == table["step"].max()][["member", "split", "loss"]].copy()
    final["optimizer"] = [names[m] for m in final["member"]]
    return final.drop(columns="member")


def compare_optimizers(thetas: dict[str, torch.Tensor], lrs: list[float], runs: list[EvalSettings], data: InnerData,
                       test_images: torch.Tensor, test_labels: torch.Tensor) -> pd.DataFrame:
    """Rows (init, optimizer, lr, split, loss) of every learned ``thetas`` entry and every Adam ``lrs`` entry."""
    device = data.train_images.device
    meta = torch.stack(list(thetas.values())).to(device)
    rates = torch.tensor(lrs, device=device)

    def learned(params, grads, state):
        return learned_step(meta, params, grads, state)

    def adam(params, grads, state):
        return adam_step(rates, params, grads, state)

    frames = []
    for init, settings in enumerate(runs):
        sets = EvaluationSets(data, test_images.to(device), test_labels.to(device), settings.test_images,
                              settings.seed)
        rows = final_losses(inner_train(learned, init_state, len(meta), data, sets, settings, None), list(thetas))
        rows["lr"] = float("nan")
        names = {f"adam lr {lr:g}": lr for lr in lrs}
        adam_rows = final_losses(inner_train(adam, init_adam, len(lrs), data, sets, settings, None), list(names))
        adam_rows["lr"] = adam_rows["optimizer"].map(names)
        frames += [rows.assign(init=init), adam_rows.assign(init=init)]
    return pd.concat(frames, ignore_index=True)[["init", "optimizer", "lr", "split", "loss"]]


def tuned_adam(losses: pd.DataFrame) -> str:
    """The Adam grid entry with the lowest mean validation loss over the initialisations."""
    adam = losses[losses["optimizer"].str.startswith("adam") & (losses["split"] == "validation")]
    return str(adam.groupby("optimizer")["loss"].mean().idxmin())


def comparison_table(losses: pd.DataFrame, learned: list[str]) -> pd.DataFrame:
    """Per optimizer (the learned ones and tuned Adam): test loss mean +- std over inits, and each one's paired
    difference to every optimizer listed before it, with its interval and verdict (lower loss = better)."""
    chosen = [*learned, tuned_adam(losses)]
    test = losses[losses["split"] == "test"].pivot(index="init", columns="optimizer", values="loss")[chosen]
    rows = []
    for position, name in enumerate(chosen):
        row = {"optimizer": name, "test_loss_mean": test[name].mean(), "test_loss_std": test[name].std(ddof=1),
               "inits": int(test[name].notna().sum())}
        rows.append(row)
        for other in chosen[:position]:
            mean, low, high = paired_interval((test[name] - test[other]).to_numpy())
            rows.append({"optimizer": f"{name} - {other}", "test_loss_mean": mean, "diff_low": low,
                         "diff_high": high, "verdict": word(low, high), "inits": int(test[name].notna().sum())})
    return pd.DataFrame(rows)
