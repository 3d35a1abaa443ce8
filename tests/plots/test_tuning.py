"""The hold-out sweep figure and table: one panel per tuned method, the sweep's choice starred."""

from __future__ import annotations

import pandas as pd

from robopt.plots import provenance
from robopt.plots.tuning import plot_tuning, tuning_table


def sweeps() -> pd.DataFrame:
    rows = [("sam", "rho", 0.01, 40.0), ("sam", "rho", 0.05, 38.0), ("damp", "sigma", 0.05, 41.0),
            ("damp", "sigma", 0.1, 39.0), ("damp", "sigma", 0.2, 45.0)]
    return pd.DataFrame([{"dataset": "cifar10", "method": m, "parameter": p, "value": v, "n_images": 500,
                          "accuracy": 1 - e / 100, "error": e, "nll": e / 30} for m, p, v, e in rows])


def test_table_marks_each_methods_choice_in_paper_order():
    table = tuning_table(sweeps(), [{"method": "damp", "value": 0.1}, {"method": "sam", "value": 0.05}])
    assert list(table["method"]) == ["damp"] * 3 + ["sam"] * 2
    assert list(table.loc[table["chosen"], "value"]) == [0.1, 0.05]


def test_figure_stars_the_choice(tmp_path):
    table = tuning_table(sweeps(), [{"method": "damp", "value": 0.1}, {"method": "sam", "value": 0.05}])
    axes = plot_tuning(table, tmp_path / "tuning.pdf", provenance({"seed": 0}))
    assert [ax.get_title() for ax in axes] == ["DAMP", "SAM"]
    assert axes[0].get_xlabel() == "noise level sigma" and axes[1].get_xlabel() == "radius rho"
    star = axes[0].get_lines()[1]
    assert list(star.get_xdata()) == [0.1] and list(star.get_ydata()) == [39.0]
    assert (tmp_path / "tuning.png").stat().st_size > 1000
