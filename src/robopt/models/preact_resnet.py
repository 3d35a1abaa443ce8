"""PreActResNet18 for 64-px Tiny-ImageNet, as the DAMP reference code builds it (github trungtrinh44/DAMP,
``models/resnet.py``: ``ResNetBlockV2``, ``resnet_v2=True``).

3x3 stride-1 stem without BN or max-pool, widths 64/128/256/512, two blocks per stage, BN-ReLU before each
convolution, a final BN-ReLU before global average pooling. Where the reference departs from He et al. (2016b):
a block's shortcut starts from its activated input relu(bn(x)), on identity shortcuts too (the paper adds x), and
1x1 projection shortcuts have no BN. Convolutions: He-normal (fan out); head: U(+-1/sqrt(K)) weights, zero bias.
"""

from __future__ import annotations

import torch
from torch import nn

from robopt.models.heads import init_reference_head


class PreActBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.shortcut = (
            nn.Conv2d(in_channels, out_channels, 1, stride, bias=False)
            if stride != 1 or in_channels != out_channels
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(x))
        skip = self.shortcut(out) if self.shortcut is not None else out  # the reference's residual = act(norm(x))
        out = self.conv1(out)
        out = self.conv2(torch.relu(self.bn2(out)))
        return out + skip


class PreActResNet18(nn.Module):
    def __init__(self, num_classes: int, widths: tuple[int, ...] = (64, 128, 256, 512)) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        blocks, in_channels = [], widths[0]
        for stage, width in enumerate(widths):
            for index in range(2):
                blocks.append(PreActBlock(in_channels, width, 2 if stage > 0 and index == 0 else 1))
                in_channels = width
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(in_channels)
        self.head = nn.Linear(in_channels, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        init_reference_head(self.head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (B, 3, H, W) -> (B, 512, H/8, W/8) -> BN-ReLU -> mean -> (B, classes)
        out = torch.relu(self.bn(self.blocks(self.stem(x))))
        return self.head(out.mean(dim=(2, 3)))
