"""Plot and table writers render from small hand-made tidy tables."""

from __future__ import annotations

from robopt.plots import plot_error_by_severity, provenance, write_table
from robopt.plots.style import read_provenance
from tests.plots.frames import summary


def test_provenance_round_trips_through_figures_and_tables(tmp_path):
    meta = provenance({"note": "a; b=c"})
    plot_error_by_severity(summary(), tmp_path / "fig.pdf", meta)
    write_table(summary(), tmp_path / "t.csv", "Caption.", meta)
    for path in (tmp_path / "fig.pdf", tmp_path / "t.csv"):
        assert read_provenance(path) == meta
    assert (tmp_path / "t.tex").read_text().startswith("% commit=")
    write_table(summary(), tmp_path / "plain.csv", "No provenance.")
    assert read_provenance(tmp_path / "plain.csv") == {}
