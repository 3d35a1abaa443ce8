"""Small hand-made tidy tables that the figure tests draw from."""

from __future__ import annotations

import itertools

import pandas as pd

from robopt.plots.metz import EVALUATION_COLUMNS

META = {"commit": "test", "date": "today", "device": "cpu", "config": "{}"}


def summary() -> pd.DataFrame:
    """An error-by-severity table (robopt.evaluate.error_by_severity's columns): SGD and DAMP on two datasets."""
    rows = []
    for dataset in ("cifar10", "cifar100"):
        for method in ("sgd", "damp"):
            for severity in range(6):
                rows.append({"dataset": dataset, "variant": method, "method": method, "train_corruption": "none",
                             "severity": severity, "error_mean": 10.0 + 5 * severity, "error_std": 1.0, "n_seeds": 3})
    return pd.DataFrame(rows)


#: Experiments are named freely; the figures pick them by objective (these names say nothing of it).
OBJECTIVES = {"lopt_noisy": "gaussian", "lopt_mix": "corruption", "lopt_plain": "clean"}


def evaluation_table() -> pd.DataFrame:
    """Learned-optimizer and Adam evaluation rows: three objectives, two Adam rates per noise, clean/noised runs."""
    rows = []
    runs = [("lopt_noisy", float("nan")), ("lopt_mix", float("nan")), ("lopt_plain", float("nan")),
            ("adam_gaussian", 0.001), ("adam_gaussian", 0.01), ("adam_corruption", 0.001), ("adam_corruption", 0.01)]
    targets = [("gaussian", 0.0), ("gaussian", 0.05), ("gaussian", 0.1)] + [
        (c, s) for c, s in itertools.product(["glass_blur", "shot_noise", "fog", "brightness"], [1, 2, 3])]
    for (optimizer, lr), train_data, (noise, level) in itertools.product(runs, ["clean", "noised"], targets):
        bonus = 0.1 if lr == 0.01 else 0.0
        objective = OBJECTIVES.get(optimizer, "")
        for step in (0, 50, 100):
            rows.append([optimizer, objective, lr, train_data, step, "test", noise, level,
                         2.3 - step / 100 + level + bonus])
        rows.append([optimizer, objective, lr, train_data, 100, "validation", noise, level, 1.3 + level + bonus])
    return pd.DataFrame(rows, columns=EVALUATION_COLUMNS)


def curves_table() -> pd.DataFrame:
    """Outer-training curves of a clean- and a Gaussian-objective experiment, three seeds each."""
    rows = [{"experiment": name, "objective": objective, "seed": seed, "iteration": it, "target": "outer",
             "loss": 2.3 - 0.01 * it - seed}
            for name, objective in (("plain", "clean"), ("noisy", "gaussian")) for seed in (0, 1, 2)
            for it in range(1, 11)]
    return pd.DataFrame(rows)


def progress_table() -> pd.DataFrame:
    """Fig. 1a's progress runs of the Gaussian-objective experiment: three seeds, four snapshots each."""
    rows = [{"experiment": "noisy", "objective": "gaussian", "seed": seed, "iteration": it, "noise": "gaussian",
             "level": 0.05, "loss": 2.0 - 0.05 * it - 0.1 * seed}
            for seed in (0, 1, 2) for it in (0, 3, 6, 10)]
    return pd.DataFrame(rows)
