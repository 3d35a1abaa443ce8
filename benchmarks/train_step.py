"""Time per training step of SGD, DAMP, DAAP, SAM and ASAM, as ratios to SGD measured in the same run.

    python benchmarks/train_step.py --models small_cnn resnet18 --steps 20 --out results/benchmarks/train_step.csv

The DAMP paper's claim is that DAMP costs what SGD costs; SAM and ASAM take two passes per step.
Each method trains the same model on the same random batch (batch 128, 32 px, CIFAR-10 shapes), with the
hyperparameters that ``--config`` (default: the paper-scale config) sets for ``--dataset``.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import pandas as pd
import torch

from robopt.config import load_config
from robopt.io import write_csv
from robopt.models import build_model
from robopt.runtime import resolve_device
from robopt.train import TrainSettings, build_method
from robopt.variants import training_job, variants

REPO = Path(__file__).resolve().parents[1]
#: What a dataset's meta.json would add to the settings; the step does not depend on it.
STATS = {"mean": [0.5] * 3, "std": [0.25] * 3, "corruption_scale": "cifar"}


def method_settings(config: dict, dataset: str) -> dict[str, TrainSettings]:
    """Each configured method's training settings on ``dataset``, as the DAG builds them."""
    return {method: TrainSettings.from_config(training_job(config, dataset, variant), STATS)
            for method, variant in variants(config, dataset).items() if method in config["methods"]}


def time_steps(model_name: str, settings: TrainSettings, steps: int, batch: int, device: torch.device) -> float:
    """Median seconds per step after two warm-up steps."""
    torch.manual_seed(0)
    model = build_model(model_name, 10).to(device).train()
    trainer = build_method(settings.method, model, settings.optimizer, settings.method_params)
    inputs = torch.randn(batch, 3, 32, 32, device=device)
    targets = torch.randint(0, 10, (batch,), device=device)
    times = []
    for step in range(steps + 2):
        if device.type == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        trainer.step(model, inputs, targets)
        if device.type == "cuda":
            torch.cuda.synchronize()
        if step >= 2:
            times.append(time.perf_counter() - started)
    return float(torch.tensor(times).median())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["small_cnn", "resnet18"])
    parser.add_argument("--methods", nargs="+", default=["sgd", "damp", "daap", "sam", "asam"])
    parser.add_argument("--config", nargs="+", type=Path, default=[REPO / "config" / "config.yaml"])
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/train_step.csv"))
    args = parser.parse_args()
    device = resolve_device(args.device)
    settings = method_settings(load_config(args.config, REPO / "workflow" / "schemas" / "config.schema.yaml"),
                               args.dataset)
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else f"cpu x{torch.get_num_threads()} threads"
    rows = []
    for model_name in args.models:
        steps = args.steps if model_name == "small_cnn" or device.type == "cuda" else max(3, args.steps // 5)
        for method in args.methods:
            seconds = time_steps(model_name, settings[method], steps, args.batch, device)
            rows.append({"device": name, "model": model_name, "method": method, "batch": args.batch,
                         "steps_timed": steps, "seconds_per_step": seconds,
                         "epoch_seconds_cifar": seconds * (50_000 // args.batch)})
            print(f"{model_name:10s} {method:5s} {1000 * seconds:9.1f} ms/step", flush=True)
    table = pd.DataFrame(rows)
    sgd = table[table["method"] == "sgd"].set_index("model")["seconds_per_step"]
    table["ratio_to_sgd"] = table["seconds_per_step"] / table["model"].map(sgd)
    table["torch"] = torch.__version__
    table["host"] = platform.machine()
    write_csv(table, args.out)
    print(table[["model", "method", "seconds_per_step", "ratio_to_sgd"]].to_string(index=False))


if __name__ == "__main__":
    main()
