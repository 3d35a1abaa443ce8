"""Image corruptions (Hendrycks & Dietterich) on batches of uint8 tensors, and the -C datasets.

Names are imported on first use: reading or writing a -C set (``robopt.corruptions.sets``) does not load the 19
corruption implementations.
"""

from robopt.lazy import lazy_exports

EXPORTS = {
    "CORRUPTIONS": "robopt.corruptions.engine",
    "add_gaussian_noise": "robopt.corruptions.engine",
    "corrupt_all_severities": "robopt.corruptions.engine",
    "corrupt_batch": "robopt.corruptions.engine",
    "make_generator": "robopt.corruptions.engine",
    "CorruptHalf": "robopt.corruptions.augment",
    "SEVERITIES": "robopt.corruptions.parameters",
    "severity_parameter": "robopt.corruptions.parameters",
    "CorruptedSet": "robopt.corruptions.sets",
    "read_corrupted": "robopt.corruptions.sets",
    "write_corrupted": "robopt.corruptions.sets",
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = sorted(EXPORTS)
