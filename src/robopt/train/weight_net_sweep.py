"""Choose Meta-Weight-Net's V optimizer and step size for a config's number of steps, scored on the meta set.

The references' V optimizers come with their step counts (the WRN script: SGD lr 1e-3 for 20,000 steps); a
reachable config runs far fewer, and V may then stay put, learn, or saturate. This trains the config's MW-Net once
per candidate (same seed, data and model initialisation) and ranks the candidates by the model's mean cross-entropy
on the meta set after the last epoch (lower is better; the test set is never read), with V's health
(``robopt.evaluate.reweighting.weight_net_health``) beside it. Needs the prepared split of the DAG:

    snakemake results/data/cifar10/train.pt --cores all --configfile <configs>
    python -m robopt.train.weight_net_sweep --configfile <configs> --candidate sgd:1e-3:5e-4 adam:1e-3:1e-4 \
        --out sweep.csv
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from robopt.errors import ConfigError

log = logging.getLogger(__name__)
SCHEMA = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "config.schema.yaml"


@dataclass(frozen=True)
class Candidate:
    """One V optimizer setting: its name (adam, sgd), learning rate and weight decay."""

    optimizer: str
    lr: float
    weight_decay: float

    @classmethod
    def parse(cls, text: str) -> Candidate:
        """``optimizer:lr:weight_decay``, e.g. ``sgd:1e-3:5e-4``."""
        parts = text.split(":")
        if len(parts) != 3:
            raise ConfigError(f"a candidate is optimizer:lr:weight_decay (e.g. sgd:1e-3:5e-4), got {text!r}")
        try:
            return cls(parts[0], float(parts[1]), float(parts[2]))
        except ValueError:
            raise ConfigError(f"lr and weight decay of candidate {text!r} must be numbers") from None

    def params(self) -> dict[str, Any]:
        return {"meta_optimizer": self.optimizer, "meta_lr": self.lr, "meta_weight_decay": self.weight_decay}


def final_meta_scores(history: pd.DataFrame) -> dict[str, float]:
    """The meta-set loss and accuracy after the last epoch of a training history."""
    meta = history[history["split"] == "meta"]
    last = meta[meta["epoch"] == meta["epoch"].max()].set_index("metric")["value"]
    return {"meta_loss": float(last["meta_loss"]), "meta_accuracy": float(last["meta_accuracy"])}


def rank_candidates(rows: pd.DataFrame) -> pd.DataFrame:
    """Candidates best first: lowest final meta loss, ties broken by higher meta accuracy; ``chosen`` marks the first."""
    ranked = rows.sort_values(["meta_loss", "meta_accuracy"], ascending=[True, False], ignore_index=True)
    ranked["chosen"] = ranked.index == 0
    return ranked


def sweep_weight_net(train: Any, block: dict[str, Any], metadata: dict[str, Any], candidates: list[Candidate],
                     seed: int, device: str = "cpu", out: str | Path | None = None) -> pd.DataFrame:
    """Train ``block``'s MW-Net once per candidate and rank them on the meta set (``rank_candidates``); with ``out``,
    the ranked table so far is written after every candidate, so a sweep cut short keeps what it finished."""
    from robopt.evaluate.reweighting import weight_net_health
    from robopt.io import write_csv
    from robopt.train.fit import TrainSettings, fit

    rows = []
    for candidate in candidates:
        job = {**block, "method_params": {**block["method_params"], **candidate.params()}}
        _, history = fit(train, TrainSettings.from_config(job, metadata), seed, device=device)
        labelled = history.assign(dataset="", variant="mwnet", seed=seed)
        health = weight_net_health(labelled)["v_health"].iloc[0]
        rows.append({"optimizer": candidate.optimizer, "lr": candidate.lr, "weight_decay": candidate.weight_decay,
                     "seed": seed, **final_meta_scores(history), "v_health": health})
        log.info("V %s lr %g: meta loss %.4f, meta accuracy %.4f, V %s", candidate.optimizer, candidate.lr,
                 rows[-1]["meta_loss"], rows[-1]["meta_accuracy"], health)
        if out is not None:
            write_csv(rank_candidates(pd.DataFrame(rows)), out)
    return rank_candidates(pd.DataFrame(rows))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configfile", nargs="+", required=True, help="the config files, layered as Snakemake does")
    parser.add_argument("--candidate", nargs="+", required=True, help="optimizer:lr:weight_decay of V, e.g. sgd:1e-3:5e-4")
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--results", default="results", help="the DAG's results folder (its prepared split)")
    parser.add_argument("--out", required=True, help="CSV of the candidates, best first")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    from robopt.config import load_config
    from robopt.data import load_meta, load_training_data
    from robopt.runtime import make_deterministic
    from robopt.variants import main_variant, training_job

    try:
        candidates = [Candidate.parse(text) for text in args.candidate]
        config = load_config(args.configfile, SCHEMA)
        if "mwnet" not in config["training"][args.dataset]["methods"]:
            raise ConfigError(f"training.{args.dataset}.methods has no mwnet block to sweep")
        split = Path(args.results) / "data" / args.dataset
        if not (split / "train.pt").exists():
            raise ConfigError(f"{split / 'train.pt'} is missing: build it first with snakemake {split / 'train.pt'} "
                              f"--cores all --configfile {' '.join(args.configfile)}")
    except ConfigError as err:
        sys.exit(f"error: {err}")
    make_deterministic(args.threads)
    block = training_job(config, args.dataset, main_variant(config, args.dataset, "mwnet"))
    table = sweep_weight_net(load_training_data(split / "train.pt"), block, load_meta(split / "meta.json"),
                             candidates, args.seed, out=args.out)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
