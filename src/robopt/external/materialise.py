"""An external model as one self-contained file, so the evaluation rule reads it as it reads a trained ``model.pt``
(``load_trained``): an exported program (``torch.export``, the ``.pt2`` format) with its input normalisation
inside, or, for a TorchScript source (which ``torch.export`` cannot capture), that TorchScript module; either way
with a description of where it came from."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from robopt.external.sources import ExternalModelError, build_external


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
    ``external_models``) with its description, atomically: an exported program taking [0, 1] inputs (the
    normalisation inside), or a TorchScript source as TorchScript."""
    from robopt.io import atomic_path
    from robopt.models.exported import Normalised, export_model, save_exported
    from robopt.models.torchscript import save_torchscript

    where = f"external_models.{name}"
    model, stats = build_external(entry, meta["num_classes"], where)
    example = check_input(model, *input_size(meta), meta["num_classes"], where)
    description = {"model": f"external:{name}", "source": entry["source"], "arch": entry.get("arch"),
                   "num_classes": meta["num_classes"], "normalize": entry["normalize"]}
    if isinstance(model, torch.jit.ScriptModule):
        with atomic_path(path) as tmp:
            save_torchscript(model, tmp, {**description, **normalisation(entry, stats, meta)})
        return
    inputs = normalisation(entry, stats, meta)
    try:
        program = export_model(Normalised(model, inputs["mean"], inputs["std"]), example)
    except Exception as err:  # noqa: BLE001 - any failure to capture the model gets the same one-line message
        raise ExternalModelError(f"{where}: torch.export cannot capture this model ({type(err).__name__}: "
                                 f"{str(err).splitlines()[0][:200]}); data-dependent control flow is the usual cause. "
                                 "Save it as TorchScript (torch.jit.script(model).save(path)) and give that file as "
                                 "the source") from None
    description.update(mean=[0.0, 0.0, 0.0], std=[1.0, 1.0, 1.0], input_normalisation=inputs)
    with atomic_path(path) as tmp:
        save_exported(program, description, tmp)
