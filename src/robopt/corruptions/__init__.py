"""Image corruptions (Hendrycks & Dietterich) on batches of uint8 tensors, and the -C datasets.

Names are imported on first use: reading or writing a -C set (``robopt.corruptions.sets``) does not load the 19
corruption implementations.
"""

from robopt.lazy import lazy_exports

EXPORTS = {
    "robopt.corruptions.engine": ("CORRUPTIONS", "add_gaussian_noise", "corrupt_all_severities", "corrupt_batch",
                                  "make_generator"),
    "robopt.corruptions.augment": ("CorruptHalf",),
    "robopt.corruptions.parameters": ("SEVERITIES", "severity_parameter"),
    "robopt.corruptions.sets": ("CorruptedSet", "read_corrupted", "write_corrupted"),
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = sorted(name for names in EXPORTS.values() for name in names)


def __dir__() -> list[str]:
    """The lazily imported names too, so that ``dir()`` and completion list them."""
    return sorted({*globals(), *__all__})
