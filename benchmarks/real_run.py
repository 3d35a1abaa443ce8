"""A short real-data run outside Snakemake: CIFAR-10, the paper-scale model and methods for a few epochs each, clean
and mean-corrupted accuracy on generated CIFAR-10-C (all 19 corruptions, 5 severities).

    python benchmarks/real_run.py --data resources/cifar10 --methods sgd damp --epochs 3 \
        --out benchmarks/results/real_run_gpu.csv [--seeds 0 1 --cells-out cells.csv]

Each method trains with ``config/config.yaml``'s CIFAR-10 settings (ResNet18, batch 128, its lr, weight decay and
method hyperparameters, bf16 on CUDA) except ``--epochs`` (the schedule is compressed to them) and evaluates on the
first ``--test-images`` test images. One row per (seed, method), seeds outermost so that a run cut short keeps
whole pairs: epochs, seconds of training and of evaluation, train, clean and mean-corrupted accuracy; ``--cells-out``
also keeps every (corruption, severity) cell. The CSVs are rewritten after each model, so a run cut short keeps what
it finished. A sanity check of the GPU path at scale, not a reproduction: the paper trains 300 epochs.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import pandas as pd
import torch

from robopt.config import load_config
from robopt.corruptions import CORRUPTIONS, corrupt_all_severities
from robopt.corruptions.sets import CorruptedSet
from robopt.data.cifar import read_cifar10
from robopt.data.prepare import channel_stats
from robopt.evaluate.evaluate import evaluate_model
from robopt.io import write_csv
from robopt.runtime import make_deterministic, resolve_device
from robopt.train import TrainSettings, fit
from robopt.variants import training_job, variants

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("resources/cifar10"))
    parser.add_argument("--methods", nargs="+", default=["sgd", "damp"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds (the pairs share each)")
    parser.add_argument("--test-images", type=int, default=2000)
    parser.add_argument("--train-images", type=int, help="a stratified subset (default: all 50,000)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/real_run.csv"))
    parser.add_argument("--cells-out", type=Path, help="every model's tidy metrics, one row per corruption cell")
    args = parser.parse_args()

    make_deterministic()
    device = resolve_device(args.device)
    config = load_config([REPO / "config" / "config.yaml"], REPO / "workflow" / "schemas" / "config.schema.yaml")
    splits = read_cifar10(args.data, download=False)
    train, test = splits["train"], splits["test"]
    mean, std = channel_stats(train.images)
    stats = {"mean": mean, "std": std, "corruption_scale": "cifar"}
    images, labels = test.images[: args.test_images].to(device), test.labels[: args.test_images]
    started = time.perf_counter()
    corrupted = [CorruptedSet(name, corrupt_all_severities(images, name, "cifar", seed=0).view(5, *images.shape).cpu(),
                              labels) for name in CORRUPTIONS.names()]
    corruption_seconds = time.perf_counter() - started
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    rows, cells = [], []
    for seed in args.seeds:
        for method in args.methods:
            job = training_job(config, "cifar10", variants(config, "cifar10")[method])
            settings = dataclasses.replace(TrainSettings.from_config(job, stats), epochs=args.epochs,
                                           train_images=args.train_images)
            started = time.perf_counter()
            model, history = fit(train, settings, seed=seed, device=device)
            train_seconds = time.perf_counter() - started
            started = time.perf_counter()
            metrics = evaluate_model(model, images.cpu(), labels, corrupted, mean, std)
            corrupted_rows = metrics[metrics["corruption"] != "clean"]
            rows.append({"device": name, "model": settings.model, "method": method, "seed": seed,
                         "epochs": args.epochs, "train_images": args.train_images or len(train),
                         "test_images": len(images), "train_seconds": train_seconds,
                         "epoch_seconds": train_seconds / args.epochs, "eval_seconds": time.perf_counter() - started,
                         "corruption_seconds": corruption_seconds,
                         "train_accuracy": float(history.query("metric == 'accuracy'")["value"].iloc[-1]),
                         "clean_accuracy": float(metrics.loc[metrics["corruption"] == "clean", "accuracy"].iloc[0]),
                         "mean_corrupted_accuracy": float(corrupted_rows["accuracy"].mean()),
                         "torch": torch.__version__})
            write_csv(pd.DataFrame(rows), args.out)
            if args.cells_out:
                cells.append(metrics.assign(method=method, seed=seed, epochs=args.epochs))
                write_csv(pd.concat(cells, ignore_index=True), args.cells_out)
            print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)

if __name__ == "__main__":
    main()
