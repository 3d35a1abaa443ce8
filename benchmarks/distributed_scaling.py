"""Scaling of multi-rank jobs: 1 vs 2 processes (torchrun, gloo, 1 thread each) on the same global work.

    python benchmarks/distributed_scaling.py --out benchmarks/results/distributed_cpu2.csv   # from the repository root

Workloads: a training step (global batch 128, 32 px, 10 classes) of SGD and of DAMP (M = 8 sub-batches in all:
8 on one rank, 4 on each of two) for the small CNN and ResNet18, and one outer-training iteration of the learned
optimizer (8 antithetic pairs of the Metz et al. CNN, batch 32, 20 inner steps: the pairs sharded over the ranks).
Each row: ranks, throughput (images/s or member-steps/s over all ranks, median of the timed repeats) and
``scaling_efficiency`` = throughput / (ranks x the 1-rank throughput of the same workload, measured in the same run).
On 2 CPU cores with one thread per rank, 1.0 is perfect scaling.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from robopt.provenance import cpu_model

REPO = Path(__file__).resolve().parents[1]
BATCH, IMAGE, CLASSES = 128, 32, 10


def training_throughput(model_name: str, method: str, steps: int, world, device) -> float:
    """Global images/s of ``method``'s step on this rank's share of a fixed random batch."""
    from robopt.models import build_model
    from robopt.train import build_method
    from robopt.train.base import OptimizerSettings

    torch.manual_seed(0)
    model = build_model(model_name, CLASSES).to(device).train()
    params = {"sigma": 0.1, "sub_batches": 8, "bn_scope": "batch"} if method == "damp" else {}
    trainer = build_method(method, model, OptimizerSettings(0.01, 0.9, True, 5e-4, False, "sgd", 0.0, "all"), params)
    inputs = torch.randn(BATCH, 3, IMAGE, IMAGE, device=device)[world.rank::world.size]
    targets = torch.randint(CLASSES, (BATCH,), device=device)[world.rank::world.size]
    times = []
    for step in range(steps + 2):  # two warm-up steps
        started = time.perf_counter()
        trainer.step(model, inputs, targets)
        if step >= 2:
            times.append(time.perf_counter() - started)
    return BATCH / statistics.median(times)


def outer_throughput(repeats: int, world, device) -> float:
    """Global member-steps/s of an outer-training iteration (its unrolls, evaluations and meta-update)."""
    from robopt.config import load_config
    from robopt.data.synthetic import generate_synthetic
    from robopt.lopt import InnerData, Noise, OuterTrainer
    from robopt.lopt.initial import initial_candidates
    from robopt.lopt.settings import outer_settings

    lopt = load_config([REPO / "config" / "demo.yaml"], REPO / "workflow" / "schemas" / "config.schema.yaml")["lopt"]
    steps, pairs = 20, 8
    settings = dataclasses.replace(outer_settings(lopt, seed=0), iterations=repeats + 1, pairs=pairs, batch_size=32,
                                   truncation_start=steps, truncation_end=steps, truncation_jitter=0.0,
                                   horizon=10 * steps, eval_every=10, monitor=())
    data = InnerData.from_split(generate_synthetic(2000, seed=0), 0.2, 0, "cifar", device)
    trainer = OuterTrainer(settings, data, Noise("gaussian", sigma=0.05), device, initial_candidates([0.003])[0])
    times = []
    for repeat in range(repeats + 1):  # the first iteration warms up
        started = time.perf_counter()
        trainer.outer_step()
        if repeat:
            times.append(time.perf_counter() - started)
    return 2 * pairs * steps / statistics.median(times)


def measure(*, out: str, steps: int, repeats: int, models: list[str]) -> None:
    """Every workload on this rank's world; rank 0 writes the throughputs to ``out`` (JSON)."""
    from robopt.distributed import join_world, leave_world

    world, device = join_world("cpu")
    torch.set_num_threads(1)
    rows = [{"workload": f"train_{model}_{method}", "unit": "images/s",
             "throughput": training_throughput(model, method, steps, world, device)}
            for model in models for method in ("sgd", "damp")]
    rows.append({"workload": "outer_iteration", "unit": "member-steps/s",
                 "throughput": outer_throughput(repeats, world, device)})
    if world.is_main:
        Path(out).write_text(json.dumps([{**row, "ranks": world.size} for row in rows]))
    leave_world()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["small_cnn", "resnet18"])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/distributed.csv"))
    args = parser.parse_args()

    import pandas as pd

    from robopt.distributed.launch import run_job
    from robopt.io import write_csv

    sys.path.insert(0, str(REPO))  # the workers import `measure` from this module by its package name
    workload = importlib.import_module("benchmarks.distributed_scaling").measure
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for ranks in (1, 2):
            out = Path(folder) / f"ranks{ranks}.json"
            run_job(workload, {"out": str(out), "steps": args.steps, "repeats": args.repeats, "models": args.models},
                    ranks_per_node=ranks, threads=ranks, spec_path=Path(folder) / "job.pt")
            rows += json.loads(out.read_text())
    frame = pd.DataFrame(rows)
    single = frame[frame["ranks"] == 1].set_index("workload")["throughput"]
    frame["scaling_efficiency"] = frame["throughput"] / (frame["ranks"] * frame["workload"].map(single))
    frame["machine"] = f"{cpu_model()}, 1 thread per rank"
    frame["torch"] = torch.__version__
    write_csv(frame, args.out)
    print(frame.to_string(index=False))


if __name__ == "__main__":
    main()
