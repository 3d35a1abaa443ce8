"""Time and dispatched operators per training step of SGD, DAMP, DAAP, SAM and ASAM, as ratios to SGD (same run).

    python benchmarks/train_step.py --models small_cnn resnet18 --steps 10 --out benchmarks/results/train_step_cpu2.csv
    python benchmarks/train_step.py --config config/imagenet.yaml --recipe resnet50 --models resnet50 \
        --methods dropout damp sam asam --baseline dropout --batch 16 --image-size 224 --classes 1000 \
        --train-images 1281167 --out benchmarks/results/imagenet_step_cpu2.csv

The DAMP paper's claim is that DAMP costs what SGD costs; SAM and ASAM take two passes per step. Each method trains
the same model on the same random batch (batch 128, 32 px, CIFAR-10 shapes), with the hyperparameters that
``--config`` (default: the paper-scale config: M = 8 sub-batches for every sub-batch method) sets for
``--dataset``. Extra rows: ``sam_m1`` / ``asam_m1`` (one adversarial point for the whole batch, the cost SAM's
m-sharpness is measured against) and ``damp_loop`` (the M sub-batches one after another: the sequential reference).
With ``--recipe`` the settings are an ImageNet recipe's (``imagenet.recipes.<recipe>`` of ``--config``, whose data
need not exist here) and ``--baseline dropout`` is the ratios' reference (the camera-ready's baseline); ``epoch_seconds``
is the time of an epoch of ``--train-images`` at the measured step (for ImageNet's 1,281,167 images: the GPU-hour
estimate of README's ImageNet section).

``ops_per_step`` counts every ATen operator dispatched in one step (a ``TorchDispatchMode``), ``kernels_per_step``
those that are not views (a view launches no kernel): on a GPU each of them is a kernel launch, so this
CPU-measurable count is what a step pays there in launches. ``--modes eager compiled`` adds rows with the model
under ``torch.compile`` (as ``training.<dataset>.compile`` trains it; operators are then counted eagerly, and a
method that fails to compile gets its error in the ``error`` column). The CSV is rewritten after every row, so a run
cut short leaves the rows it finished.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from robopt.config import load_config
from robopt.io import write_csv
from robopt.models import build_model
from robopt.provenance import cpu_model
from robopt.runtime import resolve_device
from robopt.train import TrainSettings, build_method
from robopt.variants import training_job, variants

REPO = Path(__file__).resolve().parents[1]
#: What a dataset's meta.json would add to the settings; the step does not depend on it.
STATS = {"mean": [0.5] * 3, "std": [0.25] * 3, "corruption_scale": "cifar"}


def method_settings(config: dict, dataset: str, recipe: str | None = None) -> dict[str, TrainSettings]:
    """Each configured method's training settings on ``dataset`` (or of the ImageNet ``recipe``), as the DAG builds
    them."""
    if recipe is not None:
        from robopt.variants import imagenet_training_job, imagenet_variants

        return {method: TrainSettings.from_config(imagenet_training_job(config, recipe, method), STATS)
                for method in imagenet_variants(config, recipe)}
    return {method: TrainSettings.from_config(training_job(config, dataset, variant), STATS)
            for method, variant in variants(config, dataset).items() if method in config["methods"]}


def read_config(paths: list[Path]) -> dict:
    """The layered, validated config; its cross-key checks (which look for the data) are left out."""
    import yaml

    from robopt.config import merge_configs, validate_config

    config: dict = {}
    for path in paths:
        config = merge_configs(config, yaml.safe_load(path.read_text()) or {})
    validate_config(config, REPO / "workflow" / "schemas" / "config.schema.yaml")
    return config


class OperatorCount(TorchDispatchMode):
    """Counts the ATen operators dispatched inside the mode, and those that are not views."""

    def __init__(self) -> None:
        super().__init__()
        self.operators = self.kernels = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.operators += 1
        returns = func._schema.returns
        if not (returns and all(r.alias_info is not None and not r.alias_info.is_write for r in returns)):
            self.kernels += 1
        return func(*args, **(kwargs or {}))


def make_trainer(model_name: str, method: str, params: dict, settings: TrainSettings, device: torch.device,
                 classes: int = 10):
    torch.manual_seed(0)
    model = build_model(model_name, classes, **settings.model_options).to(device).train()
    if method == "damp_loop":
        from robopt.train.weight_noise import SequentialWeightNoise

        params = {**params, "bn_scope": "sub_batch"}
        return model, SequentialWeightNoise(build_method("damp", model, settings.optimizer, params))
    return model, build_method(method, model, settings.optimizer, params)


def count_operators(model, trainer, inputs, targets) -> tuple[int, int]:
    """(operators, kernels) of one step after a warm-up step."""
    trainer.step(model, inputs, targets)
    with OperatorCount() as count:
        trainer.step(model, inputs, targets)
    return count.operators, count.kernels


def time_steps(model, trainer, inputs, targets, steps: int, device: torch.device) -> float:
    """Median seconds per step after two warm-up steps."""
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
    parser.add_argument("--methods", nargs="+",
                        default=["sgd", "damp", "daap", "sam", "asam", "sam_m1", "asam_m1", "damp_loop"])
    parser.add_argument("--config", nargs="+", type=Path, default=[REPO / "config" / "config.yaml"])
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--modes", nargs="+", choices=["eager", "compiled"], default=["eager"])
    parser.add_argument("--recipe", help="an ImageNet recipe of --config instead of --dataset's settings")
    parser.add_argument("--baseline", default="sgd", help="the method the ratios divide by")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--train-images", type=int, default=50_000, help="images of an epoch (epoch_seconds)")
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/train_step.csv"))
    args = parser.parse_args()
    device = resolve_device(args.device)
    config = (read_config(args.config) if args.recipe else
              load_config(args.config, REPO / "workflow" / "schemas" / "config.schema.yaml"))
    settings = method_settings(config, args.dataset, args.recipe)
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else f"cpu x{torch.get_num_threads()} threads"
    rows = []
    for mode in args.modes:
        for model_name in args.models:
            steps = args.steps if model_name == "small_cnn" or device.type == "cuda" else max(3, args.steps // 5)
            for label in args.methods:
                base = label.removesuffix("_m1").removesuffix("_loop")
                params = dict(settings[base].method_params) | ({"sub_batches": 1} if label.endswith("_m1") else {})
                row = {"device": name, "mode": mode, "model": model_name, "method": label, "batch": args.batch,
                       "sub_batches": params.get("sub_batches", 1), "bn_scope": params.get("bn_scope", ""),
                       "steps_timed": steps, "error": ""}
                try:
                    row |= measure_step(model_name, label, base, params, settings[base], args.batch, steps, mode,
                                        device, args.image_size, args.classes, args.train_images)
                except Exception as err:  # noqa: BLE001 - a method that fails to compile is a result too
                    row["error"] = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
                rows.append(row)
                print(f"{mode:8s} {model_name:10s} {label:9s} {1000 * row.get('seconds_per_step', float('nan')):9.1f}"
                      f" ms/step {row.get('ops_per_step', 0):6d} ops {row['error']}", flush=True)
                table = with_ratios(pd.DataFrame(rows), args.baseline)
                write_csv(table, args.out)
    print(table[["mode", "model", "method", "seconds_per_step", "ratio_to_sgd", "ops_ratio_to_sgd",
                 "kernels_ratio_to_sgd"]].to_string(index=False))


def measure_step(model_name, label, base, params, settings, batch, steps, mode, device, image_size=32, classes=10,
                 train_images=50_000) -> dict:
    """Operators and seconds per step of one method (the model compiled when ``mode`` is ``compiled``)."""
    model, trainer = make_trainer(model_name, label if label == "damp_loop" else base, params, settings, device,
                                  classes)
    inputs = torch.randn(batch, 3, image_size, image_size, device=device)
    targets = torch.randint(0, classes, (batch,), device=device)
    if device.type == "cuda":  # as the training loop runs on CUDA
        model = model.to(memory_format=torch.channels_last)
        inputs = inputs.contiguous(memory_format=torch.channels_last)
    if hasattr(trainer, "attach_meta_set"):  # L2RW / MW-Net: meta batches from a random meta set of 1,000 images
        from robopt.data.format import ImageSplit
        from robopt.train.meta_step import MetaBatches

        meta = ImageSplit(torch.randint(0, 256, (1000, image_size, image_size, 3), dtype=torch.uint8),
                          torch.arange(1000) % classes, [str(c) for c in range(classes)])
        trainer.attach_meta_set(MetaBatches(meta, trainer.meta_batch_size, STATS["mean"], STATS["std"],
                                            settings.crop_padding, 0, device))
    operators, kernels = count_operators(model, trainer, inputs, targets)
    step_model = torch.compile(model) if mode == "compiled" else model
    seconds = time_steps(step_model, trainer, inputs, targets, steps, device)
    return {"seconds_per_step": seconds, "images_per_second": batch / seconds,
            "epoch_seconds": seconds * (train_images // batch), "ops_per_step": operators, "kernels_per_step": kernels}


def with_ratios(table: pd.DataFrame, baseline: str = "sgd") -> pd.DataFrame:
    """Each row's time, operators and kernels as ratios to the baseline's (SGD) of the same model and mode (the
    columns keep their ``_to_sgd`` names)."""
    for column, ratio in [("seconds_per_step", "ratio_to_sgd"), ("ops_per_step", "ops_ratio_to_sgd"),
                          ("kernels_per_step", "kernels_ratio_to_sgd")]:
        if column not in table:
            table[column] = float("nan")
        sgd = table[table["method"] == baseline].set_index(["model", "mode"])[column]
        keys = pd.MultiIndex.from_frame(table[["model", "mode"]])
        table[ratio] = table[column].to_numpy() / sgd.reindex(keys).to_numpy()
    table["torch"] = torch.__version__
    table["host"] = cpu_model()
    return table


if __name__ == "__main__":
    main()
