"""The meta-reweighting tables: clean and corrupted accuracy per method over seeds with the paired difference to
noisy SGD's last epoch, the mean weight given to biased vs clean examples, and the published CIFAR-10 numbers beside
ours (both scales labelled).

Every model is its last epoch, except ``sgd_early_stop`` whose epoch was chosen on the meta set: the references
report the best test accuracy seen during training, a selection on the test set that this table never makes.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from robopt.evaluate.verdict import paired_summary, per_seed_errors
from robopt.history_names import WEIGHT_AT_LOSS, WEIGHT_BIASED, WEIGHT_CLEAN

#: Methods in the order the tables show them, with their names in words.
REWEIGHTING_METHODS = {"sgd": "SGD (noisy train set)", "sgd_plus_meta": "SGD on train + meta set",
                       "sgd_early_stop": "SGD, early-stopped on the meta set", "l2rw": "L2RW", "mwnet": "Meta-Weight-Net"}


def last_epoch_weights(histories: pd.DataFrame) -> pd.DataFrame:
    """Per (dataset, variant, seed): the mean weight of clean and of biased examples in the last epoch, and their
    ratio (biased / clean; below 1 = the biased examples are weighted down)."""
    rows = histories[histories["metric"].isin([WEIGHT_CLEAN, WEIGHT_BIASED])]
    if rows.empty:
        return pd.DataFrame(columns=["dataset", "variant", "seed", "weight_clean", "weight_biased", "weight_ratio"])
    last = rows[rows["epoch"] == rows.groupby(["dataset", "variant", "seed"])["epoch"].transform("max")]
    table = last.pivot_table(index=["dataset", "variant", "seed"], columns="metric", values="value").reset_index()
    table["weight_ratio"] = table[WEIGHT_BIASED] / table[WEIGHT_CLEAN]
    return table


#: V within this of 1 (or 0) on the whole loss grid is saturated; a range or a change below it is flat / unchanged.
HEALTH_TOLERANCE = 0.01


def weight_net_health(histories: pd.DataFrame, tolerance: float = HEALTH_TOLERANCE) -> pd.DataFrame:
    """Per (dataset, variant, seed) whose method logs its weighting function V: ``saturated at 1`` / ``at 0`` when V is
    within ``tolerance`` of it on the whole loss grid in every epoch of the last half of training, ``flat`` when V's
    range over the grid stays below it there (V does not tell losses apart), ``unchanged`` when V moved less than it
    from the first logged epoch to the last, else ``learning``."""
    rows = histories[histories["metric"].str.startswith(WEIGHT_AT_LOSS)]
    verdicts = []
    for (dataset, variant, seed), frame in rows.groupby(["dataset", "variant", "seed"], sort=False):
        grid = frame.pivot_table(index="epoch", columns="metric", values="value").sort_index()
        last_half = grid[grid.index > grid.index.max() / 2] if len(grid) > 1 else grid
        if (last_half >= 1 - tolerance).all().all():
            verdict = "saturated at 1"
        elif (last_half <= tolerance).all().all():
            verdict = "saturated at 0"
        elif ((last_half.max(axis=1) - last_half.min(axis=1)) < tolerance).all():
            verdict = "flat"
        elif (grid.iloc[-1] - grid.iloc[0]).abs().max() < tolerance:
            verdict = "unchanged"
        else:
            verdict = "learning"
        verdicts.append({"dataset": dataset, "variant": variant, "seed": seed, "v_health": verdict})
    return pd.DataFrame(verdicts, columns=["dataset", "variant", "seed", "v_health"])


def health_summary(health: pd.DataFrame) -> str:
    """'learning' when every seed's V learned, else each seed's verdict ('seed 1: saturated at 1; ...'); '' without V."""
    if health.empty:
        return ""
    if (health["v_health"] == "learning").all():
        return "learning"
    return "; ".join(f"seed {seed}: {verdict}" for seed, verdict in zip(health["seed"], health["v_health"],
                                                                          strict=True))


def reweighting_table(metrics: pd.DataFrame, histories: pd.DataFrame, baseline: str = "sgd") -> pd.DataFrame:
    """Per (dataset, variant): clean accuracy and mean accuracy over every evaluated (corruption, severity), mean and
    std over seeds, the paired difference to ``baseline`` per seed (mean, 95% t interval, better / worse /
    inconclusive), and the last epoch's biased / clean weight ratio (mean over seeds)."""
    per_seed = per_seed_errors(metrics)
    per_seed["clean_accuracy"] = 100 - per_seed["clean"]
    per_seed["corrupted_accuracy"] = 100 - per_seed["corrupted_all"]
    weights = last_epoch_weights(histories)
    health = weight_net_health(histories)
    rows = []
    for (dataset, variant), frame in per_seed.groupby(["dataset", "variant"], sort=False):
        reference = per_seed[(per_seed["dataset"] == dataset) & (per_seed["variant"] == baseline)].set_index("seed")
        row = {"dataset": dataset, "variant": variant, "method": frame["method"].iloc[0], "n_seeds": len(frame),
               **paired_summary(frame, reference, ["clean_accuracy", "corrupted_accuracy"], variant == baseline,
                                higher_is_better=True)}
        mine = weights[(weights["dataset"] == dataset) & (weights["variant"] == variant)]
        row["weight_ratio"] = mine["weight_ratio"].mean() if len(mine) else np.nan
        row["v_health"] = health_summary(health[(health["dataset"] == dataset) & (health["variant"] == variant)])
        rows.append(row)
    order = {name: k for k, name in enumerate(REWEIGHTING_METHODS)}
    table = pd.DataFrame(rows)
    return table.sort_values(["dataset", "variant"], key=lambda c: c.map(order).fillna(len(order))
                             if c.name == "variant" else c, ignore_index=True)


def reweighting_markdown_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a reader sees it: 'mean +- std' and 'diff [low, high]' cells."""
    shown = pd.DataFrame({"dataset": table["dataset"],
                          "method": [REWEIGHTING_METHODS.get(v, v) for v in table["variant"]],
                          "seeds": table["n_seeds"]})
    for name, label in (("clean_accuracy", "clean accuracy"), ("corrupted_accuracy", "corrupted accuracy")):
        shown[f"{label} %"] = [f"{m:.2f} +- {s:.2f}" for m, s in
                               zip(table[f"{name}_mean"], table[f"{name}_std"], strict=True)]
        shown[f"{label}: paired diff to SGD [95% CI]"] = [
            "" if np.isnan(d) else f"{d:+.2f} [{lo:+.2f}, {hi:+.2f}] {w}" for d, lo, hi, w in
            zip(table[f"{name}_diff"], table[f"{name}_diff_low"], table[f"{name}_diff_high"],
                table[f"{name}_verdict"], strict=True)]
    shown["noisy / clean weight (last epoch)"] = ["" if np.isnan(r) else f"{r:.3f}" for r in table["weight_ratio"]]
    shown["weighting function V"] = table["v_health"].fillna("")
    return shown


def published_reweighting() -> pd.DataFrame:
    """The published CIFAR-10 test accuracies (%) of the MW-Net paper's tables (setting, model, method, accuracy)."""
    with resources.files("robopt.evaluate").joinpath("published_reweighting.csv").open() as handle:
        return pd.read_csv(handle)


def published_scripts() -> str:
    """Which reference script each published number comes from, one sentence per published setting."""
    sentences = []
    for (setting, model), part in published_reweighting().groupby(["setting", "model"], sort=False):
        by_script = part.groupby("script", sort=False)["method"].apply(
            lambda methods: ", ".join(REWEIGHTING_METHODS.get(m, m) for m in methods))
        sentences.append(f"{setting}, {model}: " + "; ".join(f"{methods} from {script}"
                                                               for script, methods in by_script.items()) + ".")
    return " ".join(sentences)


def beside_published(table: pd.DataFrame, our_setting: str) -> pd.DataFrame:
    """Our clean accuracy per method (mean +- std, last epoch, at our scale) beside the published accuracy of the
    same method in each published setting (their scale, best epoch on the test set)."""
    published = published_reweighting()
    ours = table.set_index("variant")
    rows = []
    for method in REWEIGHTING_METHODS:
        row = {"method": REWEIGHTING_METHODS[method],
               f"ours: {our_setting} (last epoch) %": (f"{ours.loc[method, 'clean_accuracy_mean']:.2f} +- "
                                                         f"{ours.loc[method, 'clean_accuracy_std']:.2f}"
                                                         if method in ours.index else "")}
        for (setting, model), part in published.groupby(["setting", "model"], sort=False):
            value = part.loc[part["method"] == method, "accuracy"]
            row[f"published: {setting}, {model} (best test epoch) %"] = f"{value.iloc[0]:.2f}" if len(value) else ""
        rows.append(row)
    return pd.DataFrame(rows)
