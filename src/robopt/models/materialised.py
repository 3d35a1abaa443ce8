"""Reading a materialised external model, whichever format ``robopt.external.materialise`` wrote it in: an
exported program or TorchScript, each with its description (model, mean, std, source) inside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from torch import nn

from robopt.models.exported import is_exported_program, load_exported
from robopt.models.torchscript import DESCRIPTION, is_torchscript, load_torchscript


def is_materialised(path: str | Path) -> bool:
    """Whether ``path`` holds a model in one of the materialised formats rather than a ``save_trained`` checkpoint."""
    return is_torchscript(path) or is_exported_program(path)


def load_materialised(path: str | Path, device: str = "cpu") -> tuple[dict[str, Any], nn.Module]:
    """(description, module in eval mode on ``device``) of a materialised external model."""
    if is_exported_program(path):
        description, model = load_exported(path, device)
        return description, model.eval()
    extra = {DESCRIPTION: ""}
    model = load_torchscript(path, device, extra)
    return json.loads(extra[DESCRIPTION]), model.eval()
