"""Figures and tables of both papers, drawn from tidy CSVs in one shared style.

Names are imported on first use, so that a table job (``robopt.plots.tables``) does not load matplotlib and the
corruption preview (``robopt.plots.preview``) is the only figure module that needs torch.
"""

from robopt.lazy import lazy_exports

EXPORTS = {
    "plot_error_by_severity": "robopt.plots.severity",
    "save_figure": "robopt.plots.style",
    "provenance": "robopt.provenance",
    "write_table": "robopt.plots.tables",
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = sorted(EXPORTS)
