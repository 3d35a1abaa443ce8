"""The batched corruption engine: shapes, determinism, severity ordering, safety, bad input."""

from __future__ import annotations

import pytest
import torch

from robopt.corruptions import (
    make_generator,
)
from robopt.errors import UnknownNameError


def test_corrupt_half_changes_exactly_half_the_batch(images):
    from robopt.corruptions import CorruptHalf

    augment = CorruptHalf(["gaussian_noise", "contrast"], "cifar")
    out = augment(images, make_generator(0, "cpu"))
    changed = (out != images).flatten(1).any(1)
    assert out.dtype == torch.uint8 and int(changed.sum()) == 32
    assert torch.equal(out, augment(images, make_generator(0, "cpu")))
    with pytest.raises(UnknownNameError, match="valid names"):
        CorruptHalf(["fog_typo"], "cifar")
    with pytest.raises(ValueError, match="severities"):
        CorruptHalf(["contrast"], "cifar", severities=[6])
