"""The ImageNet models of DAMP's Tables 1 and 2, built from torchvision and timm as the reference code configures them.

- ``resnet50``: torchvision ResNet-50 (bottleneck v1.5: stride on the 3x3 conv, 1x1 conv + BN projections,
  He-normal fan-out convolutions) with the reference's zero-initialised last BN scale of each block and its head,
  U(+-1/sqrt(K)) weights and zero bias (github trungtrinh44/DAMP ``models/resnet.py``: ``ResNet50``,
  ``BottleneckResNetBlock``, ``dense_layer_init_fn``). Differs: the 7x7 stride-2 stem and the max-pool pad
  symmetrically (PyTorch) where flax's ``SAME`` pads one pixel more on the right and bottom.
- ``vit_s16``: timm ``vit_small_patch16_224`` (384 wide, 12 blocks of 6 heads, MLP 1536, no dropout) configured as
  the reference's ``ViT-S1k_16`` (``models/vit/config.py``, ``models/vit/vit.py``): no class token, fixed 2-D sin-cos
  position embedding (MoCo v3 form, ``posemb_sincos_2d``; timm's own sin-cos uses other frequencies, so it is
  computed here), the final LayerNorm on every token, then global average pooling (``classifier: gap``) and a
  zero-initialised head; ``weight_init='jax'`` gives the reference's Xavier-uniform dense kernels and N(0, 1e-6)
  MLP biases.

``dropout`` is the camera-ready's Dropout baseline (ResNet-50 p 0.05, ViT-S/16 p 0.10; not in the reference code's
ResNet): for ViT it is the reference transformer's ``dropout_rate`` (after the position embedding, the attention
output and each MLP layer: timm's ``pos_drop_rate`` and ``proj_drop_rate``; attention weights are not dropped, as
the reference's ``attention_dropout_rate`` 0), for ResNet-50, where the paper does not say where, a dropout layer
before the classification head.
"""

from __future__ import annotations

import torch
from torch import nn

from robopt.models.heads import init_reference_head


def resnet50(num_classes: int, dropout: float = 0.0) -> nn.Module:
    """torchvision ResNet-50 with the reference's residual-BN and head initialisation (any input size >= 32 px:
    the pooling is adaptive)."""
    from torchvision.models import resnet50 as torchvision_resnet50  # imported where used

    model = torchvision_resnet50(num_classes=num_classes, zero_init_residual=True)
    init_reference_head(model.fc)
    if dropout:
        model.fc = nn.Sequential(nn.Dropout(dropout), model.fc)
    return model


def posemb_sincos_2d(height: int, width: int, dim: int, temperature: float = 10_000.0) -> torch.Tensor:
    """(1, height * width, dim) fixed position embedding of a row-major token grid: [sin(x w), cos(x w), sin(y w),
    cos(y w)] with w_i = temperature^(-i / (dim / 4 - 1)), as the reference's ``posemb_sincos_2d``."""
    if dim % 4:
        raise ValueError(f"the sin-cos position embedding needs a width divisible by 4, got {dim}")
    y, x = torch.meshgrid(torch.arange(height), torch.arange(width), indexing="ij")
    omega = 1.0 / temperature ** (torch.arange(dim // 4) / (dim // 4 - 1))
    x = x.flatten()[:, None] * omega[None, :]
    y = y.flatten()[:, None] * omega[None, :]
    return torch.cat([x.sin(), x.cos(), y.sin(), y.cos()], dim=1)[None].float()


def vit_s16(num_classes: int, image_size: int = 224, dropout: float = 0.0) -> nn.Module:
    """ViT-S/16 as the reference's ViT-S1k_16 (``image_size`` smaller for tests)."""
    import timm  # imported where used: timm pulls in torchvision and huggingface_hub

    model = timm.create_model("vit_small_patch16_224", pretrained=False, num_classes=num_classes,
                              img_size=image_size, class_token=False, global_pool="avg", fc_norm=False,
                              weight_init="jax", pos_drop_rate=dropout, proj_drop_rate=dropout)
    grid = image_size // 16
    model.pos_embed = nn.Parameter(posemb_sincos_2d(grid, grid, model.embed_dim), requires_grad=False)
    return model
