"""The lr schedule, the SGD method and the resumable, deterministic training loop."""

from __future__ import annotations

import torch

from robopt.models import build_model


def test_resnet18_has_cifar_stem():
    model = build_model("resnet18", 10)
    assert model.conv1.kernel_size == (3, 3) and model.conv1.stride == (1, 1)
    assert isinstance(model.maxpool, torch.nn.Identity)
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_preact_resnet18_on_64px():
    model = build_model("preact_resnet18", 200)
    assert model(torch.zeros(2, 3, 64, 64)).shape == (2, 200)
    assert sum(p.numel() for p in model.parameters()) > 11_000_000
