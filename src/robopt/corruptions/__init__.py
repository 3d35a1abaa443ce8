"""Image corruptions (Hendrycks & Dietterich) on batches of uint8 tensors, and the -C datasets."""

from robopt.corruptions.augment import CorruptHalf
from robopt.corruptions.engine import (
    CORRUPTIONS,
    add_gaussian_noise,
    corrupt_all_severities,
    corrupt_batch,
    make_generator,
)
from robopt.corruptions.parameters import SEVERITIES, severity_parameter
from robopt.corruptions.sets import CorruptedSet, read_corrupted, write_corrupted

__all__ = [
    "CORRUPTIONS",
    "CorruptHalf",
    "SEVERITIES",
    "CorruptedSet",
    "add_gaussian_noise",
    "corrupt_all_severities",
    "corrupt_batch",
    "make_generator",
    "read_corrupted",
    "severity_parameter",
    "write_corrupted",
]
