"""The verdict: per-seed errors, paired differences to SGD with a Student-t interval, and the word."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from robopt.errors import RoboptError
from robopt.evaluate.verdict import paired_interval, per_seed_errors, verdict, verdict_markdown_frame


def per_seed_table(errors: dict[str, list[float]], clean: dict[str, list[float]] | None = None) -> pd.DataFrame:
    rows = []
    for variant, values in errors.items():
        for seed, value in enumerate(values):
            rows.append({"dataset": "cifar10", "variant": variant, "method": variant, "train_corruption": "none",
                         "seed": seed, "clean": (clean or {}).get(variant, values)[seed], "corrupted": value,
                         "corrupted_all": value})
    return pd.DataFrame(rows)


def test_paired_interval_by_hand():
    # differences -2, -1.5, -2: mean -1.8333, sd 0.2887, se 0.1667, t(0.975, 2) = 4.3027 -> half width 0.7172
    mean, low, high = paired_interval(np.array([-2.0, -1.5, -2.0]))
    assert mean == pytest.approx(-11 / 6)
    assert low == pytest.approx(-11 / 6 - 0.71712, abs=1e-4) and high == pytest.approx(-11 / 6 + 0.71712, abs=1e-4)
    assert np.isnan(paired_interval(np.array([1.0]))[1])


def test_verdict_words_on_a_hand_made_table():
    table = verdict(per_seed_table({
        "sgd": [50.0, 52.0, 54.0],
        "damp": [48.0, 50.5, 52.0],   # -2, -1.5, -2: better
        "sam": [51.0, 51.0, 54.5],    # +1, -1, +0.5: inconclusive
        "asam": [52.0, 55.0, 56.5],   # +2, +3, +2.5: worse
    })).set_index("variant")
    assert table.index[0] == "sgd" and table.loc["sgd", "corrupted_verdict"] == "baseline"
    assert table.loc["damp", "corrupted_verdict"] == "better"
    assert table.loc["sam", "corrupted_verdict"] == "inconclusive"
    assert table.loc["asam", "corrupted_verdict"] == "worse"
    assert table.loc["damp", "corrupted_diff"] == pytest.approx(-11 / 6)
    assert table.loc["damp", "corrupted_std"] == pytest.approx(np.std([48.0, 50.5, 52.0], ddof=1))
    assert table.loc["asam", "n_paired"] == 3


def test_pairs_only_the_seeds_both_have():
    table = verdict(per_seed_table({"sgd": [50.0, 60.0], "damp": [49.0]})).set_index("variant")
    assert table.loc["damp", "n_paired"] == 1 and table.loc["damp", "corrupted_diff"] == -1.0
    assert table.loc["damp", "corrupted_verdict"] == "inconclusive"  # one pair: no interval


def test_markdown_cells():
    shown = verdict_markdown_frame(verdict(per_seed_table({"sgd": [50.0, 52.0], "damp": [49.0, 50.0]})))
    assert shown.iloc[0]["mean corruption error %"] == "51.00 +- 1.41"
    assert shown.iloc[1]["mean corruption error: paired diff to SGD [95% CI]"].startswith("-1.50 [")


def test_missing_baseline_is_named():
    with pytest.raises(RoboptError, match="baseline variant 'sgd'"):
        verdict(per_seed_table({"damp": [1.0, 2.0]}))


def test_per_seed_errors_average_the_paper_columns_only():
    rows = [{"dataset": "cifar10", "variant": "sgd", "method": "sgd", "train_corruption": "none", "seed": 0,
             "corruption": "none", "severity": 0, "error": 10.0}]
    for severity in range(1, 6):
        rows.append({**rows[0], "corruption": "gaussian_noise", "severity": severity, "error": 20.0 + severity})
        rows.append({**rows[0], "corruption": "saturate", "severity": severity, "error": 90.0})  # not a paper column
    errors = per_seed_errors(pd.DataFrame(rows)).iloc[0]
    assert errors["clean"] == 10.0 and errors["corrupted"] == 23.0
    assert errors["corrupted_all"] == pytest.approx((23.0 + 90.0) / 2)
