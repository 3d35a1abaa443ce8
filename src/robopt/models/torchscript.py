"""Models stored as TorchScript: recognising such a file, and reading and writing it with the description of a
materialised external model inside (``robopt.external.materialise`` writes them)."""

from __future__ import annotations

import contextlib
import json
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

#: The extra file inside a materialised TorchScript archive that describes the model.
DESCRIPTION = "robopt.json"


def is_torchscript(file: str | Path) -> bool:
    """Whether ``file`` is a TorchScript archive (a zip holding compiled code, unlike ``torch.save``'s)."""
    if not zipfile.is_zipfile(file):
        return False
    with zipfile.ZipFile(file) as archive:
        return any(name.split("/", 1)[-1].startswith("code/") for name in archive.namelist())


@contextlib.contextmanager
def reading_torchscript() -> Iterator[None]:
    """TorchScript is a format users bring; PyTorch's deprecation notice about it is not theirs to act on here."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*torch\.jit\.\w+` is deprecated", category=FutureWarning)
        yield


def load_torchscript(path: str | Path, device: str = "cpu", extra: dict[str, str] | None = None) -> nn.Module:
    with reading_torchscript():
        return torch.jit.load(str(path), map_location=device, _extra_files=extra if extra is not None else {})


def save_torchscript(model: torch.jit.ScriptModule, path: str | Path, description: dict[str, Any]) -> None:
    with reading_torchscript():
        torch.jit.save(model, str(path), _extra_files={DESCRIPTION: json.dumps(description)})
