"""An external model as one self-contained file: its module traced to TorchScript with the normalisation it takes
and where it came from, so the evaluation rule reads it as it reads a trained ``model.pt`` (``load_trained``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from robopt.external.sources import ExternalModelError, build_external
from robopt.models.torchscript import DESCRIPTION


def normalisation(entry: Mapping[str, Any], stats: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, list]:
    """{mean, std} the model's inputs are normalised with: none for a model that normalises inside (RobustBench's
    convention: inputs in [0, 1]), else the file's own, the entry's or the dataset's statistics."""
    if entry["normalize"] == "inside":
        return {"mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]}
    return {key: list(entry.get(key) or stats.get(key) or meta[key]) for key in ("mean", "std")}


def input_size(meta: Mapping[str, Any]) -> tuple[int, int]:
    """The (height, width) the model is evaluated at: the prepared test split's, or ImageNet's 224 x 224 view."""
    if meta.get("dataset") == "imagenet":
        from robopt.imagenet_protocol import EVAL_SIZE

        return EVAL_SIZE, EVAL_SIZE
    return tuple(meta["splits"]["test"]["shape"][1:3])


def check_input(model: nn.Module, height: int, width: int, num_classes: int, where: str) -> torch.Tensor:
    """One forward of a zero batch at the dataset's image size: a model that cannot take it, or gives another number
    of classes, is named."""
    example = torch.zeros(2, 3, height, width)
    try:
        with torch.no_grad():
            logits = model(example)
    except Exception as err:  # noqa: BLE001 - any failure of the forward is the same one-line message
        raise ExternalModelError(f"{where}: the model cannot take {height}x{width} images of its dataset "
                                 f"({type(err).__name__}: {str(err).splitlines()[0][:200]})") from None
    if not isinstance(logits, torch.Tensor) or tuple(logits.shape) != (2, num_classes):
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ExternalModelError(f"{where}: the model gives {shape} for 2 images, expected (2, {num_classes}) logits")
    return example


def materialise(entry: Mapping[str, Any], name: str, meta: Mapping[str, Any], path: str | Path) -> None:
    """Build, check (at the dataset's image size) and write the external model ``name`` (entry of
    ``external_models``) as TorchScript with its description, atomically."""
    from robopt.io import atomic_path

    where = f"external_models.{name}"
    model, stats = build_external(entry, meta["num_classes"], where)
    example = check_input(model, *input_size(meta), meta["num_classes"], where)
    if not isinstance(model, torch.jit.ScriptModule):
        try:
            with torch.no_grad():
                model = torch.jit.trace(model, example, check_trace=False)
        except Exception as err:  # noqa: BLE001
            raise ExternalModelError(f"{where}: the model cannot be traced to TorchScript ({type(err).__name__}: "
                                     f"{str(err).splitlines()[0][:200]})") from None
    description = {"model": f"external:{name}", "source": entry["source"], "arch": entry.get("arch"),
                   "num_classes": meta["num_classes"], "normalize": entry["normalize"],
                   **normalisation(entry, stats, meta)}
    with atomic_path(path) as tmp:
        torch.jit.save(model, str(tmp), _extra_files={DESCRIPTION: json.dumps(description)})
