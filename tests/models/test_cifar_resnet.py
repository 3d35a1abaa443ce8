"""He et al.'s CIFAR ResNets: depth 6n + 2, 16/32/64 channels times the width, the reference initialisation."""

from __future__ import annotations

import pytest
import torch

from robopt.errors import UnknownNameError
from robopt.models import build_model


def expected_parameters(depth: int, width: int, classes: int = 10) -> int:
    """Counted by hand from the architecture: stem conv + BN, n blocks per stage (3x3 convs, BNs, a 1x1 + BN
    projection where the shape changes), the head."""
    blocks = (depth - 2) // 6
    widths = [16 * width, 32 * width, 64 * width]
    total = 3 * widths[0] * 9 + 2 * widths[0]
    cin = widths[0]
    for c in widths:
        for _ in range(blocks):
            total += cin * c * 9 + 2 * c + c * c * 9 + 2 * c + (cin * c + 2 * c if cin != c else 0)
            cin = c
    return total + cin * classes + classes


@pytest.mark.parametrize("depth", [8, 14, 20, 32])
def test_parameter_count_and_output_shape(depth):
    model = build_model(f"resnet{depth}", 10)
    assert sum(p.numel() for p in model.parameters()) == expected_parameters(depth, 1)
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    assert sum(isinstance(m, torch.nn.Conv2d) and m.kernel_size == (3, 3) for m in model.modules()) == depth - 1


def test_known_sizes():
    # He et al. Table 6 lists ResNet-20 at 0.27M (option A shortcuts); ours adds the 1x1 + BN projections: 2,752.
    assert sum(p.numel() for p in build_model("resnet20", 10).parameters()) == 272_474
    assert sum(p.numel() for p in build_model("resnet8", 10).parameters()) == 78_042


def test_width_multiplies_channels():
    model = build_model("resnet8", 100, width=2)
    assert sum(p.numel() for p in model.parameters()) == expected_parameters(8, 2, 100)
    assert model.fc.in_features == 128 and model(torch.zeros(1, 3, 32, 32)).shape == (1, 100)


def test_initialised_as_the_reference_resnets():
    model = build_model("resnet14", 10)
    last_bn_scales = [block.bn2.weight for block in model.blocks]
    assert all(torch.equal(scale, torch.zeros_like(scale)) for scale in last_bn_scales)  # zero-init residual
    assert float(model.fc.weight.abs().max()) <= 1 / 10**0.5 and torch.equal(model.fc.bias, torch.zeros(10))
    assert isinstance(model.blocks[0].shortcut, torch.nn.Identity)
    assert isinstance(model.blocks[2].shortcut, torch.nn.Sequential)  # first block of stage 2: 1x1 conv + BN


def test_a_model_without_width_refuses_it():
    with pytest.raises(UnknownNameError, match="small_cnn takes no option"):
        build_model("small_cnn", 10, width=2)


def test_the_schema_allows_a_width_exactly_for_the_models_that_take_one():
    import yaml

    from robopt.models import MODELS, model_options
    from tests.conftest import SCHEMA

    training = yaml.safe_load(SCHEMA.read_text())["definitions"]["training"]
    assert set(training["if"]["properties"]["model"]["enum"]) == {
        name for name in MODELS.names() if "width" in model_options(name)}
