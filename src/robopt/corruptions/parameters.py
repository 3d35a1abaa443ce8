"""Per-severity corruption parameters, read from the data table shipped with the package.

``parameters.yaml`` is a transcription of the original Hendrycks & Dietterich generation
scripts at three image scales (cifar 32 px, tinyimagenet 64 px, imagenet 224 px).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from robopt.errors import UnknownNameError

SEVERITIES = (1, 2, 3, 4, 5)


@cache
def parameter_table() -> dict[str, dict[str, Any]]:
    """The whole table: scale -> corruption -> {params, io, severities, ...}."""
    text = resources.files("robopt.corruptions").joinpath("parameters.yaml").read_text()
    return yaml.safe_load(text)


def severity_parameter(scale: str, corruption: str, severity: int) -> Any:
    """The parameter(s) of ``corruption`` at ``severity`` (1..5) for images of ``scale``."""
    table = parameter_table()
    if scale not in table:
        raise UnknownNameError(f"unknown corruption scale {scale!r}; valid scales: {', '.join(table)}")
    if corruption not in table[scale]:
        raise UnknownNameError(f"unknown corruption {corruption!r}; valid names: {', '.join(table[scale])}")
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
    return table[scale][corruption]["severities"][severity - 1]


def corruption_options(scale: str, corruption: str) -> dict[str, Any]:
    """Scale-specific keyword arguments of a corruption (e.g. frost's texture rescaling), empty for most."""
    severity_parameter(scale, corruption, SEVERITIES[0])  # validates both names
    return dict(parameter_table()[scale][corruption].get("options", {}))
