"""Checks across config keys that a JSON schema cannot express, and lookups used by the rules."""

from __future__ import annotations

from typing import Any

from robopt.errors import RoboptError


class ConfigError(RoboptError, ValueError):
    """The config is valid per key but inconsistent as a whole."""


def check_config(config: dict[str, Any]) -> None:
    """Every configured dataset has training settings and a data source; raise naming the key otherwise."""
    for dataset in config["datasets"]:
        if dataset not in config.get("training", {}):
            raise ConfigError(f"datasets lists {dataset!r} but training.{dataset} is missing")
        if dataset != "synthetic" and dataset not in config.get("data", {}):
            raise ConfigError(
                f"datasets lists {dataset!r} but data.{dataset} is missing; set data.{dataset}.root "
                "to the folder that holds its official files (see config/README.md)"
            )


#: Method ids of SGD trained with corruption augmentation (DAMP Alg. 2): ``sgd_aug_<corruption>``.
AUGMENTED_PREFIX = "sgd_aug_"


def split_method(method: str) -> tuple[str, str | None]:
    """(base method, training corruption or None) of a method id such as ``sgd_aug_gaussian_noise``."""
    if method.startswith(AUGMENTED_PREFIX):
        return "sgd", method[len(AUGMENTED_PREFIX) :]
    return method, None


def trained_methods(config: dict[str, Any]) -> list[str]:
    """The configured methods plus one SGD-with-corruption-augmentation id per training corruption."""
    corruptions = config.get("augmented_training", {}).get("corruptions", [])
    return list(config["methods"]) + [AUGMENTED_PREFIX + name for name in corruptions]


def data_source(config: dict[str, Any], dataset: str) -> dict[str, Any]:
    """Keyword arguments of the dataset reader for ``dataset``."""
    return dict(config.get("data", {}).get(dataset, {}))


def training_block(config: dict[str, Any], dataset: str) -> dict[str, Any]:
    try:
        return dict(config["training"][dataset])
    except KeyError:
        raise ConfigError(f"training.{dataset} is missing from the config") from None


def method_params(config: dict[str, Any], dataset: str, method: str) -> dict[str, Any]:
    """The hyperparameters of ``method`` on ``dataset`` (empty when it has none of its own)."""
    return dict(training_block(config, dataset).get("methods", {}).get(method) or {})
