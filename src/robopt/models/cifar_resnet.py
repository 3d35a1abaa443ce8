"""He et al. (2016) CIFAR ResNets (depth 6n + 2: ResNet-8/14/20/32), small BatchNorm ResNets a CPU can train.

Follows the paper's Sec. 4.2 architecture: a 3x3 convolution to 16 channels, three stages of n basic blocks with
16/32/64 channels (times ``width``), the first block of stages 2 and 3 at stride 2, global average pooling and the
classification head. Initialised as the DAMP reference initialises its ResNets (github trungtrinh44/DAMP
``models/resnet.py``, ``ResNetBlockV1``; our ``resnet18``): He-normal (fan-out) convolutions, the last BatchNorm
scale of each block zero, head U(+-1/sqrt(K)) weights with zero bias. Where it departs from He et al.: a block that
changes shape projects its shortcut with a 1x1 convolution and BatchNorm (the reference's and the paper's option B)
instead of the paper's CIFAR option A (zero-padded identity), so every model of the pipeline has the same block.
"""

from __future__ import annotations

from functools import partial

import torch
from torch import nn

from robopt.models.heads import init_convs_and_norms, init_reference_head

#: The depths registered as ``resnet<depth>``.
CIFAR_RESNET_DEPTHS = (8, 14, 20, 32)


class BasicBlock(nn.Module):
    """conv-BN-ReLU-conv-BN plus the shortcut, then ReLU (He et al. 2016, Fig. 2 left)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        changes_shape = stride != 1 or in_channels != out_channels
        self.shortcut = (
            nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False), nn.BatchNorm2d(out_channels))
            if changes_shape
            else nn.Identity()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    """ResNet-(6n+2) for 32-px images with ``n = (depth - 2) / 6`` blocks per stage."""

    def __init__(self, num_classes: int, depth: int = 20, width: int = 1) -> None:
        super().__init__()
        if depth < 8 or (depth - 2) % 6:
            raise ValueError(f"a CIFAR ResNet's depth is 6n + 2 with n >= 1 (8, 14, 20, 32, ...), got {depth}")
        if width < 1:
            raise ValueError(f"width multiplier must be >= 1, got {width}")
        blocks = (depth - 2) // 6
        widths = [16 * width, 32 * width, 64 * width]
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU())
        layers: list[nn.Module] = []
        in_channels = widths[0]
        for stage, channels in enumerate(widths):
            for index in range(blocks):
                stride = 2 if stage > 0 and index == 0 else 1
                layers.append(BasicBlock(in_channels, channels, stride))
                in_channels = channels
        self.blocks = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(in_channels, num_classes)
        self._initialise()

    def _initialise(self) -> None:
        init_convs_and_norms(self)
        for module in self.modules():
            if isinstance(module, BasicBlock):
                nn.init.zeros_(module.bn2.weight)
        init_reference_head(self.fc)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))


def cifar_resnet(depth: int, num_classes: int, width: int = 1) -> CifarResNet:
    """The registered builder of ``resnet<depth>``: classes first, as every model of the registry."""
    return CifarResNet(num_classes, depth=depth, width=width)


#: ``resnet8`` ... ``resnet32`` -> builder(num_classes, width=1).
CIFAR_RESNETS = {f"resnet{depth}": partial(cifar_resnet, depth) for depth in CIFAR_RESNET_DEPTHS}
