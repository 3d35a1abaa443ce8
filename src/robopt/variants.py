"""The models the DAG trains, as one table built once from the validated config.

A *variant* is one trained-model id of the path scheme (``results/train/{dataset}/{variant}/...``): a configured
method (``damp``), SGD with a training corruption (``sgd_aug_<corruption>``, DAMP Alg. 2), or a weight-noise method
at a swept noise level (``damp_sigma<value>``, DAMP Fig. 2). Ids are built here and never parsed: every later step
reads the variant's fields, and the tidy outputs carry them as columns (``labels``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from robopt.errors import ConfigError

AUGMENTED_PREFIX = "sgd_aug_"
#: Variant id prefix of a model of the ``external_models`` block.
EXTERNAL_PREFIX = "external_"
SIGMA_INFIX = "_sigma"
#: Methods whose noise level the sigma sweep may set (their ``sigma`` key).
SWEPT_METHODS = ("damp", "daap")
#: Keys of a method block that override the dataset's shared training settings instead of reaching the builder
#: (``dropout``: the rate of the Dropout baseline's model; ``epochs``: DAMP's ViT runs differ in length per method).
SETTING_OVERRIDES = ("lr", "weight_decay", "epochs", "dropout")
#: The value of the ``train_corruption`` column of a model trained on clean images (the paper's "none").
CLEAN = "none"
#: A method key set to this takes the value its ``tune`` sweep chose on the hold-out split (DAMP's protocol).
TUNED = "tuned"


@dataclass(frozen=True)
class Variant:
    """One trained model per (dataset, seed): the method, its own keyword arguments and what makes it a variant."""

    id: str
    method: str
    params: Mapping[str, Any]  # the builder's keyword arguments (sigma, sub_batches, rho, eta)
    overrides: Mapping[str, float] = field(default_factory=dict)  # lr / weight_decay / epochs / dropout of this method
    train_corruption: str = CLEAN
    sigma: float | None = None  # noise level of a weight-noise method (DAMP Fig. 2's x axis); None while tuned
    tuned: str | None = None  # the key (sigma, rho) whose value the method's tune sweep chooses, if any

    def labels(self) -> dict[str, Any]:
        """The tidy columns that say which model a row belongs to."""
        return {"variant": self.id, "method": self.method, "train_corruption": self.train_corruption,
                "sigma": self.sigma}


def method_block(config: dict[str, Any], dataset: str, method: str) -> dict[str, Any]:
    """``training.<dataset>.methods.<method>`` of a validated config ({} when the method has no block)."""
    return dict(config["training"][dataset]["methods"].get(method) or {})


def tune_grid(config: dict[str, Any], dataset: str, method: str) -> tuple[str, list[float]] | None:
    """(parameter, grid) of the method's ``tune`` block on ``dataset``, or None."""
    tune = method_block(config, dataset, method).get("tune")
    return next(iter(tune.items())) if tune else None


def main_variant(config: dict[str, Any], dataset: str, method: str) -> Variant:
    """The configured ``method`` on ``dataset``, its keys checked against the method's builder."""
    return block_variant(config["training"][dataset], method, f"training.{dataset}", config["distributed"]["training"])


def block_variant(training: dict[str, Any], method: str, where: str, ranks: dict[str, int]) -> Variant:
    """``method`` of the training block ``training`` (config key ``where``) on ``ranks`` (devices, nodes), its keys
    checked against the method's builder and its sub-batches against the batch size and the ranks."""
    from robopt.train.methods import MethodParamsError, check_method_params, meta_set_use

    block = dict(training["methods"].get(method) or {})
    block.pop("tune", None)
    overrides = {key: block.pop(key) for key in SETTING_OVERRIDES if key in block}
    try:
        check_method_params(method, block, where=f"{where}.methods.{method}")
    except MethodParamsError as err:
        raise ConfigError(str(err)) from None
    if method == "dropout" and not overrides.get("dropout"):
        raise ConfigError(f"{where}.methods.dropout needs its rate: dropout: <p>")
    batch_size = training["batch_size"]
    if "sub_batches" in block and batch_size % block["sub_batches"]:
        raise ConfigError(f"{where}.methods.{method}.sub_batches = {block['sub_batches']} does not divide "
                          f"{where}.batch_size = {batch_size} into equal sub-batches")
    world = ranks["devices"] * ranks["nodes"]
    if world > 1 and meta_set_use(method) == "meta":
        raise ConfigError(f"{where}.methods.{method} runs on one process only: set the distributed block's devices "
                          "and nodes to 1 (its meta step is single-process)")
    if batch_size % world:
        raise ConfigError(f"{where}.batch_size = {batch_size} does not split over the {world} ranks of "
                          "its distributed block (devices x nodes)")
    if world > 1 and block.get("sub_batches", world) % world:
        raise ConfigError(f"{where}.methods.{method}.sub_batches = {block['sub_batches']} is not a "
                          f"multiple of the {world} ranks of its distributed block (each rank runs sub_batches / "
                          "ranks of them)")
    check_meta_set(training, method, where)
    tuned = next((key for key, value in block.items() if value == TUNED), None)
    sigma = float(block["sigma"]) if method in SWEPT_METHODS and tuned != "sigma" else None
    return Variant(method, method, block, overrides, sigma=sigma, tuned=tuned)


def check_meta_set(training: dict[str, Any], method: str, where: str) -> None:
    """A method that uses a meta set (L2RW, MW-Net, their SGD baselines) needs the training block's bias block to
    carve one; the bias block's values are checked here too, before any job."""
    from robopt.data.bias import check_bias
    from robopt.train.methods import meta_set_use

    bias = training.get("bias")
    if bias is not None:
        check_bias(bias, f"{where}.bias")
    if meta_set_use(method) and not (bias and bias["meta_set"]["per_class"] > 0):
        raise ConfigError(f"{where}.methods.{method} needs a meta set: set {where}.bias.meta_set.per_class > 0")


def model_labels(config: dict[str, Any], dataset: str, variant: Variant) -> dict[str, Any]:
    """The tidy columns of a model's rows: the variant's, then how its training set was biased."""
    from robopt.data.bias import bias_labels

    bias = None if variant.method == "external" else config["training"][dataset].get("bias")  # trained elsewhere
    return {**variant.labels(), **bias_labels(bias)}


def augmented_variants(config: dict[str, Any], dataset: str) -> list[Variant]:
    """SGD trained with half of each batch corrupted, one variant per ``augmented_training.corruptions`` entry."""
    sgd = main_variant(config, dataset, "sgd")
    return [Variant(f"{AUGMENTED_PREFIX}{name}", "sgd", sgd.params, sgd.overrides, train_corruption=name)
            for name in config["augmented_training"]["corruptions"]]


def sweep_variants(config: dict[str, Any], dataset: str) -> list[Variant]:
    """Every model of DAMP Fig. 2 on ``dataset``: SGD, then each swept method at each noise level. A level equal
    to the method's configured sigma is its main model, not a second training; the other keys (sub_batches) are
    the method's configured ones, so a swept method needs its block under ``training.<dataset>.methods``."""
    swept = config["sigma_sweep"]["methods"]
    if not swept:
        return []
    entries = [main_variant(config, dataset, "sgd")]
    for method, sigmas in swept.items():
        main = main_variant(config, dataset, method)
        for sigma in map(float, sigmas):
            entries.append(main if sigma == main.sigma else Variant(
                f"{method}{SIGMA_INFIX}{sigma:g}", method, {**main.params, "sigma": sigma}, main.overrides,
                sigma=sigma, tuned=None if main.tuned == "sigma" else main.tuned))
    return entries


def trained_variants(config: dict[str, Any], dataset: str) -> list[Variant]:
    """The models every target trains on ``dataset``: the configured methods, then the augmented SGD models."""
    return [main_variant(config, dataset, method) for method in config["methods"]] + augmented_variants(config, dataset)


def external_variants(config: dict[str, Any], dataset: str) -> list[Variant]:
    """The models of ``external_models`` that classify ``dataset``: variant ``external_<name>``, method ``external``
    (evaluated, never trained)."""
    return [Variant(f"{EXTERNAL_PREFIX}{name}", "external", {}) for name, entry in
            config.get("external_models", {}).items() if entry["dataset"] == dataset]


def variants(config: dict[str, Any], dataset: str) -> dict[str, Variant]:
    """{id: Variant} of every model any target may train or evaluate on ``dataset`` (trained ones, the sweep's
    others, then the external models)."""
    table = {variant.id: variant for variant in trained_variants(config, dataset)}
    for variant in sweep_variants(config, dataset) + external_variants(config, dataset):
        table.setdefault(variant.id, variant)
    return table


def training_job(config: dict[str, Any], dataset: str, variant: Variant) -> dict[str, Any]:
    """The flat settings of one training job (``robopt.train.TrainSettings`` fields; mean, std and the corruption
    scale come from the dataset's ``meta.json`` when the job runs)."""
    return block_job(config["training"][dataset], variant, config["augmented_training"]["severities"])


def block_job(training: dict[str, Any], variant: Variant, severities: list[int]) -> dict[str, Any]:
    """The flat settings of ``variant`` trained with the training block ``training``."""
    block = {key: value for key, value in training.items() if key != "methods"}
    block.update(variant.overrides)
    block.update(
        method=variant.method,
        method_params=dict(variant.params),
        train_corruptions=[] if variant.train_corruption == CLEAN else [variant.train_corruption],
        train_severities=list(severities),
    )
    return block


def imagenet_variants(config: dict[str, Any], recipe: str) -> dict[str, Variant]:
    """{method: Variant} of an ImageNet recipe (``imagenet.recipes.<recipe>``): every method of its block."""
    imagenet = config["imagenet"]
    training = imagenet["recipes"][recipe]
    return {method: block_variant(training, method, f"imagenet.recipes.{recipe}", imagenet["distributed"])
            for method in training["methods"]}


def imagenet_training_job(config: dict[str, Any], recipe: str, method: str) -> dict[str, Any]:
    """The flat settings of one ImageNet training job (no training corruptions)."""
    return block_job(config["imagenet"]["recipes"][recipe], imagenet_variants(config, recipe)[method], [1])


def read_choice(path: str | Path, method: str, parameter: str) -> float:
    """The value the hold-out sweep of ``method`` chose for ``parameter`` (its ``choice.json``), read when a tuned
    variant's job runs, after the sweep."""
    import json

    choice = json.loads(Path(path).read_text())
    if choice.get("method") != method or choice.get("parameter") != parameter:
        raise ConfigError(f"{method}.{parameter} is tuned but {path} holds the choice of "
                          f"{choice.get('method')}.{choice.get('parameter')}; rerun its tune_method job")
    return float(choice["value"])


def tuned_settings(block: dict[str, Any], parameter: str, value: float) -> dict[str, Any]:
    """A tuned variant's training settings with ``parameter`` set to the sweep's choice ``value``."""
    return {**block, "method_params": {**block["method_params"], parameter: value}}


def tuned_labels(labels: dict[str, Any], parameter: str, value: float) -> dict[str, Any]:
    """A tuned variant's tidy labels: a tuned noise level fills the ``sigma`` column."""
    return {**labels, "sigma": value} if parameter == "sigma" else dict(labels)
