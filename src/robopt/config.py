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


#: Method ids of a weight-noise method at a swept noise level (DAMP Fig. 2): ``<method>_sigma<value>``.
SIGMA_INFIX = "_sigma"

#: Methods whose noise level the sigma sweep may set.
SWEPT_METHODS = ("damp", "daap")


def sweep_parts(method: str) -> tuple[str, str]:
    """(base method, noise-level text) of a sweep id such as ``damp_sigma0.3``; (method, "") for any other id."""
    base, _, value = method.partition(SIGMA_INFIX)
    return (base, value) if value and base in SWEPT_METHODS else (method, "")


def split_method(method: str) -> tuple[str, str | None]:
    """(base method, training corruption or None) of a method id such as ``sgd_aug_gaussian_noise``
    or ``damp_sigma0.3``."""
    if method.startswith(AUGMENTED_PREFIX):
        return "sgd", method[len(AUGMENTED_PREFIX) :]
    return sweep_parts(method)[0], None


def method_sigma(method: str) -> float | None:
    """The noise level fixed by a sweep id such as ``damp_sigma0.3`` (None for other ids)."""
    _, value = sweep_parts(method)
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"method id {method!r}: {value!r} is not a noise level") from None


def sigma_sweep_models(config: dict[str, Any], dataset: str) -> list[tuple[str, str, float | None]]:
    """(method id, base method, sigma) of every model DAMP Fig. 2 needs on ``dataset``: SGD, then each swept
    method at each noise level. The configured sigma reuses the method's main model instead of training it twice."""
    models: list[tuple[str, str, float | None]] = [("sgd", "sgd", None)]
    for method, sigmas in config.get("sigma_sweep", {}).get("methods", {}).items():
        configured = method_params(config, dataset, method).get("sigma")
        for sigma in sigmas:
            same = configured is not None and float(configured) == float(sigma)
            models.append((method if same else f"{method}{SIGMA_INFIX}{float(sigma):g}", method, float(sigma)))
    return models


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
