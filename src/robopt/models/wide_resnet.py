"""Wide ResNet (Zagoruyko & Komodakis 2016), WRN-28-10: the network of the L2RW and MW-Net CIFAR label-noise
experiments.

Follows the WideResNet of github xjtushujun/meta-weight-net (itself xternalz/WideResNet-pytorch): a 3x3 convolution
to 16 channels, three groups of (depth - 4) / 6 pre-activation blocks (BN-ReLU-conv3x3, dropout, BN-ReLU-conv3x3)
with 16k / 32k / 64k channels, the first block of groups 2 and 3 at stride 2 with a 1x1 projection shortcut, then
BN-ReLU, global average pooling and the head; He-normal (fan-out) convolutions, BN scale 1, zero biases.
"""

from __future__ import annotations

import torch
from torch import nn

from robopt.models.heads import init_convs_and_norms


class WideBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int, dropout: float) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.shortcut = (nn.Conv2d(in_channels, out_channels, 1, stride, bias=False)
                         if stride != 1 or in_channels != out_channels else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        activated = torch.relu(self.bn1(x))
        out = self.conv2(self.dropout(torch.relu(self.bn2(self.conv1(activated)))))
        return out + (self.shortcut(activated) if self.shortcut is not None else x)


class WideResNet(nn.Module):
    def __init__(self, num_classes: int, depth: int = 28, widen: int = 10, dropout: float = 0.0) -> None:
        super().__init__()
        if (depth - 4) % 6:
            raise ValueError(f"a Wide ResNet has depth 6n + 4, got {depth}")
        blocks, widths = (depth - 4) // 6, [16, 16 * widen, 32 * widen, 64 * widen]
        layers: list[nn.Module] = [nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)]
        for group in range(3):
            for b in range(blocks):
                layers.append(WideBlock(widths[group] if b == 0 else widths[group + 1], widths[group + 1],
                                        (1 if group == 0 else 2) if b == 0 else 1, dropout))
        layers += [nn.BatchNorm2d(widths[3]), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(widths[3], num_classes)
        init_convs_and_norms(self)
        nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def wrn28_10(num_classes: int, dropout: float = 0.0) -> WideResNet:
    """WRN-28-10 (36.5M parameters); ``dropout`` between a block's convolutions (L2RW's config: 0.3)."""
    return WideResNet(num_classes, 28, 10, dropout)
