"""The validated lopt block -> each job's params and typed settings; experiments chosen by objective."""

from __future__ import annotations

import pytest

from robopt.errors import ConfigError
from robopt.lopt.settings import (
    adam_noise,
    eval_settings,
    figure_params,
    noise_kinds,
    objective_noise,
    outer_settings,
    selection_settings,
    stage_params,
    train_noise,
)
from tests.conftest import raw_config, validated


@pytest.fixture
def lopt() -> dict:
    return validated(raw_config())["lopt"]


def test_each_stage_reads_only_its_keys(lopt):
    outer = stage_params(lopt, "outer", "gaussian")
    assert "outer" in outer and "evaluation" not in outer
    assert outer["experiments"] == {"gaussian": {"objective": "gaussian", "sigma": 0.05, "seeds": [0, 1]}}
    evaluate = stage_params(lopt, "evaluate", "clean")
    assert "outer" not in evaluate and evaluate["experiments"]["clean"]["train_noise"] == "corruption"
    adam = stage_params(lopt, "adam", "corruption")
    assert set(adam["experiments"]) == {"corruption", "clean"}  # both inner-train on the corruption mix
    assert adam["experiments"]["clean"] == {"objective": "clean", "sigma": 0.05}
    select = stage_params(lopt, "select", "gaussian")
    assert select["selection"] == {"inits": 2, "last_snapshots": 1} and "outer" not in select
    assert "theta0" not in select and stage_params(lopt, "theta0", "gaussian")["theta0"] == lopt["theta0"]
    assert "inits" not in evaluate["evaluation"]  # only the verdict reads it: changing it reruns nothing else
    assert stage_params(lopt, "verdict", "gaussian")["evaluation"]["inits"] == 2
    with pytest.raises(ValueError, match="stages: outer, evaluate, adam, select, theta0, verdict"):
        stage_params(lopt, "selct", "gaussian")


def test_meta_validation_runs_score_the_objective_on_validation_images_only(lopt):
    block = stage_params(lopt, "select", "corruption")
    runs = selection_settings(block, "corruption")
    assert [run.seed for run in runs] == [block["evaluation"]["seed"] + k for k in range(2)]
    assert all(run.final_splits == ("validation",) and run.curve_targets == [] for run in runs)
    mix = block["corruption_mix"]
    assert runs[0].final_targets == [(c, s) for c in mix["train"] for s in mix["severities"]]
    assert selection_settings(stage_params(lopt, "select", "gaussian"), "gaussian")[0].final_targets == [
        ("gaussian", 0.05)]
    assert selection_settings(stage_params(lopt, "select", "clean"), "clean")[0].final_targets == [("clean", 0.0)]


def test_an_evaluation_change_leaves_outer_training_params_alone(lopt):
    before = stage_params(lopt, "outer", "corruption")
    lopt["evaluation"]["inner_steps"] += 1
    lopt["experiments"]["corruption"]["train_noise"] = "gaussian"
    assert stage_params(lopt, "outer", "corruption") == before
    assert stage_params(lopt, "evaluate", "corruption") != before


def test_typed_settings_come_from_the_validated_block(lopt):
    block = stage_params(lopt, "outer", "gaussian")
    settings = outer_settings(block, seed=3)
    assert (settings.iterations, settings.pairs, settings.seed) == (16, 2, 3)
    assert settings.es_std == 0.001 and settings.meta_clip == 0.1 and settings.truncation_jitter == 0.2  # defaults
    noise = objective_noise(block, "gaussian", "cifar")
    assert noise.kind == "gaussian" and noise.sigma == 0.05
    evaluation = stage_params(lopt, "evaluate", "clean")
    mix = train_noise(evaluation, "clean", "tinyimagenet")
    assert mix.kind == "corruption" and mix.scale == "tinyimagenet" and mix.severities == (1, 2, 3)
    assert len(mix.corruptions) == 7
    settings = eval_settings(evaluation, mix)
    assert settings.steps == 150 and settings.test_images == 300
    assert ("glass_blur", 1) in settings.curve_targets and ("fog", 5) in settings.final_targets
    gaussian = adam_noise(stage_params(lopt, "adam", "gaussian"), "gaussian", "cifar")
    assert gaussian.sigma == 0.05 and ("gaussian", 0.05) in eval_settings(lopt, gaussian).curve_targets


def test_experiments_are_found_by_objective_not_name(lopt):
    lopt["experiments"] = {"noisy": {**lopt["experiments"]["gaussian"], "sigma": 0.08},
                           "plain": lopt["experiments"]["clean"]}
    assert figure_params(lopt) == {"sigma": 0.08, "severities": [1, 2, 3]}
    assert noise_kinds(lopt) == ["corruption", "gaussian"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda block: block["experiments"]["clean"].pop("train_noise"), "lopt.experiments.clean: set train_noise"),
    (lambda block: block["experiments"].update(other={"objective": "gaussian", "sigma": 0.1, "seeds": [0]}),
     "must share one sigma"),
])
def test_inconsistent_experiments_are_named(change, message):
    config = raw_config()
    change(config["lopt"])
    with pytest.raises(ConfigError, match=message):
        validated(config)
