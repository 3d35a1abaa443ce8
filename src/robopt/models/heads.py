"""Initialisations shared by the ResNets: the classification head of the DAMP reference code (``dense_layer_init_fn``
in github trungtrinh44/DAMP ``models/resnet.py``: weights U(-1/sqrt(K), 1/sqrt(K)) for K classes, zero bias, flax's
default; torchvision's default scales by the number of inputs instead and draws the bias too), and He-normal
(fan-out) convolutions with BatchNorm scale 1 and shift 0."""

from __future__ import annotations

import math

from torch import nn


def init_reference_head(head: nn.Linear) -> None:
    bound = 1.0 / math.sqrt(head.out_features)
    nn.init.uniform_(head.weight, -bound, bound)
    nn.init.zeros_(head.bias)


def init_convs_and_norms(model: nn.Module) -> None:
    """He-normal (fan-out, ReLU gain) convolution kernels; BatchNorm scales 1 and shifts 0."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
