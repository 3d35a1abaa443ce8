"""Plot and table writers render from small hand-made tidy tables."""

from __future__ import annotations

import pandas as pd

from robopt.plots import write_table
from tests.plots.frames import summary


def test_table_in_three_formats(tmp_path):
    write_table(summary(), tmp_path / "t.csv", "Caption at demo scale.")
    assert pd.read_csv(tmp_path / "t.csv").shape == (24, 8)
    markdown = (tmp_path / "t.md").read_text()
    assert markdown.startswith("Caption at demo scale.") and "| cifar10" in markdown
    assert "\\begin{tabular}" in (tmp_path / "t.tex").read_text()
