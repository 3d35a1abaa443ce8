"""Figures and tables of both papers, drawn from tidy CSVs in one shared style."""

from robopt.plots.preview import plot_corruption_grid
from robopt.plots.severity import plot_error_by_severity
from robopt.plots.style import provenance, save_figure
from robopt.plots.tables import write_table

__all__ = ["plot_corruption_grid", "plot_error_by_severity", "provenance", "save_figure", "write_table"]
