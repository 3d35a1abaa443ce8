"""Models stored as TorchScript: recognising such a file and reading a materialised external model with the
description written beside its code (``robopt.external.materialise`` writes them)."""

from __future__ import annotations

import json
import zipfile
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


def load_materialised(path: str | Path, device: str = "cpu") -> tuple[dict[str, Any], nn.Module]:
    """(description, module in eval mode on ``device``) of a materialised external model."""
    extra = {DESCRIPTION: ""}
    model = torch.jit.load(str(path), map_location=device, _extra_files=extra)
    return json.loads(extra[DESCRIPTION]), model.eval()
