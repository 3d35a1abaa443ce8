"""The config as a whole: schema validation with errors that name the key, and the checks across keys that a JSON
schema cannot express. Both run when the DAG is built, before any job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from robopt.errors import ConfigError


def config_key(path) -> str:
    """``training.synthetic.methods.damp`` from a jsonschema error path (``config`` for the top level)."""
    return ".".join(str(part) for part in path) or "config"


def schema_problems(config: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Every schema violation of ``config`` in words: the key, what is wrong, and for an unknown key the allowed ones."""
    from jsonschema import Draft202012Validator

    problems = []
    for error in sorted(Draft202012Validator(schema).iter_errors(config), key=lambda e: list(map(str, e.path))):
        message = f"{config_key(error.path)}: {error.message}"
        if error.validator == "additionalProperties" and "properties" in error.schema:
            message += f"; allowed keys: {', '.join(error.schema['properties'])}"
        problems.append(message)
    return problems


def validate_config(config: dict[str, Any], schema_path: str | Path) -> None:
    """Validate ``config`` against the schema, naming each bad key, then fill in the schema's defaults (in place).

    The schema is the one home of every default; code downstream reads validated blocks and never supplies its own.
    """
    from snakemake.utils import validate

    schema = yaml.safe_load(Path(schema_path).read_text())
    problems = schema_problems(config, schema)
    if problems:
        raise ConfigError("invalid config:\n  " + "\n  ".join(problems))
    validate(config, str(schema_path), set_default=True)


def merge_configs(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """``overlay`` layered over ``base`` as Snakemake layers ``--configfile`` files: mappings merge key by key,
    anything else is replaced."""
    merged = dict(base)
    for key, value in overlay.items():
        both = isinstance(value, dict) and isinstance(base.get(key), dict)
        merged[key] = merge_configs(base[key], value) if both else value
    return merged


def layered_config(paths: list[str | Path]) -> dict[str, Any]:
    """The config files ``paths`` layered in order as Snakemake layers ``--configfile`` (unvalidated: as written)."""
    config: dict[str, Any] = {}
    for path in paths:
        config = merge_configs(config, yaml.safe_load(Path(path).read_text()) or {})
    return config


def load_config(paths: list[str | Path], schema_path: str | Path) -> dict[str, Any]:
    """The config files ``paths`` layered in order, validated (defaults filled in) and checked: what the DAG sees,
    for code that runs outside Snakemake (benchmarks, notebooks)."""
    config = layered_config(paths)
    validate_config(config, schema_path)
    check_config(config)
    return config


def check_config(config: dict[str, Any]) -> None:
    """Cross-key checks of a validated config; raise naming the keys. Building every dataset's variant table checks
    each method's keys against its builder and that sub-batches divide the batch size."""
    from robopt.variants import variants

    for dataset in config["datasets"]:
        if dataset not in config["training"]:
            raise ConfigError(f"datasets lists {dataset!r} but training.{dataset} is missing")
        if dataset != "synthetic" and dataset not in config["data"]:
            raise ConfigError(
                f"datasets lists {dataset!r} but data.{dataset} is missing; set data.{dataset}.root "
                "to the folder that holds its official files (see config/README.md)"
            )
        variants(config, dataset)
        if config["training"][dataset].get("bias"):
            check_bias_block(config, dataset)
    for name, entry in config.get("external_models", {}).items():
        check_external_dataset(config, name, entry)
        check_external_entry(name, entry)
    for dataset, block in config["training"].items():
        if "image_size" in block:
            raise ConfigError(f"training.{dataset}.image_size: only ImageNet recipes (imagenet.recipes.*) take it")
    if "imagenet" in config:
        check_imagenet(config)
    if "lopt" in config:
        from robopt.lopt.settings import check_lopt

        check_lopt(config["lopt"])


def check_external_dataset(config: dict[str, Any], name: str, entry: dict[str, Any]) -> None:
    """Where an external model's test images come from: a dataset of ``datasets``, or ImageNet's block with its
    ImageNet-C folder (RobustBench's corruption accuracy needs it); the RobustBench protocol is ImageNet's only."""
    where = f"external_models.{name}"
    if entry["dataset"] == "imagenet":
        if "imagenet_c" not in config.get("imagenet", {}).get("test_sets", {}):
            raise ConfigError(f"{where}.dataset = imagenet needs imagenet.root (your ILSVRC-2012) and "
                              "imagenet.test_sets.imagenet_c (your ImageNet-C) in the config")
    elif entry["dataset"] not in config["datasets"]:
        raise ConfigError(f"{where}.dataset = {entry['dataset']} is not in datasets "
                          f"({', '.join(config['datasets']) or 'none'}): add it so its test sets are prepared")
    elif entry.get("protocol") == "robustbench":
        raise ConfigError(f"{where}.protocol = robustbench applies to imagenet only: on {entry['dataset']} "
                          "RobustBench's protocol is the official -C files (corruptions.official), as here")


def check_external_entry(name: str, entry: dict[str, Any]) -> None:
    """What an external model needs besides its source, before any job: a known source kind, and a torchvision / timm
    source's weights key. The files themselves are inputs of the materialise_external job (Snakemake names a missing
    one; a file this pipeline trains is made first), which also checks the architecture and the weights."""
    from robopt.external.sources import ExternalModelError, parse_source

    where = f"external_models.{name}"
    kind, _ = parse_source(entry["source"], where)
    if kind in ("torchvision", "timm") and not entry.get("weights"):
        raise ExternalModelError(f"{where}.weights is needed: the path of the weights file (nothing is downloaded)")


def check_bias_block(config: dict[str, Any], dataset: str) -> None:
    """A bias block's meta set: held out from the test columns' corruptions, smaller than a class."""
    from robopt.data.bias import TRAIN_IMAGES_PER_CLASS, check_held_out, check_meta_set_size

    bias, where = config["training"][dataset]["bias"], f"training.{dataset}.bias"
    check_held_out(bias, config["corruptions"]["names"], where)
    synthetic = config["data"].get("synthetic", {})
    available = (synthetic.get("n_train", 0) // 10 if dataset == "synthetic" and "n_train" in synthetic
                 else TRAIN_IMAGES_PER_CLASS.get(dataset))
    check_meta_set_size(bias, available, where)


def check_imagenet(config: dict[str, Any]) -> None:
    """The ImageNet block: every table's recipe exists, each recipe's methods are valid, and the dataset and every
    configured test set are where the config says (ImageNet is never downloaded), before any job."""
    from robopt.data.imagenet import check_imagenet_root
    from robopt.data.imagenet_test_sets import check_test_set
    from robopt.variants import imagenet_variants

    imagenet = config["imagenet"]
    for table, block in imagenet["tables"].items():
        if block["recipe"] not in imagenet["recipes"]:
            raise ConfigError(f"imagenet.tables.{table}.recipe = {block['recipe']} but imagenet.recipes."
                              f"{block['recipe']} is missing (recipes: {', '.join(imagenet['recipes']) or 'none'})")
    for recipe, training in imagenet["recipes"].items():
        if training.get("bias"):
            raise ConfigError(f"imagenet.recipes.{recipe}.bias: a biased training set needs a dataset held in memory "
                              "(CIFAR-10/100, Tiny-ImageNet), not the streamed ImageNet")
        if training["model"] not in ("resnet50", "vit_s16"):
            raise ConfigError(f"imagenet.recipes.{recipe}.model = {training['model']}: an ImageNet model "
                              "(resnet50, vit_s16) is needed")
        for method, variant in imagenet_variants(config, recipe).items():
            if variant.tuned:
                raise ConfigError(f"imagenet.recipes.{recipe}.methods.{method}.{variant.tuned} = tuned: ImageNet "
                                  "recipes train with given values (the hold-out sweep runs for training.<dataset>)")
    check_imagenet_root(imagenet["root"], "imagenet.root")
    for name, root in imagenet["test_sets"].items():
        check_test_set(name, root, f"imagenet.test_sets.{name}")


def data_source(config: dict[str, Any], dataset: str) -> dict[str, Any]:
    """Keyword arguments of the dataset reader for ``dataset``."""
    return dict(config["data"].get(dataset, {}))
