"""Where an external model comes from: ``file:<path>``, ``torchvision:<arch>``, ``timm:<arch>`` or
``robustbench:<name>``; each builds an ``nn.Module`` offline or fails with a message naming the model, the key and
the file.

``file:`` reads this pipeline's ``model.pt``, an exported program (``torch.export``, ``.pt2``), a TorchScript file,
or a ``state_dict`` (bare, or wrapped under ``state_dict``, ``model`` or ``net`` as training checkpoints keep it,
with or without DataParallel's ``module.`` prefix) whose architecture the entry's ``arch`` names (a model of the
pipeline's registry, ``torchvision:<arch>`` or ``timm:<arch>``).
``torchvision:`` and ``timm:`` build the architecture with random weights (``weights=None`` /
``pretrained=False``: nothing is downloaded) and load the entry's ``weights`` file. ``robustbench:`` calls
RobustBench's own ``load_model`` (github RobustBench/robustbench ``robustbench/utils.py``) only when the optional
extra is installed and the checkpoint already sits at ``<model_dir>/<dataset>/corruptions/<name>.pt``, where
``load_model`` looks before it downloads. Untrusted files are read with ``weights_only=True``; a pickle holding
more than tensors is refused with how to re-save it.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from robopt.errors import ConfigError
from robopt.models.exported import is_exported_program, load_exported
from robopt.models.torchscript import is_torchscript, load_torchscript

SOURCES = ("file", "torchvision", "timm", "robustbench")


class ExternalModelError(ConfigError):
    """An external model that cannot be built: its file, architecture or weights."""


def parse_source(source: str, where: str) -> tuple[str, str]:
    """(kind, rest) of ``kind:rest``; an unknown kind lists the valid ones."""
    kind, _, rest = source.partition(":")
    if kind not in SOURCES or not rest:
        raise ExternalModelError(f"{where}.source = {source!r}: expected one of "
                                 f"{', '.join(k + ':<...>' for k in SOURCES)}")
    return kind, rest


def existing_file(path: str | None, where: str, key: str) -> Path:
    if not path:
        raise ExternalModelError(f"{where}.{key} is needed: the path of the weights file (nothing is downloaded)")
    file = Path(path)
    if not file.is_file():
        raise ExternalModelError(f"{where}.{key}: {file} does not exist; put the file there or point {key} at it")
    return file


def build_architecture(arch: str, num_classes: int, where: str) -> nn.Module:
    """A randomly initialised ``arch``: a registry model, ``torchvision:<name>`` or ``timm:<name>``."""
    kind, _, name = arch.partition(":")
    try:
        if kind == "torchvision" and name:
            import torchvision

            return torchvision.models.get_model(name, weights=None, num_classes=num_classes)
        if kind == "timm" and name:
            import timm

            if not timm.is_model(name):
                raise ExternalModelError(f"{where}: timm has no architecture {name!r}")
            return timm.create_model(name, pretrained=False, num_classes=num_classes)
        from robopt.models import build_model

        return build_model(arch, num_classes)
    except ExternalModelError:
        raise
    except (ValueError, KeyError, RuntimeError) as err:
        raise ExternalModelError(f"{where}: unknown architecture {arch!r} ({str(err).splitlines()[0]})") from None


def load_weights(model: nn.Module, state: Mapping[str, torch.Tensor], where: str, file: Path) -> nn.Module:
    """``state`` into ``model``; keys or shapes that do not fit are named, with the file."""
    try:
        model.load_state_dict(dict(state), strict=True)
    except RuntimeError as err:
        first = str(err).splitlines()
        detail = "; ".join(line.strip() for line in first[1:3]) or first[0]
        raise ExternalModelError(f"{where}: the weights in {file} do not fit the architecture ({detail[:300]})") from None
    return model


#: Keys under which training scripts commonly wrap a state_dict in a checkpoint.
STATE_WRAPPERS = ("state_dict", "model", "net")


def is_state_dict(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and all(isinstance(v, torch.Tensor) for v in value.values())


def unwrap_state(state: Any) -> Any:
    """A state_dict as people save it: taken out of a ``{'state_dict' | 'model' | 'net': ...}`` checkpoint, and
    without the ``module.`` prefix that DataParallel / DistributedDataParallel add to every key."""
    if isinstance(state, Mapping) and not is_state_dict(state):
        wrapped = [state[key] for key in STATE_WRAPPERS if is_state_dict(state.get(key))]
        state = wrapped[0] if wrapped else state
    if is_state_dict(state) and all(key.startswith("module.") for key in state):
        state = {key.removeprefix("module."): value for key, value in state.items()}
    return state


def read_torch_file(file: Path, where: str) -> Any:
    """The tensors of a ``torch.save`` file, unpickled with ``weights_only=True``: a file whose pickle holds anything
    else (objects, code to run on load) is refused for safety, with how to re-save it, never loaded."""
    try:
        return torch.load(file, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        reason = str(err).splitlines()[0][:160]
        raise ExternalModelError(
            f"{where}: refused to load {file} for safety: its pickle holds more than tensors ({reason}), and "
            "unpickling it could run code. Do not load an untrusted file with weights_only=False; where "
            "you trust it, re-save the weights as a state_dict (torch.save(model.state_dict(), path), with arch in "
            "the entry) or the model as an exported program (torch.export.save(torch.export.export(model, "
            "(example,)), 'model.pt2'))") from None
    except Exception as err:  # noqa: BLE001 - any unreadable file gets the same one-line message
        raise ExternalModelError(f"{where}: cannot read {file} as PyTorch weights ({type(err).__name__}: "
                                 f"{str(err).splitlines()[0][:200]})") from None


def from_file(file: Path, entry: Mapping[str, Any], num_classes: int, where: str) -> tuple[nn.Module, dict]:
    """A TorchScript module, this pipeline's ``model.pt`` (its normalisation returned), or a bare state_dict with
    the entry's ``arch``."""
    if is_exported_program(file):  # an exported program (.pt2): taken as it is, its normalisation the entry's
        return load_exported(file)[1], {}
    if is_torchscript(file):
        return load_torchscript(file), {}
    state = read_torch_file(file, where)
    if isinstance(state, dict) and "state_dict" in state and "model" in state:  # this pipeline's model.pt
        from robopt.models import build_model

        model = build_model(state["model"], state["num_classes"], **state.get("options", {}))
        return load_weights(model, state["state_dict"], where, file), {"mean": state["mean"], "std": state["std"]}
    state = unwrap_state(state)
    if not is_state_dict(state):
        raise ExternalModelError(f"{where}: {file} is neither TorchScript, a model.pt nor a state_dict (also looked "
                                 f"under the keys {', '.join(STATE_WRAPPERS)})")
    if not entry.get("arch"):
        raise ExternalModelError(f"{where}.arch is needed: {file} holds a bare state_dict (name its architecture: "
                                 "a pipeline model, torchvision:<name> or timm:<name>)")
    return load_weights(build_architecture(entry["arch"], num_classes, where), state, where, file), {}


def from_robustbench(name: str, entry: Mapping[str, Any], dataset: str, where: str) -> nn.Module:
    """RobustBench's ``load_model`` on a checkpoint already in its model folder (never a download)."""
    checkpoint = Path(entry["model_dir"]) / dataset / "corruptions" / f"{name}.pt"
    if not checkpoint.is_file():
        raise ExternalModelError(f"{where}: RobustBench's checkpoint {checkpoint} does not exist; download it once "
                                 f"where there is internet and put it there ({where}.model_dir)")
    try:
        from robustbench.utils import load_model
    except ImportError as err:
        raise ExternalModelError(f"{where}: robustbench:{name} needs the optional extra: pip install "
                                 f"'robopt[robustbench]' ({err})") from None
    return load_model(model_name=name, model_dir=str(entry["model_dir"]), dataset=dataset,
                      threat_model="corruptions")


def build_external(entry: Mapping[str, Any], num_classes: int, where: str) -> tuple[nn.Module, dict]:
    """(model in eval mode, normalisation it came with: {} or {mean, std}) of one ``external_models`` entry."""
    kind, rest = parse_source(entry["source"], where)
    if kind == "file":
        model, stats = from_file(existing_file(rest, where, "source"), entry, num_classes, where)
    elif kind == "robustbench":
        model, stats = from_robustbench(rest, entry, entry["dataset"], where), {}
    else:
        file = existing_file(entry.get("weights"), where, "weights")
        state = unwrap_state(read_torch_file(file, where))
        model = load_weights(build_architecture(f"{kind}:{rest}", num_classes, where), state, where, file)
        stats = {}
    return model.eval(), stats
