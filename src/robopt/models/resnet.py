"""ResNet18 for 32-px images, built from torchvision's ResNet with a CIFAR stem, as the DAMP reference code builds
it (github trungtrinh44/DAMP ``models/resnet.py``, ``ResNetBlockV1``: zero-initialised last BN scale of each block,
1x1 conv + BN projections, He-normal fan-out convolutions) with its head, U(+-1/sqrt(K)) weights and zero bias."""

from __future__ import annotations

from torch import nn

from robopt.models.heads import init_reference_head


def resnet18(num_classes: int) -> nn.Module:
    """torchvision ResNet18 with a 3x3 stride-1 stem, no max-pool, zero-init last BN of each block."""
    from torchvision.models import resnet18 as torchvision_resnet18  # imported where used: seconds at start-up

    model = torchvision_resnet18(num_classes=num_classes, zero_init_residual=True)
    model.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
    nn.init.kaiming_normal_(model.conv1.weight, mode="fan_out", nonlinearity="relu")
    model.maxpool = nn.Identity()
    init_reference_head(model.fc)
    return model
