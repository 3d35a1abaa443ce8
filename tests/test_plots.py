"""Plot and table writers render from small hand-made tidy tables."""

from __future__ import annotations

import pandas as pd
from PIL import Image

from robopt.plots import plot_error_by_severity, provenance, write_table


def summary() -> pd.DataFrame:
    rows = []
    for dataset in ("cifar10", "cifar100"):
        for method in ("sgd", "damp"):
            for severity in range(6):
                rows.append({"dataset": dataset, "method": method, "severity": severity,
                             "error_mean": 10.0 + 5 * severity, "error_std": 1.0, "n_seeds": 3})
    return pd.DataFrame(rows)


def test_error_by_severity_figure(tmp_path):
    meta = provenance({"seed": 0})
    axes = plot_error_by_severity(summary(), tmp_path / "fig.pdf", meta)
    assert (tmp_path / "fig.pdf").stat().st_size > 1000
    assert len(axes) == 2 and axes[0].get_title() == "CIFAR-10" and axes[1].get_title() == "CIFAR-100"
    assert axes[0].get_xlabel() == "error (%)" and axes[0].get_ylabel().startswith("severity")
    assert len(axes[0].containers) >= 2  # one bar group per method (error bars add containers too)
    assert len(axes[0].patches) == 2 * 6
    labels = [text.get_text() for text in axes[-1].get_legend().get_texts()]
    assert labels == ["SGD (3 seeds)", "DAMP (3 seeds)"]  # paper order, not alphabetical
    png = Image.open(tmp_path / "fig.png")
    assert "commit=" in png.info["Description"] and "device=" in png.info["Description"]


def test_table_in_three_formats(tmp_path):
    write_table(summary(), tmp_path / "t.csv", "Caption at demo scale.")
    assert pd.read_csv(tmp_path / "t.csv").shape == (24, 6)
    markdown = (tmp_path / "t.md").read_text()
    assert markdown.startswith("Caption at demo scale.") and "| cifar10" in markdown
    assert "\\begin{tabular}" in (tmp_path / "t.tex").read_text()
