"""Checks shared by the dataset readers: presence, checksums and pickled batches."""

from __future__ import annotations

import hashlib
import pickle
import warnings
from pathlib import Path

import numpy as np

from robopt.errors import DatasetFormatError, DatasetNotFoundError


def require_files(folder: Path, names: list[str], dataset: str, config_key: str, layout: str) -> None:
    """Raise one message naming the missing files, the expected layout and the config key to set."""
    missing = [name for name in names if not (folder / name).exists()]
    if missing:
        raise DatasetNotFoundError(
            f"{dataset}: missing {', '.join(missing)} in {folder}.\n"
            f"Expected layout:\n{layout}\n"
            f"Put the official files there, point `{config_key}.root` at the folder that contains them, "
            f"or set `{config_key}.download: true` to fetch them (needs internet)."
        )


def md5_file(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def warn_on_checksum_mismatch(path: Path, expected_md5: str, dataset: str) -> bool:
    """Warn (naming the file) when ``path`` differs from the official release; return whether it matched."""
    actual = md5_file(path)
    if actual == expected_md5:
        return True
    warnings.warn(
        f"{dataset}: {path} does not match the official md5 (expected {expected_md5}, got {actual}); "
        "its pixels may differ from the official release (e.g. a re-encoded copy). Reading it anyway.",
        stacklevel=2,
    )
    return False


def unpickle(path: Path) -> dict:
    """Load a pickled batch of the official CIFAR python layout, reporting damage clearly."""
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle, encoding="latin1")
    except (EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, IndexError) as err:
        raise DatasetFormatError(f"{path} is truncated or corrupt ({type(err).__name__}: {err})") from err


def chw_rows_to_nhwc(rows: object, path: Path, side: int = 32) -> np.ndarray:
    """Official CIFAR rows (N x 3*side*side, channel-major) as an N x side x side x 3 array."""
    array = np.asarray(rows)
    if array.dtype != np.uint8 or array.ndim != 2 or array.shape[1] != 3 * side * side:
        raise DatasetFormatError(
            f"{path}: 'data' has shape {array.shape} and dtype {array.dtype}, expected (N, {3 * side * side}) uint8"
        )
    return array.reshape(-1, 3, side, side).transpose(0, 2, 3, 1)
