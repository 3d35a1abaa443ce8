"""Invalid configs are rejected by the schema (or the cross-key check) with the key named."""

from __future__ import annotations

import pytest

from robopt.errors import ConfigError
from robopt.variants import sweep_variants, trained_variants, variants
from tests.conftest import raw_config, validated


def test_augmented_training_adds_one_sgd_variant_per_corruption():
    config = validated(raw_config())
    config["augmented_training"]["corruptions"] = ["gaussian_noise", "contrast"]
    augmented = trained_variants(config, "synthetic")[-2:]
    assert [v.id for v in augmented] == ["sgd_aug_gaussian_noise", "sgd_aug_contrast"]
    assert [(v.method, v.train_corruption, v.sigma) for v in augmented] == [
        ("sgd", "gaussian_noise", None), ("sgd", "contrast", None)]
    assert variants(config, "synthetic")["damp"].train_corruption == "none"
    config["augmented_training"]["corruptions"] = ["snowww"]
    with pytest.raises(ConfigError, match="'snowww' is not one of"):
        validated(config)


def test_sigma_sweep_variants_reuse_the_configured_model():
    config = validated(raw_config())  # damp sigma 0.1, daap sigma 0.01 on synthetic
    config["sigma_sweep"]["methods"] = {"damp": [0.1, 0.3], "daap": [0.01, 0.04]}
    sweep = sweep_variants(config, "synthetic")
    assert [(v.id, v.method, v.sigma) for v in sweep] == [
        ("sgd", "sgd", None), ("damp", "damp", 0.1), ("damp_sigma0.3", "damp", 0.3),
        ("daap", "daap", 0.01), ("daap_sigma0.04", "daap", 0.04),
    ]
    assert sweep[2].params == {"sigma": 0.3, "sub_batches": 4, "bn_scope": "batch"}  # the main model's other keys, the swept sigma
    assert sweep[2].labels() == {"variant": "damp_sigma0.3", "method": "damp", "train_corruption": "none",
                                 "sigma": 0.3}


def test_a_sweep_of_a_method_without_its_block_is_named():
    config = raw_config()
    config["methods"] = ["sgd", "daap"]
    del config["training"]["synthetic"]["methods"]["damp"]
    with pytest.raises(ConfigError, match=r"training.synthetic.methods.damp: missing key\(s\) sigma, sub_batches"):
        validated(config)


def test_a_configured_method_without_its_keys_is_named():
    config = raw_config()
    del config["training"]["synthetic"]["methods"]["sam"]
    with pytest.raises(ConfigError, match=r"training.synthetic.methods.sam: missing key\(s\) rho"):
        validated(config)


def test_sub_batches_that_do_not_divide_the_batch_are_named_before_any_job():
    config = raw_config()
    config["training"]["synthetic"]["methods"]["damp"]["sub_batches"] = 3
    with pytest.raises(ConfigError, match="damp.sub_batches = 3 does not divide training.synthetic.batch_size = 64"):
        validated(config)


def test_sub_batches_that_do_not_split_over_the_ranks_are_named_before_any_job():
    config = raw_config()
    config["distributed"] = {"training": {"devices": 4, "nodes": 2}}
    config["training"]["synthetic"]["methods"]["damp"]["sub_batches"] = 4
    with pytest.raises(ConfigError, match="damp.sub_batches = 4 is not a multiple of the 8 ranks"):
        validated(config)
    config["training"]["synthetic"]["methods"]["damp"]["sub_batches"] = 8
    config["training"]["synthetic"]["methods"]["sam"]["sub_batches"] = 16
    config["training"]["synthetic"]["methods"]["asam"]["sub_batches"] = 8
    config["training"]["synthetic"]["methods"]["daap"]["sub_batches"] = 8
    validated(config)


def test_a_choice_is_read_only_for_its_own_method_and_key(tmp_path):
    import json

    from robopt.variants import read_choice, tuned_labels, tuned_settings

    path = tmp_path / "choice.json"
    path.write_text(json.dumps({"method": "damp", "parameter": "sigma", "value": 0.1}))
    assert read_choice(path, "damp", "sigma") == 0.1
    with pytest.raises(ConfigError, match="daap.sigma is tuned but .* holds the choice of damp.sigma"):
        read_choice(path, "daap", "sigma")  # another method's sweep
    block = {"method": "damp", "method_params": {"sigma": "tuned", "sub_batches": 8}}
    assert tuned_settings(block, "sigma", 0.1)["method_params"] == {"sigma": 0.1, "sub_batches": 8}
    assert block["method_params"]["sigma"] == "tuned"  # the validated block is left as it was
    assert tuned_labels({"variant": "sam", "sigma": None}, "rho", 0.05) == {"variant": "sam", "sigma": None}
    assert tuned_labels({"variant": "damp", "sigma": None}, "sigma", 0.1)["sigma"] == 0.1
