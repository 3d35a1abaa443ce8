"""Datasets: official-layout readers, a synthetic dataset and one cached tensor format."""

from robopt.data.augment import normalize, random_crop_flip
from robopt.data.format import ImageSplit, check_images, load_meta, load_split, save_split
from robopt.data.prepare import CORRUPTION_SCALE, DATASETS, prepare_dataset, read_dataset
from robopt.data.splits import stratified_split

__all__ = [
    "CORRUPTION_SCALE",
    "DATASETS",
    "ImageSplit",
    "check_images",
    "load_meta",
    "load_split",
    "normalize",
    "prepare_dataset",
    "random_crop_flip",
    "read_dataset",
    "save_split",
    "stratified_split",
]
