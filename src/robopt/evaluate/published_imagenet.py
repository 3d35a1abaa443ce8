"""DAMP's ImageNet results as printed (camera-ready Tables 1 and 2): the numbers ImageNet tables stand beside.

``published_damp_imagenet.csv`` transcribes, as tidy rows (table, model, method, epochs, runtime_hours, test_set,
error, std, std_bound), Table 1 (ResNet-50, 90 epochs, mean +- std over 3 seeds; a printed "<0.1" is std 0.1 with
std_bound "below") and Table 2 (ViT-S/16 with basic augmentation, single runs at the printed epochs and hours on 8
V100). ``avg`` is the paper's mean of the eight shifted sets (FGSM to Sketch), kept as printed so that a test can
check the transcription against its own arithmetic.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PUBLISHED_IMAGENET = Path(__file__).with_name("published_damp_imagenet.csv")

#: The paper's column order: clean, the adversarial and shifted test sets, then their average.
IMAGENET_TEST_SETS = ("clean", "fgsm", "imagenet_a", "imagenet_c", "imagenet_c_bar", "imagenet_cartoon", "imagenet_d",
                      "imagenet_drawing", "imagenet_sketch")
#: The model of each table.
IMAGENET_TABLES = {"table1": "resnet50", "table2": "vit_s16"}


def read_published_imagenet(path: str | Path = PUBLISHED_IMAGENET) -> pd.DataFrame:
    """The tidy published rows of Tables 1 and 2."""
    return pd.read_csv(path, comment="#")


def published_table(table: str, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """One table as printed: a row per (method, epochs), a column per test set and ``avg``."""
    if table not in IMAGENET_TABLES:
        raise ValueError(f"unknown DAMP ImageNet table {table!r}; valid: {', '.join(IMAGENET_TABLES)}")
    published = read_published_imagenet() if published is None else published
    rows = published[published["table"] == table]
    wide = rows.pivot_table(index=["method", "epochs"], columns="test_set", values="error", sort=False)
    return wide[[*IMAGENET_TEST_SETS, "avg"]].reset_index()
