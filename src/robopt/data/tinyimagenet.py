"""Reader for the official Tiny-ImageNet-200 layout; val is the labelled test split (as in DAMP)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from robopt.data.checks import require_files
from robopt.data.format import ImageSplit
from robopt.errors import DatasetFormatError, DatasetNotFoundError

URL = "http://cs231n.stanford.edu/tiny-imagenet-200.zip"
ZIP_MD5 = "90528d7ca1a48142e341f4ef8d21d0de"
FOLDER = "tiny-imagenet-200"
SIDE = 64
LAYOUT = """  <root>/tiny-imagenet-200/
      wnids.txt                                   (one WordNet id per line, 200 lines)
      words.txt                                   (wnid<TAB>human-readable names)
      train/<wnid>/images/<wnid>_<k>.JPEG         (500 per class)
      val/images/val_<k>.JPEG + val/val_annotations.txt (file<TAB>wnid<TAB>bbox)"""


def _download(root: Path) -> None:
    try:
        from torchvision.datasets.utils import download_and_extract_archive

        download_and_extract_archive(URL, str(root), md5=ZIP_MD5)
    except Exception as err:  # noqa: BLE001 - any network/archive failure means the same to the user
        raise DatasetNotFoundError(
            f"tinyimagenet: download of {URL} into {root} failed ({type(err).__name__}: {err}). "
            f"Without internet, unzip the official archive so that {root}/{FOLDER}/ exists and set "
            "`data.tinyimagenet.download: false`."
        ) from err


def _read_image(path: Path) -> np.ndarray:
    try:
        with Image.open(path) as image:
            array = np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise DatasetFormatError(f"{path} is truncated or not an image ({err})") from err
    if array.shape != (SIDE, SIDE, 3):
        raise DatasetFormatError(f"{path} has shape {array.shape}, expected ({SIDE}, {SIDE}, 3)")
    return array


def _class_names(folder: Path, wnids: list[str]) -> list[str]:
    words = {}
    for line in (folder / "words.txt").read_text().splitlines():
        wnid, _, name = line.partition("\t")
        words[wnid] = name.strip()
    return [words.get(wnid, wnid) for wnid in wnids]


def _as_split(paths: list[Path], labels: list[int], class_names: list[str]) -> ImageSplit:
    images = np.stack([_read_image(path) for path in paths]) if paths else np.zeros((0, SIDE, SIDE, 3), np.uint8)
    return ImageSplit(torch.from_numpy(images), torch.tensor(labels, dtype=torch.int64), class_names)


def read_wnids(root: str | Path) -> list[str]:
    """WordNet ids in class-index order (``wnids.txt``): the class folders of Tiny-ImageNet-C."""
    path = Path(root) / FOLDER / "wnids.txt"
    if not path.exists():
        raise DatasetNotFoundError(f"{path} is missing; it orders the classes of tinyimagenet (layout:\n{LAYOUT})")
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def read_tinyimagenet(root: str | Path, download: bool) -> dict[str, ImageSplit]:
    """Train (``train/``) and test (``val/``) splits; classes ordered as in ``wnids.txt``."""
    root = Path(root)
    folder = root / FOLDER
    if download and not (folder / "wnids.txt").exists():
        _download(root)
    require_files(
        folder, ["wnids.txt", "words.txt", "train", "val/images", "val/val_annotations.txt"],
        "tinyimagenet", "data.tinyimagenet", LAYOUT,
    )
    wnids = read_wnids(root)
    index = {wnid: k for k, wnid in enumerate(wnids)}
    class_names = _class_names(folder, wnids)

    train_paths, train_labels = [], []
    for wnid in wnids:
        files = sorted((folder / "train" / wnid / "images").glob("*.JPEG"))
        if not files:
            raise DatasetFormatError(f"tinyimagenet: no images in {folder / 'train' / wnid / 'images'}")
        train_paths += files
        train_labels += [index[wnid]] * len(files)

    val_paths, val_labels = [], []
    for number, line in enumerate((folder / "val" / "val_annotations.txt").read_text().splitlines(), 1):
        fields = line.split("\t")
        if len(fields) < 2 or fields[1] not in index:
            raise DatasetFormatError(f"{folder / 'val' / 'val_annotations.txt'} line {number} is malformed: {line!r}")
        val_paths.append(folder / "val" / "images" / fields[0])
        val_labels.append(index[fields[1]])
    return {
        "train": _as_split(train_paths, train_labels, class_names),
        "test": _as_split(val_paths, val_labels, class_names),
    }
