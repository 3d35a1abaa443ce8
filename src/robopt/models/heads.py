"""The classification head's initialisation of the DAMP reference code (``dense_layer_init_fn`` in github
trungtrinh44/DAMP ``models/resnet.py``): weights U(-1/sqrt(K), 1/sqrt(K)) for K classes, zero bias (flax's default).
torchvision's default scales by the number of inputs instead and draws the bias too."""

from __future__ import annotations

import math

from torch import nn


def init_reference_head(head: nn.Linear) -> None:
    bound = 1.0 / math.sqrt(head.out_features)
    nn.init.uniform_(head.weight, -bound, bound)
    nn.init.zeros_(head.bias)
