"""Invalid configs are rejected by the schema (or the cross-key check) with the key named."""

from __future__ import annotations

import pytest
import yaml

from robopt.corruptions import CORRUPTIONS
from robopt.data import DATASETS
from robopt.errors import ConfigError
from robopt.models import MODELS
from robopt.train import METHODS
from robopt.train.methods import method_keys
from robopt.variants import SETTING_OVERRIDES
from tests.conftest import REPO, SCHEMA, raw_config, validated

SHIPPED = [("demo.yaml",), ("config.yaml",), ("cifar10_cpu.yaml",), ("cifar10_cpu.yaml", "cifar10_lopt_cpu.yaml"),
           ("cifar10_cpu.yaml", "cifar10_overfit_cpu.yaml"), ("cifar10_resnet_cpu.yaml",),
           ("demo.yaml", "tests/demo_fast.yaml"), ("demo.yaml", "tests/small_config.yaml"),
           ("cifar10_reweight_cpu.yaml",), ("cifar10_reweight_cpu.yaml", "cifar10_reweight_corrupted_cpu.yaml"),
           ("cifar10_reweight_cpu.yaml", "cifar10_reweight_overfit_cpu.yaml"),
           ("cifar10_reweight_noise.yaml",), ("cifar10_reweight_imbalance.yaml",),
           ("demo.yaml", "tests/small_config.yaml", "tests/reweight_config.yaml"), ("demo.yaml", "external_example.yaml"),
           ("cifar10_reweight_cpu.yaml", "cifar10_reweight_overfit_cpu.yaml", "cifar10_reweight_flip_cpu.yaml"),
           ("cifar10_reweight_cpu.yaml", "cifar10_reweight_overfit_cpu.yaml", "cifar10_reweight_imbalance_cpu.yaml"),
           ("config.yaml", "distributed_8gpu.yaml"), ("config.yaml", "distributed_2x4gpu.yaml"),
           ("config.yaml", "only_cifar10.yaml")]


#: Configs whose checks look for data that is never here (ImageNet): validated on fixtures by their own tests.
NEEDS_DATA = {"imagenet.yaml": "tests/imagenet/test_config.py", "external_imagenet.yaml": "tests/imagenet/test_config.py"}


def test_every_shipped_config_is_tested():
    tested = {name for names in SHIPPED for name in names if "/" not in name} | set(NEEDS_DATA)
    assert {path.name for path in (REPO / "config").glob("*.yaml")} == tested
    assert all((REPO / test).exists() for test in NEEDS_DATA.values())


@pytest.mark.parametrize("names", SHIPPED, ids="+".join)
def test_shipped_configs_are_valid(names):
    validated(raw_config(*names))


def test_defaults_are_filled_in():
    config = raw_config()
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
        (lambda c: c.update(distributed={"training": {"device": 2}}), "'device' was unexpected"),
        (lambda c: c.update(distributed={"training": {"devices": "two"}}), "'two' is not of type 'integer'"),
        (lambda c: c["training"]["synthetic"].update(optimizer_name="lamb"), "'lamb' is not one of"),
        (lambda c: c["training"]["synthetic"].update(lr_schedule="cosine"), "'cosine' is not one of"),
        (lambda c: c["training"]["synthetic"].update(grad_clip_norm="one"), "'one' is not of type 'number'"),
    ],
)
def test_invalid_config_names_the_problem(mutate, expected):
    config = raw_config()
    mutate(config)
    with pytest.raises(ConfigError) as info:
        validated(config)
    assert expected in str(info.value)


def test_unknown_name_message_lists_allowed_values():
    config = raw_config()
    config["datasets"] = ["mnist"]
    with pytest.raises(ConfigError, match="cifar10.*cifar100.*tinyimagenet"):
        validated(config)


def test_dataset_without_training_block_is_named():
    config = raw_config()
    config["datasets"] = ["synthetic", "cifar10"]
    config["data"]["cifar10"] = {"root": "x"}
    with pytest.raises(ConfigError, match="training.cifar10 is missing"):
        validated(config)


def test_schema_enums_match_the_registries():
    schema = yaml.safe_load(SCHEMA.read_text())
    definitions = schema["definitions"]
    assert set(definitions["dataset_name"]["enum"]) == set(DATASETS.names())
    assert set(definitions["method_name"]["enum"]) == set(METHODS.names())
    assert set(definitions["corruption_name"]["enum"]) == set(CORRUPTIONS.names())
    assert set(definitions["training"]["properties"]["model"]["enum"]) == set(MODELS.names())


MISSPELLED = {
    "damp": ("sigmaa", {"sub_batches": 4}), "daap": ("sub_batch", {"sigma": 0.01}), "sam": ("rh0", {}),
    "asam": ("etaa", {"rho": 0.5}), "sgd": ("momentun", {}), "adam": ("learning_rate", {}),
}


@pytest.mark.parametrize("method", sorted(MISSPELLED))
def test_a_misspelled_method_key_is_named_with_the_allowed_ones(method):
    wrong, others = MISSPELLED[method]
    config = raw_config()
    config["methods"] = list(dict.fromkeys(["sgd", "damp", "daap", method]))
    config["training"]["synthetic"]["methods"][method] = {**others, wrong: 0.1}
    with pytest.raises(ConfigError) as info:
        validated(config)
    message = str(info.value)
    assert f"training.synthetic.methods.{method}" in message and f"'{wrong}' was unexpected" in message
    schema = yaml.safe_load(SCHEMA.read_text())
    allowed = schema["definitions"][schema["definitions"]["training"]["properties"]["methods"]["properties"][method]
                                    ["$ref"].split("/")[-1]]["properties"]
    assert f"allowed keys: {', '.join(allowed)}" in message


def test_schema_requires_what_each_builder_takes():
    """The schema's method keys and the builders' keyword arguments are one list."""
    schema = yaml.safe_load(SCHEMA.read_text())
    definitions = schema["definitions"]
    for method, ref in definitions["training"]["properties"]["methods"]["properties"].items():
        block = definitions[ref["$ref"].split("/")[-1]]
        own = set(block["properties"]) - {*SETTING_OVERRIDES, "tune"}
        assert own == set(method_keys(method)), method
        defaulted = {key for key in own if "default" in block["properties"][key]}
        assert set(block.get("required", [])) - set(SETTING_OVERRIDES) | defaulted == own, method


@pytest.mark.parametrize(("method", "key", "value", "message"), [
    ("damp", "sigma", -0.1, "-0.1 is less than the minimum of 0"),
    ("sam", "rho", -1, "-1 is less than the minimum of 0"),
    ("asam", "eta", -1, "-1 is less than the minimum of 0"),
    ("daap", "sub_batches", 0, "0 is less than the minimum of 1"),
    ("damp", "tune", {"rho": [0.1, 0.2]}, "'rho' is not one of"),
])
def test_out_of_range_method_values_are_rejected(method, key, value, message):
    config = raw_config()
    config["training"]["synthetic"]["methods"][method][key] = value
    with pytest.raises(ConfigError, match=message):
        validated(config)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("methods", {"sam": [0.1]}, "Additional properties are not allowed"),
    ("methods", {"damp": [0.0]}, "0.0 is less than or equal to the minimum of 0"),
    ("seeds", [], "should be non-empty"),
])
def test_bad_sigma_sweep_is_rejected_naming_the_key(key, value, message):
    config = raw_config()
    config["sigma_sweep"][key] = value
    with pytest.raises(ConfigError, match=message):
        validated(config)


def test_unknown_stand_in_is_rejected():
    config = raw_config()
    config["comparison"]["stand_ins"] = {"synthetic": "imagenet"}
    with pytest.raises(ConfigError, match="'imagenet' is not one of"):
        validated(config)


@pytest.mark.parametrize(("method", "key", "tune", "message"), [
    ("daap", "sigma", None, "training.synthetic.methods.daap: 'tune' is a required property"),
    ("damp", "sigma", {"lr": [0.01, 0.1]}, "training.synthetic.methods.damp.tune: 'sigma' is a required property"),
    ("sam", "rho", None, "training.synthetic.methods.sam: 'tune' is a required property"),
    ("asam", "rho", {"eta": [0.0, 0.1]}, "training.synthetic.methods.asam.tune: 'rho' is a required property"),
])
def test_tuned_needs_the_sweep_that_chooses_it(method, key, tune, message):
    config = raw_config()
    block = config["training"]["synthetic"]["methods"][method]
    block[key] = "tuned"
    block.pop("tune", None)
    if tune:
        block["tune"] = tune
    with pytest.raises(ConfigError) as info:
        validated(config)
    assert message in str(info.value)


def test_a_tuned_key_with_its_sweep_is_a_tuned_variant():
    from robopt.variants import main_variant, sweep_variants

    config = raw_config()
    config["training"]["synthetic"]["methods"]["damp"]["sigma"] = "tuned"
    config = validated(config)
    damp = main_variant(config, "synthetic", "damp")
    assert damp.tuned == "sigma" and damp.sigma is None and damp.params["sigma"] == "tuned"
    swept = [v for v in sweep_variants(config, "synthetic") if v.method == "damp"]
    assert [v.sigma for v in swept] == [0.05, 0.1, 0.2] and not any(v.tuned for v in swept)  # Fig. 2 fixes sigma


@pytest.mark.parametrize("value", ["tunde", -0.5])
def test_a_noise_level_is_a_number_or_tuned(value):
    config = raw_config()
    config["training"]["synthetic"]["methods"]["damp"]["sigma"] = value
    with pytest.raises(ConfigError, match="training.synthetic.methods.damp.sigma"):
        validated(config)


def test_only_cifar_resnets_take_a_width():
    config = raw_config()
    config["training"]["synthetic"]["width"] = 2
    with pytest.raises(ConfigError, match="training.synthetic.width: 1 was expected"):
        validated(config)
    config["training"]["synthetic"]["model"] = "resnet8"
    assert validated(config)["training"]["synthetic"]["width"] == 2
