"""One checkpoint on official and generated corrupted images: per-cell and per-corruption differences."""

from __future__ import annotations

import pandas as pd
import pytest

from robopt.errors import RoboptError
from robopt.evaluate.sources import per_corruption, source_comparison


def rows(accuracies: dict[tuple[str, int], float], n: int) -> pd.DataFrame:
    clean = [{"corruption": "clean", "severity": 0, "accuracy": 0.9, "n_images": n}]
    return pd.DataFrame(clean + [{"corruption": c, "severity": s, "accuracy": a, "n_images": n}
                                 for (c, s), a in accuracies.items()])


def test_differences_per_cell_and_per_corruption():
    official = rows({("fog", 1): 0.80, ("fog", 2): 0.70, ("snow", 1): 0.60}, 10_000)
    generated = rows({("fog", 1): 0.75, ("fog", 2): 0.72, ("snow", 1): 0.60, ("frost", 1): 0.5}, 2_000)
    cells = source_comparison(official, generated)
    assert list(zip(cells["corruption"], cells["severity"], strict=True)) == [("fog", 1), ("fog", 2), ("snow", 1)]
    assert cells["difference"].tolist() == pytest.approx([5.0, -2.0, 0.0])
    table = per_corruption(cells).set_index("corruption")
    assert table.loc["fog", "difference"] == pytest.approx(1.5) and table.loc["all", "difference"] == pytest.approx(1.0)
    assert set(cells["n_images_official"]) == {10_000} and set(cells["n_images_generated"]) == {2_000}


def test_nothing_in_common_is_an_error():
    with pytest.raises(RoboptError, match="no \\(corruption, severity\\) evaluated on both"):
        source_comparison(rows({("fog", 1): 0.8}, 10), rows({("snow", 1): 0.8}, 10))
