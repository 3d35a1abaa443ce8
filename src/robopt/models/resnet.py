"""ResNet18 for 32-px images, built from torchvision's ResNet with a CIFAR stem (as in DAMP)."""

from __future__ import annotations

from torch import nn


def resnet18(num_classes: int) -> nn.Module:
    """torchvision ResNet18 with a 3x3 stride-1 stem, no max-pool, zero-init last BN of each block."""
    from torchvision.models import resnet18 as torchvision_resnet18  # imported where used: seconds at start-up

    model = torchvision_resnet18(num_classes=num_classes, zero_init_residual=True)
    model.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
    nn.init.kaiming_normal_(model.conv1.weight, mode="fan_out", nonlinearity="relu")
    model.maxpool = nn.Identity()
    return model
