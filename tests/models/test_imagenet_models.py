"""ResNet-50 and ViT-S/16 configured as the DAMP reference code: initialisation, position embedding, pooling."""

from __future__ import annotations

import math

import torch

from robopt.models import build_model
from robopt.models.imagenet import posemb_sincos_2d, vit_s16


def test_sincos_position_embedding_is_the_reference_formula():
    height, width, dim, temperature = 2, 3, 8, 10_000.0
    expected = torch.zeros(height * width, dim)
    quarter = dim // 4
    for row in range(height):
        for col in range(width):
            token = row * width + col  # row-major, as jnp.mgrid(...).flatten()
            for i in range(quarter):
                omega = temperature ** (-i / (quarter - 1))
                expected[token, i] = math.sin(col * omega)
                expected[token, quarter + i] = math.cos(col * omega)
                expected[token, 2 * quarter + i] = math.sin(row * omega)
                expected[token, 3 * quarter + i] = math.cos(row * omega)
    torch.testing.assert_close(posemb_sincos_2d(height, width, dim)[0], expected)


def test_vit_s16_has_no_class_token_a_fixed_embedding_and_a_zero_head():
    torch.manual_seed(0)
    model = vit_s16(10, image_size=32)  # a 2 x 2 token grid; build_model("vit_s16", K) is the 224 px one
    assert model.num_prefix_tokens == 0 and model.global_pool == "avg"
    assert not model.pos_embed.requires_grad
    torch.testing.assert_close(model.pos_embed.data, posemb_sincos_2d(2, 2, 384))
    assert torch.count_nonzero(model.head.weight) == 0 and torch.count_nonzero(model.head.bias) == 0
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert 21_000_000 < trainable < 22_000_000  # ViT-S/16 without position embedding
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_resnet50_zero_initialises_each_block_and_uses_the_reference_head():
    torch.manual_seed(0)
    model = build_model("resnet50", 10)
    blocks = [block for stage in (model.layer1, model.layer2, model.layer3, model.layer4) for block in stage]
    assert len(blocks) == 16 and all(torch.count_nonzero(block.bn3.weight) == 0 for block in blocks)
    assert float(model.fc.weight.abs().max()) <= 1 / math.sqrt(10) and torch.count_nonzero(model.fc.bias) == 0
    assert model(torch.randn(2, 3, 64, 64)).shape == (2, 10)
