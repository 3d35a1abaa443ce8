"""Keep a finished run's evidence beside the docs: its tables and figures, the config as run, per-seed numbers and
each job's seconds, so a results page can be checked without rerunning.

    python -m robopt.run_record results docs/results/<run> --configfile config/a.yaml config/b.yaml \
        --tables reweighting_cifar10 reweighting_vs_paper_cifar10 --figures reweighting_weights_cifar10
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pandas as pd
import yaml

from robopt.config import layered_config
from robopt.evaluate.reweighting import last_epoch_weights, weight_net_health
from robopt.evaluate.verdict import per_seed_errors

#: The history columns a per-seed row keeps from the last epoch (the split they are logged under, the metric).
LAST_EPOCH_METRICS = {"train_accuracy": ("train", "accuracy"), "meta_accuracy": ("meta", "meta_accuracy"),
                      "selected_epoch": ("meta", "selected_epoch")}


def job_seconds(results: Path) -> pd.DataFrame:
    """(rule, job, seconds) of every job's Snakemake benchmark file under ``results/benchmarks``."""
    rows = []
    for path in sorted((results / "benchmarks").glob("*/**/*.tsv")):
        seconds = pd.read_csv(path, sep="\t")["s"].iloc[0]
        rule = path.relative_to(results / "benchmarks").parts[0]
        job = str(path.relative_to(results / "benchmarks" / rule).with_suffix(""))
        rows.append({"rule": rule, "job": job, "seconds": round(float(seconds), 2)})
    return pd.DataFrame(rows, columns=["rule", "job", "seconds"])


def per_seed_table(metrics: pd.DataFrame, histories: pd.DataFrame) -> pd.DataFrame:
    """Per (variant, seed): clean and mean corrupted accuracy (%), the last epoch's training accuracy (on the
    training labels, noisy ones included) and meta-set accuracy (%), the weights of clean and biased examples, the
    early-stopping epoch and the weighting function's health, where a run logs them."""
    errors = per_seed_errors(metrics)
    table = pd.DataFrame({"variant": errors["variant"], "seed": errors["seed"],
                          "clean_accuracy": (100 - errors["clean"]).round(2),
                          "corrupted_accuracy": (100 - errors["corrupted_all"]).round(2)})
    last = histories[histories["epoch"] == histories.groupby(["variant", "seed"])["epoch"].transform("max")]
    for column, (split, metric) in LAST_EPOCH_METRICS.items():
        values = last[(last["split"] == split) & (last["metric"] == metric)]
        values = values.groupby(["variant", "seed"], as_index=False)["value"].last()
        values["value"] = values["value"] * (100 if column.endswith("accuracy") else 1)
        table = table.merge(values.rename(columns={"value": column}), on=["variant", "seed"], how="left")
    weights = last_epoch_weights(histories)
    if len(weights):
        table = table.merge(weights[["variant", "seed", "weight_clean", "weight_biased"]], on=["variant", "seed"],
                            how="left")
    health = weight_net_health(histories)
    if len(health):
        table = table.merge(health[["variant", "seed", "v_health"]], on=["variant", "seed"], how="left")
    return table.sort_values(["variant", "seed"], ignore_index=True)


def record_run(results: Path, dest: Path, configfiles: list[str], tables: list[str], figures: list[str]) -> None:
    """Copy the named tables (csv, md) and figures (png) of ``results`` into ``dest`` with the layered config, the
    per-seed numbers and the job seconds."""
    from robopt.evaluate.aggregate import read_histories

    dest.mkdir(parents=True, exist_ok=True)
    for name in tables:
        for suffix in (".csv", ".md"):
            shutil.copyfile(results / "tables" / f"{name}{suffix}", dest / f"{name}{suffix}")
    for name in figures:
        shutil.copyfile(results / "figures" / f"{name}.png", dest / f"{name}.png")
    header = f"# {' with '.join(configfiles)} layered in this order (as --configfile takes them)\n"
    (dest / "config.yaml").write_text(header + yaml.safe_dump(layered_config(configfiles), sort_keys=False))
    metrics = pd.read_csv(results / "tables" / "metrics.csv")
    histories = read_histories(sorted((results / "train").glob("*/*/seed*/history.csv")))
    per_seed_table(metrics, histories).to_csv(dest / "per_seed.csv", index=False)
    job_seconds(results).to_csv(dest / "job_seconds.csv", index=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--configfile", nargs="+", required=True)
    parser.add_argument("--tables", nargs="*", default=[])
    parser.add_argument("--figures", nargs="*", default=[])
    args = parser.parse_args(argv)
    record_run(args.results, args.dest, args.configfile, args.tables, args.figures)


if __name__ == "__main__":
    main()
