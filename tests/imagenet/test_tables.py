"""DAMP's ImageNet tables from tidy evaluations: means over conditions and seeds, the paper's row, the difference."""

from __future__ import annotations

import pandas as pd
import pytest

from robopt.evaluate.imagenet_tables import damp_imagenet_table
from robopt.evaluate.published_imagenet import published_table


def evaluations(rows: list[tuple[str, int, int, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["method", "epochs", "seed", "test_set", "error"])


def test_ours_stand_above_the_paper_with_the_difference():
    metrics = evaluations([
        ("damp", 90, 0, "clean", 20.0), ("damp", 90, 1, "clean", 22.0),
        ("damp", 90, 0, "imagenet_c", 50.0), ("damp", 90, 0, "imagenet_c", 70.0),  # two conditions of seed 0
        ("damp", 90, 1, "imagenet_c", 62.0),
        ("damp", 90, 0, "fgsm", 80.0), ("damp", 90, 1, "fgsm", 90.0),
    ])
    table = damp_imagenet_table(metrics, "table1").set_index("source")
    assert list(table.columns) == ["method", "epochs", "seeds", "Clean", "FGSM", "IN-C", "Avg"]
    ours, paper, difference = table.loc["ours"], table.loc["paper"], table.loc["ours - paper"]
    assert (ours["Clean"], ours["IN-C"], ours["FGSM"], ours["seeds"]) == (21.0, 61.0, 85.0, 2)
    printed = published_table("table1").set_index("method").loc["damp"]
    assert (paper["Clean"], paper["IN-C"], paper["epochs"]) == (printed["clean"], printed["imagenet_c"], 90)
    assert ours["Avg"] == pytest.approx((85.0 + 61.0) / 2)  # over the shifted sets computed here, for both rows
    assert paper["Avg"] == pytest.approx((printed["fgsm"] + printed["imagenet_c"]) / 2)
    assert difference["Clean"] == pytest.approx(21.0 - printed["clean"])


def test_a_reduced_run_is_compared_with_the_papers_longest_run_of_its_method():
    metrics = evaluations([("damp", 3, 0, "clean", 40.0), ("sgd", 3, 0, "clean", 45.0)])
    table = damp_imagenet_table(metrics, "table2")
    damp = table[(table["method"] == "damp") & (table["source"] == "paper")]
    assert int(damp["epochs"].iloc[0]) == 200 and float(damp["Clean"].iloc[0]) == pytest.approx(23.75)
    sgd = table[(table["method"] == "sgd") & (table["source"] == "paper")]  # no such row in the paper: blank
    assert sgd["Clean"].isna().all()
