"""Models registered by name; an unknown name lists the valid ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from torch import nn

from robopt.errors import UnknownNameError
from robopt.models.cifar_resnet import CIFAR_RESNETS
from robopt.models.imagenet import resnet50, vit_s16
from robopt.models.preact_resnet import PreActResNet18
from robopt.models.resnet import resnet18
from robopt.models.small_cnn import SmallCNN
from robopt.models.wide_resnet import wrn28_10
from robopt.registry import Registry

MODELS: Registry[Callable[[int], nn.Module]] = Registry("model")
MODELS.register("small_cnn")(SmallCNN)
MODELS.register("resnet18")(resnet18)
MODELS.register("preact_resnet18")(PreActResNet18)
MODELS.register("resnet50")(resnet50)
MODELS.register("vit_s16")(vit_s16)
MODELS.register("wrn28_10")(wrn28_10)
for _name, _builder in CIFAR_RESNETS.items():
    MODELS.register(_name)(_builder)


def model_options(name: str) -> tuple[str, ...]:
    """The keyword options model ``name`` takes besides its classes (ImageNet models: dropout, image_size)."""
    import inspect

    parameters = list(inspect.signature(MODELS.get(name)).parameters.values())[1:]
    return tuple(p.name for p in parameters)


def build_model(name: str, num_classes: int, **options: object) -> nn.Module:
    """A freshly initialised model ``name`` with ``num_classes`` outputs; ``options`` must be ones it takes."""
    unknown = sorted(set(options) - set(model_options(name)))
    if unknown:
        takes = ", ".join(model_options(name)) or "none"
        raise UnknownNameError(f"model {name} takes no option(s) {', '.join(unknown)} (its options: {takes})")
    return MODELS.get(name)(num_classes, **options)


__all__ = ["MODELS", "PreActResNet18", "SmallCNN", "build_model", "load_trained", "model_options", "resnet18", "resnet50", "save_trained",
           "vit_s16"]


def save_trained(model: nn.Module, name: str, num_classes: int, mean: list[float], std: list[float],
                 path: str | Path, options: dict[str, object] | None = None) -> None:
    """Write a trained model as ``model.pt`` (architecture, its options, classes, normalisation, weights),
    atomically."""
    from robopt.io import save_torch

    save_torch({"model": name, "num_classes": num_classes, "mean": list(mean), "std": list(std),
                "options": dict(options or {}), "state_dict": model.state_dict()}, path)


def load_trained(path: str | Path, device: str = "cpu") -> tuple[dict, nn.Module]:
    """(checkpoint dict, model in eval mode on ``device``) from a ``model.pt`` written by ``save_trained``, or from an
    external model's materialised file (an exported program or TorchScript; its description: model, mean, std,
    source)."""
    import torch

    from robopt.models.materialised import is_materialised, load_materialised

    if is_materialised(path):  # an external model, materialised
        return load_materialised(path, device)
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model = build_model(checkpoint["model"], checkpoint["num_classes"], **checkpoint.get("options", {}))
    model.load_state_dict(checkpoint["state_dict"])
    return checkpoint, model.to(device).eval()
