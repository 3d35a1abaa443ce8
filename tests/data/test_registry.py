"""Readers of the official layouts, on tiny files written in those layouts."""

from __future__ import annotations

import pytest

from robopt.data import read_dataset
from robopt.errors import UnknownNameError


def test_unknown_dataset_lists_valid_names():
    with pytest.raises(UnknownNameError, match="valid names: cifar10, cifar100, synthetic, tinyimagenet"):
        read_dataset("mnist", {})
