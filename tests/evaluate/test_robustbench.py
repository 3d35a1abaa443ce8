"""RobustBench's aggregation and model-info format, checked against its published per-cell values."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from robopt.errors import RoboptError
from robopt.evaluate.mce import HENDRYCKS_ALEXNET_ERROR, mean_corruption_error
from robopt.evaluate.robustbench import (
    MODEL_INFO_FIELDS,
    ROBUSTBENCH_CORRUPTIONS,
    corruptions_accuracy,
    model_info,
    published_leaderboard,
    published_unaggregated,
    robustbench_alexnet_error,
    robustbench_cells,
    write_model_info,
)


def as_metrics(cells: pd.DataFrame, clean: float = 0.9478) -> pd.DataFrame:
    rows = cells.assign(n_images=10_000)[["corruption", "severity", "accuracy", "n_images"]]
    clean_row = pd.DataFrame([{"corruption": "clean", "severity": 0, "accuracy": clean, "n_images": 10_000}])
    extra = pd.DataFrame([{"corruption": "spatter", "severity": s, "accuracy": 0.0, "n_images": 10_000}
                          for s in range(1, 6)])  # one of the 4 extra corruptions: not averaged
    return pd.concat([clean_row, rows, extra], ignore_index=True)


@pytest.mark.parametrize("model", ["Standard", "Kireev2021Effectiveness_RLATAugMix", "Hendrycks2020AugMixWRN"])
def test_published_cells_through_our_aggregation_give_the_published_means(model):
    cells = published_unaggregated()
    published = published_leaderboard().set_index("model").loc[model, "corruptions_acc"]
    assert round(corruptions_accuracy(as_metrics(cells[cells["model"] == model])), 2) == published


@pytest.mark.parametrize("model", ["Standard_R50", "Hendrycks2020AugMix", "AlexNet"])
def test_published_imagenet_cells_give_the_published_accuracy_and_mce(model):
    cells = published_unaggregated("imagenet")
    board = published_leaderboard().set_index(["dataset", "model"])
    info = model_info(as_metrics(cells[cells["model"] == model], clean=0.5), model, "imagenet",
                      alexnet_error=robustbench_alexnet_error())
    if model == "AlexNet":  # its own reference: mCE 100 by definition; RobustBench's AlexNet.json stores "100.0"
        assert (info["corruptions_acc"], info["corruptions_mce"]) == ("21.12", "100.0")
        return
    assert info["corruptions_acc"] == f"{board.loc[('imagenet', model), 'corruptions_acc']:.2f}"
    assert info["corruptions_mce"] == f"{board.loc[('imagenet', model), 'corruptions_mce']:.2f}"


def test_the_full_imagenet_c_reference_gives_100_for_alexnets_own_errors_and_needs_every_corruption():
    cells = pd.DataFrame([{"corruption": c, "severity": s, "accuracy": 1 - error + (s - 3) * 0.01}
                          for c, error in HENDRYCKS_ALEXNET_ERROR.items() for s in range(1, 6)])
    assert mean_corruption_error(cells, HENDRYCKS_ALEXNET_ERROR) == pytest.approx(100.0)
    halved = cells.assign(accuracy=1 - (1 - cells["accuracy"]) / 2)
    assert mean_corruption_error(halved, HENDRYCKS_ALEXNET_ERROR) == pytest.approx(50.0)
    with pytest.raises(RoboptError, match="missing: fog"):
        mean_corruption_error(cells[cells["corruption"] != "fog"], HENDRYCKS_ALEXNET_ERROR)


def test_a_missing_cell_or_unequal_counts_are_errors():
    cells = published_unaggregated()
    standard = as_metrics(cells[cells["model"] == "Standard"])
    with pytest.raises(RoboptError, match="missing: fog/3"):
        robustbench_cells(standard[~((standard["corruption"] == "fog") & (standard["severity"] == 3))])
    uneven = standard.copy()
    uneven.loc[uneven["corruption"] == "fog", "n_images"] = 5000
    with pytest.raises(RoboptError, match="same image count"):
        robustbench_cells(uneven)
    assert len(ROBUSTBENCH_CORRUPTIONS) == 15 and "spatter" not in ROBUSTBENCH_CORRUPTIONS


def test_model_info_has_exactly_the_fields_and_robustbench_value_strings(tmp_path):
    cells = published_unaggregated()
    info = model_info(as_metrics(cells[cells["model"] == "Standard"]), "Standard", "cifar10",
                      architecture="WideResNet-28-10")
    assert tuple(info) == MODEL_INFO_FIELDS
    assert info["clean_acc"] == "94.78" and info["corruptions_acc"] == "73.46" and info["corruptions_mce"] is None
    write_model_info(info, tmp_path / "Standard.json")
    assert json.loads((tmp_path / "Standard.json").read_text()) == info
    with pytest.raises(RoboptError, match="not ModelInfo field"):
        model_info(as_metrics(cells[cells["model"] == "Standard"]), "x", "cifar10", accuracy=1)


def test_robustbench_loads_the_json_when_installed(tmp_path):
    utils = pytest.importorskip("robustbench.utils", reason="the optional robustbench extra is not installed")
    cells = published_unaggregated()
    info = model_info(as_metrics(cells[cells["model"] == "Standard"]), "Standard", "cifar10")
    assert utils.ModelInfo(**info).corruptions_acc == "73.46"
    assert {field.name for field in dataclasses.fields(utils.ModelInfo)} == set(MODEL_INFO_FIELDS)


def test_results_beside_the_leaderboard_only_for_robustbench_models():
    from robopt.evaluate.robustbench import beside_leaderboard

    table = beside_leaderboard([
        {"model": "std", "source": "robustbench:Standard", "dataset": "cifar10", "clean_acc": "94.70",
         "corruptions_acc": "73.50", "n_images": 10_000, "corruption_source": "official"},
        {"model": "mine", "source": "file:m.pt", "dataset": "cifar10", "clean_acc": "90.00",
         "corruptions_acc": "70.00", "n_images": 10_000, "corruption_source": "generated"},
        {"model": "r50", "source": "torchvision:resnet50", "robustbench_name": "Standard_R50", "dataset": "imagenet",
         "clean_acc": "76.7", "corruptions_acc": "39.5", "corruptions_mce": "76.4", "n_images": 5000,
         "corruption_source": "official", "protocol": "robustbench"},
    ]).set_index("model")
    assert table.loc["r50", "corruptions_mce_diff"] == pytest.approx(0.02)
    assert table.loc["r50", "robustbench_commit"].startswith("78fcc9e")
    assert table.loc["std", "published_corruptions_acc"] == 73.46
    assert table.loc["std", "corruptions_acc_diff"] == pytest.approx(0.04)
    assert pd.isna(table.loc["mine", "published_clean_acc"]) and pd.isna(table.loc["std", "corruptions_mce_diff"])


@pytest.mark.parametrize(("source", "footnote"), [("generated", "regenerated"), ("official", None)])
def test_a_regenerated_corruption_set_is_marked_in_the_json_and_the_cells(tmp_path, source, footnote):
    from robopt.evaluate.robustbench import write_robustbench_result

    cells = published_unaggregated()
    metrics = as_metrics(cells[cells["model"] == "Standard"]).assign(corruption_source=source)
    write_robustbench_result(metrics, "mine", "cifar10", {"architecture": None}, tmp_path / "r.json",
                             tmp_path / "cells.csv")
    info = json.loads((tmp_path / "r.json").read_text())
    assert (info["footnote"] is None) if footnote is None else (footnote in info["footnote"])
    assert set(pd.read_csv(tmp_path / "cells.csv")["corruption_source"]) == {source}
