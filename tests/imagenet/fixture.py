"""A tiny ImageNet and its shifted test sets in the official release layouts: a few classes, a few small JPEGs each
(one flat colour per class with a little noise, so that a few steps of training learn something)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from robopt.corruptions.parameters import SEVERITIES
from robopt.data.imagenet_test_sets import IMAGENET_C, IMAGENET_C_BAR, IMAGENET_D_DOMAINS

WNIDS = ["n01440764", "n01443537", "n01484850"]
COLOURS = [(200, 40, 40), (40, 200, 40), (40, 40, 200)]


def write_jpeg(path: Path, colour: tuple[int, int, int], seed: int, size: tuple[int, int] = (40, 48)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    noise = np.random.default_rng(seed).integers(-30, 30, (*size, 3))
    Image.fromarray(np.clip(np.array(colour) + noise, 0, 255).astype(np.uint8)).save(path, quality=90)


def write_class_folders(folder: Path, per_class: int, seed: int, classes: range | None = None) -> None:
    for k in classes or range(len(WNIDS)):
        for i in range(per_class):
            write_jpeg(folder / WNIDS[k] / f"{WNIDS[k]}_{i}.JPEG", COLOURS[k], seed + 100 * k + i)


def write_corrupted_tree(folder: Path, corruptions: tuple[str, ...], per_class: int) -> None:
    for c, corruption in enumerate(corruptions):
        for severity in SEVERITIES:
            write_class_folders(folder / corruption / str(severity), per_class, 10_000 + 1000 * c + 10 * severity)


def write_imagenet_fixture(root: Path) -> dict[str, Path]:
    """ILSVRC-2012 (train 8 per class, val 2 per class in class folders) and every shifted test set of DAMP's
    tables; returns {test set: folder}."""
    write_class_folders(root / "imagenet" / "train", 8, 0)
    write_class_folders(root / "imagenet" / "val", 2, 50)
    sets = {name: root / name.replace("_", "-") for name in
            ("imagenet_c", "imagenet_c_bar", "imagenet_a", "imagenet_d", "imagenet_sketch", "imagenet_drawing",
             "imagenet_cartoon")}
    write_corrupted_tree(sets["imagenet_c"], IMAGENET_C, 1)
    write_corrupted_tree(sets["imagenet_c_bar"], IMAGENET_C_BAR, 1)
    write_class_folders(sets["imagenet_a"], 2, 70, classes=range(2))  # a subset of the classes, as ImageNet-A's 200
    for d, domain in enumerate(IMAGENET_D_DOMAINS):
        write_class_folders(sets["imagenet_d"] / domain, 1, 80 + d)
    for name in ("imagenet_sketch", "imagenet_drawing", "imagenet_cartoon"):
        write_class_folders(sets[name], 1, 90)
    return sets


def fixture_overlay(root: Path, sets: dict[str, Path]) -> str:
    """A config overlay of config/imagenet.yaml that points at the fixture."""
    lines = ["imagenet:", f"  root: {root / 'imagenet'}", "  test_sets:"]
    lines += [f"    {name}: {folder}" for name, folder in sets.items()]
    return "\n".join(lines) + "\n"


def write_listed_images(root: Path, sets: dict[str, Path]) -> int:
    """RobustBench's listed validation images of the fixture's classes, under their own file names, in val/ and in
    every ImageNet-C folder (beside the fixture's other images), those of severities 4 and 5 in the next class's
    colour (a colour classifier misses them); returns how many it lists."""
    from robopt.data.robustbench_imagenet import robustbench_image_ids

    listed = [image for image in robustbench_image_ids() if image.split("/")[0] in WNIDS]
    for n, image in enumerate(listed):
        k = WNIDS.index(image.split("/")[0])
        write_jpeg(root / "imagenet" / "val" / image, COLOURS[k], 500 + n, size=(60, 40))
        for c, corruption in enumerate(IMAGENET_C):
            for severity in SEVERITIES:
                colour = COLOURS[(k + (severity >= 4)) % len(COLOURS)]
                write_jpeg(sets["imagenet_c"] / corruption / str(severity) / image, colour, 20_000 + 100 * c + n)
    return len(listed)
