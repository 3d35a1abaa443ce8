"""ILSVRC-2012 (ImageNet-1k) in its official layout, indexed as file paths and labels: 1.28M JPEGs are never held
in memory; a loader decodes them batch by batch.

Layout (no download: ImageNet is licensed; ``root`` is the user's copy)::

    <root>/train/<wnid>/*.JPEG                        1,000 class folders (the sorted wnids are the class order)
    <root>/val/<wnid>/*.JPEG                          either validation in class folders, or flat:
    <root>/val/ILSVRC2012_val_00000001.JPEG ...       with the devkit's ground truth beside it:
    <root>/ILSVRC2012_devkit_t12/data/meta.mat
    <root>/ILSVRC2012_devkit_t12/data/ILSVRC2012_validation_ground_truth.txt

The flat validation labels follow torchvision's ``parse_devkit_archive`` (``datasets/imagenet.py``): the leaf synsets
of ``meta.mat`` (no children) map ILSVRC2012_ID -> wnid, and line i of the ground truth is the ID of the i-th
validation image in file-name order. Unlike torchvision this reads the extracted devkit (no archive, no checksum)
and leaves the folders as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from robopt.errors import DatasetFormatError, DatasetNotFoundError

DEVKIT = Path("ILSVRC2012_devkit_t12") / "data"
EXTENSIONS = (".jpeg", ".jpg", ".png")
LAYOUT = """  <root>/train/<wnid>/*.JPEG
  <root>/val/<wnid>/*.JPEG, or <root>/val/*.JPEG with <root>/ILSVRC2012_devkit_t12/data/{meta.mat,
  ILSVRC2012_validation_ground_truth.txt}"""


@dataclass(frozen=True)
class ImageIndex:
    """The images of one split: their paths and class indices into ``wnids``; ``scored_classes`` (sorted class
    indices) restricts predictions to a test set's classes where it has fewer than ``wnids`` (ImageNet-A)."""

    paths: list[Path]
    labels: torch.Tensor  # (N,) int64
    wnids: list[str]
    scored_classes: tuple[int, ...] | None = None

    def __len__(self) -> int:
        return len(self.paths)

    @property
    def num_classes(self) -> int:
        return len(self.wnids)


def image_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.suffix.lower() in EXTENSIONS)


def imagenet_classes(root: str | Path) -> list[str]:
    """The sorted wnids of ``<root>/train`` (the class order of every split)."""
    train = Path(root) / "train"
    if not train.is_dir():
        raise DatasetNotFoundError(f"imagenet: {train} is missing; ImageNet is licensed and never downloaded: "
                                   f"give the root of your copy of ILSVRC-2012, laid out as\n{LAYOUT}")
    wnids = sorted(path.name for path in train.iterdir() if path.is_dir())
    if not wnids:
        raise DatasetFormatError(f"imagenet: {train} has no class folders (expected {train}/<wnid>/*.JPEG)")
    return wnids


def index_class_folders(folder: Path, wnids: list[str]) -> ImageIndex:
    """A split laid out as ``<folder>/<wnid>/*.JPEG``; a folder of an unknown class is refused by name."""
    position = {wnid: k for k, wnid in enumerate(wnids)}
    unknown = sorted(path.name for path in folder.iterdir() if path.is_dir() and path.name not in position)
    if unknown:
        raise DatasetFormatError(f"imagenet: {folder} has class folders that train/ lacks: {', '.join(unknown[:5])}")
    paths, labels = [], []
    for wnid in wnids:
        files = image_files(folder / wnid) if (folder / wnid).is_dir() else []
        paths += files
        labels += [position[wnid]] * len(files)
    if not paths:
        raise DatasetFormatError(f"imagenet: no images in {folder}/<wnid>/")
    return ImageIndex(paths, torch.tensor(labels, dtype=torch.long), wnids)


def devkit_validation_wnids(root: Path) -> list[str]:
    """The wnid of each flat validation image, in file-name order, from the extracted devkit."""
    import scipy.io

    meta_path, truth_path = root / DEVKIT / "meta.mat", root / DEVKIT / "ILSVRC2012_validation_ground_truth.txt"
    for path in (meta_path, truth_path):
        if not path.exists():
            raise DatasetNotFoundError(f"imagenet: the flat val/ folder needs {path} (the extracted devkit; layout:\n"
                                       f"{LAYOUT})")
    synsets = scipy.io.loadmat(meta_path, squeeze_me=True)["synsets"]
    leaves = {int(entry[0]): str(entry[1]) for entry in synsets if int(entry[4]) == 0}  # ID, WNID, .., num_children
    try:
        return [leaves[int(line)] for line in truth_path.read_text().split()]
    except (KeyError, ValueError) as err:
        raise DatasetFormatError(f"imagenet: {truth_path} holds an ID that meta.mat lacks ({err})") from err


def index_validation(root: Path, wnids: list[str]) -> ImageIndex:
    folder = root / "val"
    if not folder.is_dir():
        raise DatasetNotFoundError(f"imagenet: {folder} is missing (layout:\n{LAYOUT})")
    if any(path.is_dir() for path in folder.iterdir()):
        return index_class_folders(folder, wnids)
    files = image_files(folder)
    truth = devkit_validation_wnids(root)
    if len(truth) != len(files):
        raise DatasetFormatError(f"imagenet: {folder} has {len(files)} images but the devkit's ground truth "
                                 f"{len(truth)} labels")
    position = {wnid: k for k, wnid in enumerate(wnids)}
    missing = sorted(set(truth) - set(position))
    if missing:
        raise DatasetFormatError(f"imagenet: validation classes missing from train/: {', '.join(missing[:5])}")
    return ImageIndex(files, torch.tensor([position[w] for w in truth], dtype=torch.long), wnids)


def read_imagenet_index(root: str | Path) -> dict[str, ImageIndex]:
    """``{"train": ..., "test": ...}``: the training split and the validation split (ImageNet's test set)."""
    root = Path(root)
    wnids = imagenet_classes(root)
    return {"train": index_class_folders(root / "train", wnids), "test": index_validation(root, wnids)}


#: The suffix of an indexed split (``robopt.data.load_training_data`` streams such a split instead of loading it).
INDEX_SUFFIX = ".index.pt"


def save_index(index: ImageIndex, root: str | Path, path: str | Path) -> None:
    """Write an indexed split (paths relative to ``root``) atomically: 1.28M files are listed once, not per job."""
    from robopt.io import save_torch

    root = Path(root)
    save_torch({"root": str(root), "wnids": index.wnids, "paths": [str(p.relative_to(root)) for p in index.paths],
                "labels": index.labels}, path)


def load_index(path: str | Path) -> ImageIndex:
    """The split written by ``save_index``."""
    path = Path(path)
    if not path.exists():
        raise DatasetNotFoundError(f"ImageNet index {path} is missing; run the index_imagenet rule first")
    payload = torch.load(path, map_location="cpu", weights_only=True)
    root = Path(payload["root"])
    return ImageIndex([root / p for p in payload["paths"]], payload["labels"], payload["wnids"])


def check_imagenet_root(root: str | Path, key: str) -> None:
    """Fail before any job when ``root`` (config key ``key``) does not hold ILSVRC-2012's train and val folders."""
    root = Path(root)
    missing = [f"{name}/" for name in ("train", "val") if not (root / name).is_dir()]
    if missing:
        raise DatasetNotFoundError(f"{key} = {root}: {', '.join(missing)} missing; ImageNet is licensed and never "
                                   f"downloaded: point {key} at your copy of ILSVRC-2012, laid out as\n{LAYOUT}")


#: The normalisation of the DAMP reference's ImageNet loaders (``MEAN_RGB``, ``STDDEV_RGB``), on [0, 1].
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def write_imagenet_index(root: str | Path, train_path: str | Path, val_path: str | Path,
                         meta_path: str | Path) -> dict:
    """Index ILSVRC-2012 at ``root`` once: the training and validation splits and a ``meta.json`` as the cached
    datasets have (classes, sizes, normalisation)."""
    from robopt.io import write_json

    splits = read_imagenet_index(root)
    save_index(splits["train"], root, train_path)
    save_index(splits["test"], root, val_path)
    meta = {"dataset": "imagenet", "root": str(root), "num_classes": len(splits["train"].wnids),
            "class_names": splits["train"].wnids, "splits": {name: len(index) for name, index in splits.items()},
            "mean": IMAGENET_MEAN, "std": IMAGENET_STD, "corruption_scale": "imagenet"}
    write_json(meta, meta_path)
    return meta
