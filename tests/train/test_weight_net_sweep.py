"""The V-optimizer sweep of Meta-Weight-Net: candidates parsed with clear errors, ranked on the meta set only."""

from __future__ import annotations

import pandas as pd
import pytest

from robopt.errors import ConfigError
from robopt.train.weight_net_sweep import Candidate, final_meta_scores, rank_candidates, sweep_weight_net
from robopt.variants import training_job, variants
from tests.conftest import FAKE_META, validated
from tests.train.test_reweighting_fit import reweight_config


def test_candidates_parse_and_refuse_with_the_expected_form():
    assert Candidate.parse("sgd:1e-3:5e-4") == Candidate("sgd", 1e-3, 5e-4)
    with pytest.raises(ConfigError, match="optimizer:lr:weight_decay"):
        Candidate.parse("sgd:1e-3")
    with pytest.raises(ConfigError, match="must be numbers"):
        Candidate.parse("sgd:fast:0")


def test_final_meta_scores_read_the_last_epoch_of_the_meta_split():
    history = pd.DataFrame([
        {"epoch": 1, "step": 1, "split": "meta", "metric": "meta_loss", "value": 2.0},
        {"epoch": 1, "step": 1, "split": "meta", "metric": "meta_accuracy", "value": 0.2},
        {"epoch": 2, "step": 2, "split": "meta", "metric": "meta_loss", "value": 1.5},
        {"epoch": 2, "step": 2, "split": "meta", "metric": "meta_accuracy", "value": 0.4},
        {"epoch": 2, "step": 2, "split": "train", "metric": "loss", "value": 0.1},
    ])
    assert final_meta_scores(history) == {"meta_loss": 1.5, "meta_accuracy": 0.4}


def test_ranking_is_by_meta_loss_then_meta_accuracy():
    rows = pd.DataFrame({"optimizer": ["sgd", "adam", "sgd"], "lr": [1e-3, 1e-3, 1e-2],
                         "meta_loss": [1.30, 1.20, 1.20], "meta_accuracy": [0.5, 0.40, 0.45]})
    ranked = rank_candidates(rows)
    assert list(zip(ranked["optimizer"], ranked["lr"], strict=True)) == [("sgd", 1e-2), ("adam", 1e-3), ("sgd", 1e-3)]
    assert ranked["chosen"].tolist() == [True, False, False]


def test_a_sweep_trains_each_candidate_from_the_same_start_and_reports_v_health(train_split, tmp_path):
    config = validated(reweight_config())
    job = training_job(config, "synthetic", variants(config, "synthetic")["mwnet"])
    job.update(epochs=2, batch_size=32, lr=0.05)
    meta = {**FAKE_META, "mean": [0.5] * 3, "std": [0.25] * 3}
    table = sweep_weight_net(train_split, job, meta, [Candidate("sgd", 1e-6, 0.0), Candidate("adam", 1e-2, 0.0)],
                             seed=0, out=tmp_path / "sweep.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "sweep.csv"), table, check_dtype=False)
    assert len(table) == 2 and table["chosen"].sum() == 1
    assert set(table["v_health"]) <= {"learning", "saturated at 1", "saturated at 0", "flat", "unchanged"}
    tiny = table.set_index("optimizer")
    assert tiny.loc["sgd", "v_health"] == "unchanged"  # lr 1e-6: V cannot move in two epochs
    assert tiny.loc["adam", "meta_loss"] != tiny.loc["sgd", "meta_loss"]
