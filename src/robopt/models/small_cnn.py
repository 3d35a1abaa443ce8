"""The 4-layer CNN of Metz et al. (2019), App. A.1: used by the demo and the learned optimizer."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class SmallCNNConfig:
    channels: tuple[int, ...] = (32, 32, 64, 64)
    strides: tuple[int, ...] = (2, 2, 1, 1)
    kernel_size: int = 3  # padding keeps "same" geometry; padding and init are not stated in the paper


class SmallCNN(nn.Module):
    """conv3x3-ReLU x4 (strides 2, 2, 1, 1) -> spatial mean -> linear to the classes."""

    def __init__(self, num_classes: int, config: SmallCNNConfig | None = None) -> None:
        super().__init__()
        config = config or SmallCNNConfig()
        layers: list[nn.Module] = []
        in_channels = 3
        for out_channels, stride in zip(config.channels, config.strides, strict=True):
            layers += [
                nn.Conv2d(in_channels, out_channels, config.kernel_size, stride, config.kernel_size // 2),
                nn.ReLU(inplace=True),
            ]
            in_channels = out_channels
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(in_channels, num_classes)
        for module in self.features:
            if isinstance(module, nn.Conv2d):  # He init keeps the signal alive through 4 ReLU layers without BN
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (B, 3, H, W) -> features (B, C, H/4, W/4) -> mean (B, C) -> logits (B, classes)
        return self.head(self.features(x).mean(dim=(2, 3)))
