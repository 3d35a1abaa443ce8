"""Datasets: official-layout readers, a synthetic dataset and one cached tensor format.

The readers (``robopt.data.prepare``, which loads PIL and the readers' modules) are imported on first use: a job
that only loads a cached split does not pay for them.
"""

from robopt.data.augment import normalize, random_crop_flip
from robopt.data.format import ImageSplit, load_meta, load_split, load_training_data, save_split
from robopt.data.splits import stratified_split
from robopt.images import check_images
from robopt.lazy import lazy_exports

__getattr__ = lazy_exports(__name__, {"robopt.data.prepare": ("CORRUPTION_SCALE", "DATASETS", "prepare_dataset",
                                                              "read_dataset")})

__all__ = [
    "CORRUPTION_SCALE",
    "DATASETS",
    "ImageSplit",
    "check_images",
    "load_meta",
    "load_split",
    "load_training_data",
    "normalize",
    "prepare_dataset",
    "random_crop_flip",
    "read_dataset",
    "save_split",
    "stratified_split",
]
