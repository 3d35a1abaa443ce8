"""Time to build a CIFAR-10-C-sized set (19 corruptions x 5 severities x 10,000 images): robopt vs imagecorruptions.

    python benchmarks/corruptions.py --robopt-images 2000 --package-images 200 --out benchmarks/results/corruptions_cpu2.csv

robopt corrupts a batch of 32 px images per (corruption, severity) with ``corrupt_all_severities`` (threads over
blocks on CPU); the package corrupts one image at a time in a process pool over all cores, as a user would
parallelise it. Both are timed on samples and extrapolated to 10,000 images per severity; the CSV holds images/s
per corruption for each and the ratio, plus a total row (seconds for the whole CIFAR-10-C).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from robopt.corruptions import CORRUPTIONS, SEVERITIES, corrupt_all_severities
from robopt.data.synthetic import generate_synthetic
from robopt.io import write_csv
from robopt.provenance import cpu_model

FULL_IMAGES = 10_000


def package_chunk(task: tuple[np.ndarray, str]) -> int:
    """Corrupt a chunk image by image with imagecorruptions at every severity (runs in a worker process)."""
    import imagecorruptions

    images, name = task
    np.random.seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for severity in SEVERITIES:
            for image in images:
                imagecorruptions.corrupt(image, severity=severity, corruption_name=name)
    return len(images)


def time_package(images: np.ndarray, name: str, pool: ProcessPoolExecutor, workers: int) -> float:
    chunks = np.array_split(images, workers)
    package_chunk((images[:2], name))  # import and JIT-compile outside the timing
    list(pool.map(package_chunk, [(images[:2], name)] * workers))
    started = time.perf_counter()
    list(pool.map(package_chunk, [(chunk, name) for chunk in chunks]))
    return time.perf_counter() - started


def time_robopt(images: torch.Tensor, name: str, device: torch.device) -> float:
    corrupt_all_severities(images[:64].to(device), name, "cifar", seed=0)  # warm-up (caches, textures)
    if device.type == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    corrupt_all_severities(images.to(device), name, "cifar", seed=0)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--robopt-images", type=int, default=2000)
    parser.add_argument("--package-images", type=int, default=200)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--corruptions", nargs="+", default=CORRUPTIONS.names())
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/corruptions.csv"))
    args = parser.parse_args()

    device = torch.device(args.device)
    workers = os.cpu_count() or 1
    images = generate_synthetic(max(args.robopt_images, args.package_images), seed=0).images
    rows = []
    with ProcessPoolExecutor(workers) as pool:
        for name in args.corruptions:
            ours = time_robopt(images[: args.robopt_images], name, device)
            theirs = (time_package(images[: args.package_images].numpy(), name, pool, workers)
                      if args.package_images else float("nan"))  # 0: no baseline (imagecorruptions absent)
            row = {
                "corruption": name,
                "robopt_images_per_s": len(SEVERITIES) * args.robopt_images / ours,
                "package_images_per_s": len(SEVERITIES) * args.package_images / theirs,
            }
            row["speedup"] = row["robopt_images_per_s"] / row["package_images_per_s"]
            rows.append(row)
            print(f"{name:18s} robopt {row['robopt_images_per_s']:9.0f} img/s  package "
                  f"{row['package_images_per_s']:7.0f} img/s  x{row['speedup']:.1f}", flush=True)
    table = pd.DataFrame(rows)
    images_per_corruption = len(SEVERITIES) * FULL_IMAGES
    robopt_s = float((images_per_corruption / table["robopt_images_per_s"]).sum())
    package_s = float((images_per_corruption / table["package_images_per_s"]).sum(min_count=len(table)))
    total = {"corruption": "ALL (seconds for CIFAR-10-C)", "robopt_images_per_s": robopt_s,
             "package_images_per_s": package_s, "speedup": package_s / robopt_s}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table["device"] = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu x{torch.get_num_threads()}"
    table["package_workers"] = workers
    table["torch"] = torch.__version__
    table["machine"] = cpu_model()
    write_csv(table, args.out)
    print(f"CIFAR-10-C: robopt {robopt_s:.1f} s, imagecorruptions {package_s:.1f} s with {workers} processes, "
          f"ratio {package_s / robopt_s:.1f}x -> {args.out}")


if __name__ == "__main__":
    main()
