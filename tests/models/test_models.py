"""The lr schedule, the SGD method and the resumable, deterministic training loop."""

from __future__ import annotations

import torch

from robopt.models import build_model


def test_resnet18_has_cifar_stem():
    model = build_model("resnet18", 10)
    assert model.conv1.kernel_size == (3, 3) and model.conv1.stride == (1, 1)
    assert isinstance(model.maxpool, torch.nn.Identity)
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_preact_resnet18_on_64px():
    model = build_model("preact_resnet18", 200)
    assert model(torch.zeros(2, 3, 64, 64)).shape == (2, 200)
    assert sum(p.numel() for p in model.parameters()) > 11_000_000


def test_an_identity_shortcut_adds_the_activated_input_as_the_reference_block_does():
    model = build_model("preact_resnet18", 10).eval()
    block = model.blocks[1]  # 64 -> 64, stride 1: identity shortcut
    assert block.shortcut is None
    with torch.no_grad():
        block.conv2.weight.zero_()  # the residual branch adds nothing: the output is the shortcut alone
        x = torch.randn(2, 64, 8, 8)
        torch.testing.assert_close(block(x), torch.relu(block.bn1(x)))


def test_heads_start_uniform_in_one_over_root_k_with_zero_bias():
    for name, head in [("resnet18", lambda m: m.fc), ("preact_resnet18", lambda m: m.head)]:
        linear = head(build_model(name, 100))
        assert float(linear.weight.abs().max()) <= 0.1 and float(linear.weight.abs().max()) > 0.09  # 1/sqrt(100)
        assert torch.equal(linear.bias, torch.zeros(100))
