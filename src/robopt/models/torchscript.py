"""Models stored as TorchScript or as exported programs: recognising such a file and reading a materialised external
model with the description written beside it (``robopt.external.materialise`` writes them)."""

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


def load_materialised(path: str | Path, device: str = "cpu") -> tuple[dict[str, Any], nn.Module]:
    """(description, module in eval mode on ``device``) of a materialised external model: an exported program or a
    TorchScript module."""
    from robopt.models.exported import is_exported_program, load_exported

    if is_exported_program(path):
        description, model = load_exported(path, device)
        return description, model.eval()
    extra = {DESCRIPTION: ""}
    model = load_torchscript(path, device, extra)
    return json.loads(extra[DESCRIPTION]), model.eval()
