"""Meta-reweighting methods in the training loop: resumable, logging their weights, and the two meta-set baselines."""

from __future__ import annotations

import pytest
import torch

from robopt.data.bias import BIASED
from robopt.errors import ConfigError
from robopt.train import fit
from robopt.train.meta_set import training_and_meta_sets
from tests.conftest import raw_config, train_settings
from tests.train.conftest import killed_then_resumed

BIAS = {"meta_set": {"per_class": 3}, "label_noise": {"kind": "uniform", "rate": 0.4}}
METHOD_BLOCKS = {"l2rw": {"meta_batch_size": 16}, "mwnet": {"meta_batch_size": 16}, "sgd_plus_meta": {},
                 "sgd_early_stop": {}}


def reweight_config(bias: dict | None = None) -> dict:
    config = raw_config()
    training = config["training"]["synthetic"]
    training["methods"].update(METHOD_BLOCKS)
    training["bias"] = BIAS if bias is None else bias
    config["methods"] = ["sgd", *METHOD_BLOCKS]
    return config


def settings(method: str, epochs: int = 3, **changes):
    return train_settings(method, reweight_config(), epochs=epochs, batch_size=32, lr=0.05, mean=[0.5] * 3,
                          std=[0.25] * 3, **changes)


@pytest.mark.parametrize("method", ["l2rw", "mwnet", "sgd_early_stop"])
def test_resume_after_kill_equals_uninterrupted_run(train_split, tmp_path, monkeypatch, method):
    reference, reference_history = fit(train_split, settings(method), seed=0)
    resumed, history = killed_then_resumed(train_split, settings(method), 0, tmp_path / "last.pt", monkeypatch)
    for (name, a), b in zip(reference.state_dict().items(), resumed.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    keep = history["metric"] != "seconds"
    assert history[keep].reset_index(drop=True).equals(reference_history[keep].reset_index(drop=True))


def test_reweighting_logs_weights_of_noisy_and_clean_examples_and_the_weight_function(train_split):
    _, history = fit(train_split, settings("mwnet", epochs=1), seed=0)
    metrics = set(history["metric"])
    assert {"weight_clean", "weight_biased", "weight_at_loss_0", "weight_at_loss_8"} <= metrics
    assert set(history.loc[history["split"] == "meta", "metric"]) == {"meta_loss", "meta_accuracy"}
    _, history = fit(train_split, settings("l2rw", epochs=1), seed=0)
    weights = history[history["metric"].str.startswith("weight_")].set_index("metric")["value"]
    assert weights.between(0, 32).all() and set(weights.index) == {"weight_clean", "weight_biased"}


def test_sgd_logs_no_weights_but_the_meta_set_metrics(train_split):
    _, history = fit(train_split, settings("sgd", epochs=1), seed=0)
    assert not history["metric"].str.startswith("weight_").any()
    assert "meta_accuracy" in set(history["metric"])


def test_early_stopping_returns_the_epoch_with_the_best_meta_accuracy(train_split):
    model, history = fit(train_split, settings("sgd_early_stop", epochs=4), seed=0)
    meta = history[history["metric"] == "meta_accuracy"].set_index("epoch")["value"]
    selected = int(history.loc[history["metric"] == "selected_epoch", "value"].iloc[0])
    assert selected == int(meta.idxmax())
    plain, _ = fit(train_split, settings("sgd_early_stop", epochs=selected), seed=0)
    for (name, a), b in zip(plain.state_dict().items(), model.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_sgd_plus_meta_trains_on_both_and_sgd_on_the_rest(train_split):
    def sets(method):
        chosen = settings(method)
        return training_and_meta_sets(train_split, method, chosen.bias, chosen.train_images, chosen.corruption_scale)

    biased, meta = sets("sgd")
    merged, _ = sets("sgd_plus_meta")
    assert len(meta) == 30 and len(biased) == len(train_split) - 30
    assert len(merged) == len(train_split) and merged.extra[BIASED][-30:].sum() == 0
    assert biased.extra[BIASED].float().mean() == pytest.approx(0.4 * 0.9, abs=0.12)


def test_meta_methods_without_a_meta_set_are_refused_before_any_job():
    from robopt.config import check_config
    from tests.conftest import validated

    config = raw_config()
    config["methods"] = ["sgd", "l2rw"]
    config["training"]["synthetic"]["methods"]["l2rw"] = {}
    with pytest.raises(ConfigError, match=r"training\.synthetic\.methods\.l2rw needs a meta set"):
        check_config(validated(config))


@pytest.mark.parametrize(("bias", "message"), [
    ({"meta_set": {"per_class": 3}, "label_noise": {"rate": 1.0}}, r"training\.synthetic\.bias\.label_noise\.rate"),
    ({"meta_set": {"per_class": 3}, "label_noise": {"rate": -0.2}}, r"training\.synthetic\.bias\.label_noise\.rate"),
    ({"meta_set": {"per_class": 3}, "imbalance": 0.5}, r"training\.synthetic\.bias\.imbalance"),
    ({"meta_set": {"per_class": 600}}, r"training\.synthetic\.bias\.meta_set\.per_class = 600 leaves no training"),
    ({"meta_set": {"per_class": 3, "corruptions": ["contrast"]}}, r"shares contrast with corruptions\.names"),
])
def test_bad_bias_values_fail_before_any_job_naming_the_key(bias, message):
    from robopt.config import check_config
    from tests.conftest import validated

    with pytest.raises(ConfigError, match=message) as error:
        check_config(validated(reweight_config(bias)))
    assert len(str(error.value).strip().splitlines()) <= 2  # "invalid config:" and the key's line


def test_a_reweighting_method_on_several_ranks_is_refused_before_any_job():
    from robopt.config import check_config
    from tests.conftest import validated

    config = reweight_config()
    config["distributed"] = {"training": {"devices": 2}}
    with pytest.raises(ConfigError, match=r"methods\.l2rw runs on one process only"):
        check_config(validated(config))
