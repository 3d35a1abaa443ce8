"""Tidy-table helpers: label columns go in front, in order."""

from __future__ import annotations

import pandas as pd

from robopt.io import prepend_columns


def test_labels_become_the_leading_columns_in_order():
    frame = prepend_columns(pd.DataFrame({"loss": [1.0, 2.0]}), {"optimizer": "adam_gaussian", "objective": ""})
    assert list(frame.columns) == ["optimizer", "objective", "loss"]
    assert frame["optimizer"].tolist() == ["adam_gaussian"] * 2
