"""Models stored as exported programs (``torch.export``, ``.pt2``): recognising such a file, writing a materialised
external model with its input normalisation inside, and reading it back with the description saved beside it.

An exported program is a graph and its weights, read without unpickling code, and the format PyTorch recommends
in place of TorchScript's ``torch.jit.trace``; the batch dimension is exported as dynamic, so any batch size
evaluates.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from robopt.models.torchscript import DESCRIPTION


def is_exported_program(file: str | Path) -> bool:
    """Whether ``file`` is a ``torch.export`` archive (a zip whose ``archive_format`` says ``pt2``)."""
    if not zipfile.is_zipfile(file):
        return False
    with zipfile.ZipFile(file) as archive:
        marks = [name for name in archive.namelist() if name.split("/")[-1] == "archive_format"]
        return any(archive.read(name).strip() == b"pt2" for name in marks)


class Normalised(nn.Module):
    """``model((x - mean) / std)`` for x in [0, 1]: the normalisation inside, as RobustBench's models take inputs."""

    def __init__(self, model: nn.Module, mean: list[float], std: list[float]) -> None:
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model((x - self.mean) / self.std)


def export_model(model: nn.Module, example: torch.Tensor) -> torch.export.ExportedProgram:
    """``model`` (eval mode) exported for inputs shaped as ``example`` with any batch size."""
    batch = torch.export.Dim("batch", min=1)
    with torch.no_grad():
        return torch.export.export(model.eval(), (example,), dynamic_shapes=({0: batch},))


def save_exported(program: torch.export.ExportedProgram, description: dict[str, Any], path: str | Path) -> None:
    torch.export.save(program, str(path), extra_files={DESCRIPTION: json.dumps(description)})


class ExportedModule(nn.Module):
    """An exported program's module behind the ``nn.Module`` interface the evaluation uses: it was exported in eval
    mode, and ``train`` / ``eval`` (which the exported module refuses) only set the flag."""

    def __init__(self, program: torch.export.ExportedProgram) -> None:
        super().__init__()
        self.program = program.module()

    def train(self, mode: bool = True) -> ExportedModule:
        self.training = mode
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.program(x)


def load_exported(path: str | Path, device: str = "cpu") -> tuple[dict[str, Any], nn.Module]:
    """(description, module on ``device``) of an exported program; the description is {} for a file exported
    elsewhere (a user's own ``.pt2``)."""
    extra = {DESCRIPTION: ""}
    program = torch.export.load(str(path), extra_files=extra)
    return (json.loads(extra[DESCRIPTION]) if extra[DESCRIPTION] else {}), ExportedModule(program).to(device)
