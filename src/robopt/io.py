"""Atomic file writing and checksums: a half-written file is never taken as done."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd



@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def save_torch(obj: Any, path: str | os.PathLike) -> None:
    """``torch.save`` that leaves either the old file or the complete new one."""
    import torch  # here: a table or figure job never pays for importing torch

    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a tidy table atomically, without the index."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


def prepend_columns(frame: pd.DataFrame, labels: dict[str, Any]) -> pd.DataFrame:
    """``frame`` with one constant column per ``labels`` entry in front, in order (which run a tidy row belongs to)."""
    for position, (column, value) in enumerate(labels.items()):
        frame.insert(position, column, value)
    return frame


def write_json(obj: Any, path: str | os.PathLike) -> None:
    """Write JSON atomically, indented and with sorted keys so diffs stay readable."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def write_text(text: str, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
