"""Metrics on hand-made logits, the evaluation table and its aggregation."""

from __future__ import annotations

import torch

from robopt.corruptions.sets import CorruptedSet
from robopt.evaluate import (
    evaluate_model,
)


class Constant(torch.nn.Module):
    """Predicts class 1 for images brighter than mid-grey, else class 0."""

    def __init__(self):
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x):
        bright = (x.mean(dim=(1, 2, 3)) > 0).float()
        return torch.stack([1 - bright, bright], 1) * 10


def test_evaluation_table_rows():
    images = torch.cat([torch.full((3, 4, 4, 3), 200, dtype=torch.uint8), torch.full((3, 4, 4, 3), 20, dtype=torch.uint8)])
    labels = torch.tensor([1, 1, 1, 0, 0, 0])
    darkened = CorruptedSet("dark", torch.stack([images // (s + 2) for s in range(5)]), labels)
    table = evaluate_model(Constant(), images, labels, [darkened], mean=[0.5] * 3, std=[0.5] * 3)
    assert list(table["corruption"]) == ["clean"] + ["dark"] * 5
    assert list(table["severity"]) == [0, 1, 2, 3, 4, 5]
    assert table["accuracy"].tolist() == [1.0, 0.5, 0.5, 0.5, 0.5, 0.5]
