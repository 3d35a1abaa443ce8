"""Invalid configs are rejected by the schema (or the cross-key check) with the key named."""

from __future__ import annotations

import copy

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from robopt.config import ConfigError, check_config, method_sigma, sigma_sweep_models, split_method, trained_methods
from robopt.corruptions import CORRUPTIONS
from robopt.data import DATASETS
from robopt.models import MODELS
from robopt.train import METHODS
from tests.conftest import REPO

SCHEMA = str(REPO / "workflow" / "schemas" / "config.schema.yaml")


def demo_config() -> dict:
    return yaml.safe_load((REPO / "config" / "demo.yaml").read_text())


def validated(config: dict) -> dict:
    config = copy.deepcopy(config)
    validate(config, SCHEMA, set_default=True)
    check_config(config)
    return config


@pytest.mark.parametrize("name", ["demo.yaml", "config.yaml"])
def test_shipped_configs_are_valid(name):
    validated(yaml.safe_load((REPO / "config" / name).read_text()))


def test_defaults_are_filled_in():
    config = demo_config()
    del config["training"]["synthetic"]["momentum"]
    assert validated(config)["training"]["synthetic"]["momentum"] == 0.9


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda c: c["training"]["synthetic"].update(epoch=3), "'epoch' was unexpected"),
        (lambda c: c["training"]["synthetic"].update(epochs="ten"), "'ten' is not of type 'integer'"),
        (lambda c: c.update(datasets=["mnist"]), "'mnist' is not one of"),
        (lambda c: c.update(methods=["adamw"]), "'adamw' is not one of"),
        (lambda c: c["corruptions"].update(names=["gaussian_nosie"]), "'gaussian_nosie' is not one of"),
        (lambda c: c["training"]["synthetic"].update(lr=-1), "-1 is less than or equal to the minimum of 0"),
        (lambda c: c.update(seeds=[]), "should be non-empty"),
    ],
)
def test_invalid_config_names_the_problem(mutate, expected):
    config = demo_config()
    mutate(config)
    with pytest.raises(WorkflowError) as info:
        validated(config)
    assert expected in str(info.value)


def test_unknown_name_message_lists_allowed_values():
    config = demo_config()
    config["datasets"] = ["mnist"]
    with pytest.raises(WorkflowError, match="cifar10.*cifar100.*tinyimagenet"):
        validated(config)


def test_dataset_without_training_block_is_named():
    config = demo_config()
    config["datasets"] = ["synthetic", "cifar10"]
    config["data"]["cifar10"] = {"root": "x"}
    with pytest.raises(ConfigError, match="training.cifar10 is missing"):
        validated(config)


def test_schema_enums_match_the_registries():
    schema = yaml.safe_load(open(SCHEMA))
    definitions = schema["definitions"]
    assert set(definitions["dataset_name"]["enum"]) == set(DATASETS.names())
    assert set(definitions["method_name"]["enum"]) == set(METHODS.names())
    assert set(definitions["corruption_name"]["enum"]) == set(CORRUPTIONS.names())
    assert set(definitions["training"]["properties"]["model"]["enum"]) == set(MODELS.names())


def test_augmented_training_adds_one_sgd_method_per_corruption():
    config = validated(demo_config())
    config["augmented_training"]["corruptions"] = ["gaussian_noise", "contrast"]
    assert trained_methods(config)[-2:] == ["sgd_aug_gaussian_noise", "sgd_aug_contrast"]
    assert split_method("sgd_aug_contrast") == ("sgd", "contrast") and split_method("damp") == ("damp", None)
    config["augmented_training"]["corruptions"] = ["snowww"]
    with pytest.raises(WorkflowError, match="'snowww' is not one of"):
        validated(config)


def test_sigma_sweep_ids_reuse_the_configured_model():
    config = validated(demo_config())  # damp sigma 0.1, daap sigma 0.01 on synthetic
    config["sigma_sweep"]["methods"] = {"damp": [0.1, 0.3], "daap": [0.01, 0.04]}
    assert sigma_sweep_models(config, "synthetic") == [
        ("sgd", "sgd", None), ("damp", "damp", 0.1), ("damp_sigma0.3", "damp", 0.3),
        ("daap", "daap", 0.01), ("daap_sigma0.04", "daap", 0.04),
    ]
    assert split_method("damp_sigma0.3") == ("damp", None) and method_sigma("damp_sigma0.3") == 0.3
    assert method_sigma("damp") is None and method_sigma("sgd_aug_fog") is None
    with pytest.raises(ConfigError, match="not a noise level"):
        method_sigma("damp_sigmaX")


@pytest.mark.parametrize(("key", "value", "message"), [
    ("methods", {"sam": [0.1]}, "Additional properties are not allowed"),
    ("methods", {"damp": [0.0]}, "0.0 is less than or equal to the minimum of 0"),
    ("seeds", [], "should be non-empty"),
])
def test_bad_sigma_sweep_is_rejected_naming_the_key(key, value, message):
    config = demo_config()
    config["sigma_sweep"][key] = value
    with pytest.raises(WorkflowError, match=message):
        validated(config)


def test_unknown_stand_in_is_rejected():
    config = demo_config()
    config["comparison"]["stand_ins"] = {"synthetic": "imagenet"}
    with pytest.raises(WorkflowError, match="'imagenet' is not one of"):
        validated(config)
