"""Inner steps per second summed over a population of 4-layer CNNs: vectorised vs a Python loop over members, and
whole outer-training iterations against a baseline revision of robopt.

    git worktree add /tmp/robopt-baseline <commit>      # the revision to compare outer-training against
    python benchmarks/lopt_population.py --sizes 1 4 16 32 --baseline-src /tmp/robopt-baseline/src \
        --out benchmarks/results/lopt_population_cpu2.csv

One member step = forward + backward of the Metz et al. CNN on its own batch (128 images, 32 px) plus the
learned-optimizer update. Implementations: ``loop`` (baseline, one member at a time), ``grouped`` (population
folded into grouped convolutions) and ``vmap`` (torch.func). The CSV also gives the achieved FLOP/s as a fraction of
this machine's measured peak (large matmul and large convolution, measured in the same run).

Rows with implementation ``outer`` time ``OuterTrainer.outer_step`` end to end (unrolls, validation batches, resets,
meta-update) in member-steps/s; with ``--baseline-src`` the same measurement runs in a subprocess on that revision's
``src`` and ``outer_ratio_to_baseline`` compares the two (the goal of the horizon/pair changes: >= 0.95).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F

from robopt.io import write_csv
from robopt.lopt.mlp_optimizer import init_meta, init_state, learned_step
from robopt.lopt.population import CONFIG, init_population, losses_and_grads
from robopt.runtime import resolve_device


def forward_flops_per_image(size: int = 32) -> float:
    """Multiply-adds x 2 of the convolutions and the head for one 32 px image."""
    flops, channels, side = 0.0, 3, size
    for out_channels, stride in zip(CONFIG.channels, CONFIG.strides, strict=True):
        side = (side + 2 * (CONFIG.kernel_size // 2) - CONFIG.kernel_size) // stride + 1
        flops += 2 * channels * CONFIG.kernel_size**2 * out_channels * side * side
        channels = out_channels
    return flops + 2 * channels * 10


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def measured_peak(device: torch.device) -> dict[str, float]:
    """FLOP/s of a large float32 matmul and of a large 3x3 convolution on this device."""
    out = {}
    a = torch.randn(2048, 2048, device=device)
    x = torch.randn(128, 64, 32, 32, device=device)
    w = torch.randn(64, 64, 3, 3, device=device)
    for name, work, flops in [("matmul", lambda: a @ a, 2 * 2048**3), ("conv", lambda: F.conv2d(x, w, padding=1),
                                                                         2 * 128 * 64 * 64 * 9 * 32 * 32)]:
        work()
        synchronize(device)
        started, repeats = time.perf_counter(), 5
        for _ in range(repeats):
            work()
        synchronize(device)
        out[name] = repeats * flops / (time.perf_counter() - started)
    return out


def time_population(implementation: str, size: int, batch: int, steps: int, device: torch.device) -> float:
    """Member-steps per second (median-free: total time of ``steps`` after one warm-up step)."""
    generator = torch.Generator(device=device).manual_seed(0)
    params = init_population(size, 10, generator, device)
    state = init_state(params)
    meta = init_meta(0.003, torch.Generator().manual_seed(0)).to(device)[None].expand(size, -1)
    images = torch.rand(size, batch, 3, 32, 32, generator=generator, device=device)
    labels = torch.randint(0, 10, (size, batch), generator=generator, device=device)
    for step in range(steps + 1):
        if step == 1:
            synchronize(device)
            started = time.perf_counter()
        _, grads = losses_and_grads(params, images, labels, implementation)
        params, state = learned_step(meta, params, grads, state)
    synchronize(device)
    return size * steps / (time.perf_counter() - started)


def outer_block(pairs: int, batch: int, length: int) -> dict:
    """A complete ``lopt`` outer block (both the current and older revisions read the keys they know)."""
    truncation = {"start": length, "end": length, "ramp_iterations": 1, "jitter": 0.2, "horizon": 10**6}
    outer = {"iterations": 10**6, "pairs": pairs, "batch_size": batch, "truncation": truncation, "es_std": 0.001,
             "meta_lr": 0.001, "meta_beta1": 0.5, "meta_clip": 0.1, "reset_factor": 2.0, "eval_every": 10,
             "checkpoint_every": 10, "stagger": True, "progress_points": 10}
    return {"outer": outer, "corruption_mix": {"monitored": []}, "implementation": "auto"}


def time_outer_training(size: int, batch: int, iterations: int, length: int, device: torch.device) -> float:
    """Member-steps per second of whole outer iterations (every member step counted as it is computed)."""
    import robopt.lopt.outer as outer
    from robopt.data.synthetic import generate_synthetic
    from robopt.lopt import InnerData, Noise
    from robopt.lopt.settings import outer_settings

    counted = {"members": 0}
    real = outer.losses_and_grads

    def counting(params, images, labels, implementation="auto"):
        counted["members"] += images.shape[0]
        return real(params, images, labels, implementation)

    outer.losses_and_grads = counting
    data = InnerData.from_split(generate_synthetic(2000, seed=0), 0.1, 0, "cifar", device)
    trainer = outer.OuterTrainer(outer_settings(outer_block(max(1, size // 2), batch, length), seed=0), data,
                                 Noise("gaussian", sigma=0.05), device, init_meta(0.003, torch.Generator().manual_seed(0)))
    trainer.outer_step()  # warm-up
    synchronize(device)
    counted["members"], started = 0, time.perf_counter()
    for _ in range(iterations):
        trainer.outer_step()
    synchronize(device)
    outer.losses_and_grads = real
    return counted["members"] / (time.perf_counter() - started)


def baseline_outer_rates(source: Path, args: argparse.Namespace) -> dict[int, float]:
    """The ``outer`` rows measured by this script on another revision's ``src`` (a subprocess, same machine)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "baseline.csv"
        command = [sys.executable, __file__, "--outer-only", "--sizes", *map(str, args.sizes), "--batch",
                   str(args.batch), "--device", args.device, "--out", str(out)]
        environment = {**os.environ, "PYTHONPATH": str(source.resolve())}
        subprocess.run(command, check=True, env=environment)
        table = pd.read_csv(out)
    return dict(zip(table["population"], table["member_steps_per_s"], strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32, 64, 128, 256])
    parser.add_argument("--implementations", nargs="+", default=["loop", "grouped", "vmap"])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/lopt_population.csv"))
    parser.add_argument("--outer-iterations", type=int, default=3)
    parser.add_argument("--outer-length", type=int, default=10, help="scheduled unroll length of the outer rows")
    parser.add_argument("--baseline-src", type=Path, help="another revision's src/ to time the outer rows against")
    parser.add_argument("--outer-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    device = resolve_device(args.device)
    peak = measured_peak(device)
    step_flops = 3 * forward_flops_per_image() * args.batch  # forward + backward
    rows = []
    for size in args.sizes:
        if size >= 2:
            rate = time_outer_training(size, args.batch, args.outer_iterations, args.outer_length, device)
            rows.append({"population": size, "implementation": "outer", "member_steps_per_s": rate})
            print(f"P={size:4d} outer    {rate:9.1f} member-steps/s", flush=True)
        for implementation in [] if args.outer_only else args.implementations:
            rate = time_population(implementation, size, args.batch, args.steps, device)
            rows.append({"population": size, "implementation": implementation, "member_steps_per_s": rate,
                         "gflops_per_s": rate * step_flops / 1e9, "fraction_of_conv_peak": rate * step_flops / peak["conv"],
                         "fraction_of_matmul_peak": rate * step_flops / peak["matmul"]})
            print(f"P={size:4d} {implementation:8s} {rate:9.1f} member-steps/s", flush=True)
    table = pd.DataFrame(rows)
    if args.outer_only:
        write_csv(table, args.out)
        return
    loop = table[table["implementation"] == "loop"].set_index("population")["member_steps_per_s"]
    table["speedup_vs_loop"] = table["member_steps_per_s"] / table["population"].map(loop)
    if args.baseline_src is not None:
        baseline = baseline_outer_rates(args.baseline_src, args)
        is_outer = table["implementation"] == "outer"
        table.loc[is_outer, "baseline_member_steps_per_s"] = table.loc[is_outer, "population"].map(baseline)
        table["outer_ratio_to_baseline"] = table["member_steps_per_s"] / table["baseline_member_steps_per_s"]
    table["device"] = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu x{torch.get_num_threads()}"
    table["peak_matmul_gflops"] = peak["matmul"] / 1e9
    table["peak_conv_gflops"] = peak["conv"] / 1e9
    table["step_gflop"] = step_flops / 1e9
    write_csv(table, args.out)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
