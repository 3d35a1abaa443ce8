"""config/imagenet.yaml and config/external_imagenet.yaml validate on a copy; the cross-key checks name the key before any job."""

from __future__ import annotations

import pytest

from robopt.errors import ConfigError, DatasetNotFoundError
from robopt.variants import imagenet_training_job, imagenet_variants
from tests.conftest import raw_config, validated


def paper_config(tmp_path) -> dict:
    config = raw_config("imagenet.yaml")
    (tmp_path / "train").mkdir()
    (tmp_path / "val").mkdir()
    config["imagenet"]["root"] = str(tmp_path)
    config["imagenet"]["test_sets"] = {}
    return config


def test_the_paper_recipes_as_the_paper_states_them(tmp_path):
    config = validated(paper_config(tmp_path))
    assert config["datasets"] == [] and config["seeds"] == [0]  # ImageNet only: the CIFAR side's keys defaulted
    resnet = imagenet_training_job(config, "resnet50", "damp")
    assert (resnet["batch_size"], resnet["lr"], resnet["weight_decay_on"], resnet["lr_schedule"]) == (
        2048, 0.8, "kernels", "warmup_cosine")
    assert resnet["method_params"] == {"sigma": 0.1, "sub_batches": 8, "bn_scope": "batch"}
    vit = {method: imagenet_training_job(config, "vit_s16", method) for method in imagenet_variants(config, "vit_s16")}
    assert {method: job["epochs"] for method, job in vit.items()} == {"dropout": 100, "damp": 200, "sam": 100,
                                                                      "asam": 100}
    assert vit["dropout"]["dropout"] == 0.1 and vit["damp"]["optimizer_name"] == "adamw"
    assert round(vit["damp"]["warmup_epochs"] * 1_281_167 / 1024) == 10_000  # the reference's 10k warm-up steps


@pytest.mark.parametrize(("change", "message"), [
    (lambda c: c["imagenet"]["tables"].update(damp_table2={"recipe": "vit_s16", "seeds": [0]}) or
     c["imagenet"]["recipes"].pop("vit_s16"), "imagenet.tables.damp_table2.recipe = vit_s16 but"),
    (lambda c: c["imagenet"]["recipes"]["resnet50"]["methods"]["damp"].update(sub_batches=3),
     "imagenet.recipes.resnet50.methods.damp.sub_batches = 3 does not divide"),
    (lambda c: c["imagenet"]["recipes"]["resnet50"]["methods"]["damp"].update(sigma="tuned", tune={"sigma": [0.1, 0.2]}),
     "imagenet.recipes.resnet50.methods.damp.sigma = tuned: ImageNet recipes train with given values"),
    (lambda c: c["imagenet"]["distributed"].update(devices=3),
     "imagenet.recipes.resnet50.batch_size = 2048 does not split over the 3 ranks"),
])
def test_inconsistent_imagenet_settings_are_refused_by_key(tmp_path, change, message):
    config = paper_config(tmp_path)
    change(config)
    with pytest.raises(ConfigError, match=message):
        validated(config)


def test_missing_test_set_and_image_size_outside_imagenet_are_named(tmp_path):
    config = paper_config(tmp_path)
    config["imagenet"]["test_sets"] = {"imagenet_a": str(tmp_path / "absent")}
    with pytest.raises(DatasetNotFoundError, match="imagenet.test_sets.imagenet_a = "):
        validated(config)
    demo = raw_config()
    demo["training"]["synthetic"]["image_size"] = 64
    with pytest.raises(ConfigError, match="training.synthetic.image_size: only ImageNet recipes"):
        validated(demo)


def test_the_shipped_external_example_is_valid_on_a_copy(tmp_path):
    """config/external_imagenet.yaml with its data folders pointed at a copy: both protocols, nothing to train."""
    from tests.imagenet.fixture import write_imagenet_fixture

    sets = write_imagenet_fixture(tmp_path)
    config = raw_config("external_imagenet.yaml")
    config["imagenet"].update(root=str(tmp_path / "imagenet"), test_sets={"imagenet_c": str(sets["imagenet_c"])})
    checked = validated(config)
    assert {entry["protocol"] for entry in checked["external_models"].values()} == {"pipeline", "robustbench"}
    assert checked["imagenet"]["recipes"] == {} and checked["imagenet"]["tables"] == {}
    del config["imagenet"]["test_sets"]["imagenet_c"]
    with pytest.raises(ConfigError, match="external_models.resnet50_v1.dataset = imagenet needs"):
        validated(config)
