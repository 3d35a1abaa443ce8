"""Images/s of ImageNet training batches: robopt's loader against torchvision ``ImageFolder`` + ``DataLoader`` (the
named baseline), on a generated JPEG tree in the ILSVRC-2012 layout, in the same run.

    python benchmarks/imagenet_loader.py --images 512 --workers 2 --out benchmarks/results/imagenet_loader_cpu2.csv

Both produce the same training view (random-resized crop to 224, flip) from JPEGs of ImageNet's typical size
(about 500 x 375). robopt decodes a batch as a list (nvJPEG on CUDA, ``--workers`` threads on the CPU); the baseline
decodes with PIL in ``--workers`` worker processes. Each is timed over one pass after a warm-up batch.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from PIL import Image

from robopt.data.imagenet_loader import ImageNetBatches
from robopt.io import write_csv


def write_tree(root: Path, images: int, classes: int = 8) -> None:
    """Smooth random JPEGs (compress like photographs) at 500 x 375 in ``classes`` class folders."""
    rng = np.random.default_rng(0)
    for n in range(images):
        coarse = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
        image = Image.fromarray(coarse).resize((500, 375), Image.BICUBIC)
        path = root / "train" / f"n{n % classes:08d}" / f"{n}.JPEG"
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, quality=90)


def time_passes(batches, count: int) -> float:
    iterator = iter(batches)
    next(iterator)  # warm-up (thread/process start, first decode)
    started = time.perf_counter()
    seen = 0
    for images, _ in iterator:
        seen += len(images)
    return (seen or count) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks/imagenet_loader.csv"))
    args = parser.parse_args()
    from torchvision import datasets, transforms

    device = torch.device(args.device)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, args.images)
        ours = ImageNetBatches(train_only_index(root), args.batch, train=True, device=device, workers=args.workers)
        ours_rate = time_passes(ours, args.images)
        view = transforms.Compose([transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(),
                                   transforms.PILToTensor()])
        loader = torch.utils.data.DataLoader(datasets.ImageFolder(root / "train", view), batch_size=args.batch,
                                             shuffle=True, num_workers=args.workers, drop_last=True)
        baseline_rate = time_passes(loader, args.images)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu, {args.workers} workers"
    table = pd.DataFrame([
        {"loader": "robopt", "images_per_s": ours_rate},
        {"loader": "torchvision ImageFolder + DataLoader", "images_per_s": baseline_rate},
    ]).assign(ratio_to_baseline=lambda t: t["images_per_s"] / baseline_rate, device=name, images=args.images,
              batch=args.batch, torch=torch.__version__, host=platform.machine())
    write_csv(table, args.out)
    print(table.to_string(index=False))


def train_only_index(root: Path):
    """The training split's index (the generated tree has no validation folder)."""
    from robopt.data.imagenet import imagenet_classes, index_class_folders

    return index_class_folders(root / "train", imagenet_classes(root))


if __name__ == "__main__":
    main()
