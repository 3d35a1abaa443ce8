"""Published DAMP heatmap numbers beside ours: the transcription, the join, the difference and the scale."""

from __future__ import annotations

import pandas as pd
import pytest

from robopt.errors import RoboptError
from robopt.evaluate.published import (
    COMPARISON_COLUMNS,
    PAPER_HEATMAP_FIGURES,
    comparison_caption,
    heatmap_figure_name,
    heatmap_vs_paper,
    read_published_heatmaps,
)


def test_transcribed_averages_match_their_rows():
    """The paper's Avg is the mean of the printed columns including none: a mistyped cell breaks this."""
    published = read_published_heatmaps()
    assert set(published["paper_dataset"]) == set(PAPER_HEATMAP_FIGURES)  # one source of the paper's datasets
    for (dataset, method), rows in published.groupby(["paper_dataset", "variant"]):
        values = rows.set_index("test_corruption")["value"]
        assert len(values) == (16 if dataset == "tinyimagenet" else 17), (dataset, method)
        assert values.drop("avg").mean() == pytest.approx(values["avg"], abs=0.0075), (dataset, method)


def ours(dataset: str) -> pd.DataFrame:
    """A corruption-error table as robopt writes it, with one extra column the paper does not have."""
    return pd.DataFrame([
        {"dataset": dataset, "variant": "sgd", "zoom_blur": 1.0, "fog": 1.0, "saturate": 1.0, "none": 1.0, "avg": 1.0},
        {"dataset": dataset, "variant": "damp", "zoom_blur": 0.6, "fog": 0.9, "saturate": 3.0, "none": 1.2, "avg": 1.4},
        {"dataset": dataset, "variant": "sam", "zoom_blur": 0.8, "fog": 0.8, "saturate": 0.8, "none": 0.9, "avg": 0.8},
    ])


def test_ours_beside_paper_with_difference_and_scale():
    table = heatmap_vs_paper(ours("cifar10"), {"cifar10": "resnet18, 2 epochs, full training images, 1 seeds"})
    assert list(table.columns) == COMPARISON_COLUMNS
    assert set(table["variant"]) == {"damp"}  # SGD is 1 by construction, SAM is not printed in the paper
    row = table.set_index("test_corruption")
    assert row.loc["zoom_blur", "paper"] == 0.70 and row.loc["zoom_blur", "difference"] == pytest.approx(-0.10)
    assert row.loc["none", "paper"] == 1.03
    assert row.loc["avg", "ours"] == pytest.approx((0.6 + 0.9 + 1.2) / 3)  # over the paper's columns, not saturate
    assert "saturate" not in set(table["test_corruption"])
    assert row["ours_scale"].str.contains("2 epochs").all() and row["paper_scale"].str.contains("300 epochs").all()
    caption = comparison_caption(table)
    assert "sgd_aug_zoom_blur" in caption and "stand-in" not in caption


def test_stand_in_is_labelled_and_unmatched_datasets_fail_clearly():
    table = heatmap_vs_paper(ours("synthetic"), {"synthetic": "small_cnn"}, stand_ins={"synthetic": "cifar100"})
    assert set(table["paper_dataset"]) == {"cifar100"} and set(table["dataset"]) == {"synthetic"}
    assert "not a reproduction" in comparison_caption(table)
    with pytest.raises(RoboptError, match="stand_ins"):
        heatmap_vs_paper(ours("synthetic"), {})


def test_heatmap_figure_names_follow_the_paper():
    assert heatmap_figure_name("cifar100") == "damp_fig1_cifar100" and heatmap_figure_name("cifar10") == "damp_fig4_cifar10"
    assert heatmap_figure_name("synthetic") == "damp_heatmap_synthetic"


def test_heatmap_columns_are_the_papers_fifteen_and_fourteen_without_glass_blur_on_tiny_imagenet():
    from robopt.evaluate.published import heatmap_columns

    assert len(heatmap_columns("cifar10")) == len(heatmap_columns("cifar100")) == 15
    tiny = heatmap_columns("tinyimagenet")
    assert len(tiny) == 14 and "glass_blur" not in tiny and set(tiny) < set(heatmap_columns("cifar10"))
    assert heatmap_columns("synthetic") == heatmap_columns("cifar10")
