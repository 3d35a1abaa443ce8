"""Figures and tables of both papers, drawn from tidy CSVs in one shared style.

Names are imported on first use, so that a table job (``robopt.plots.tables``) does not load matplotlib and the
corruption preview (``robopt.plots.preview``) is the only figure module that needs torch.
"""

from robopt.lazy import lazy_exports

EXPORTS = {
    "robopt.plots.severity": ("plot_error_by_severity",),
    "robopt.plots.style": ("save_figure",),
    "robopt.provenance": ("provenance",),
    "robopt.plots.tables": ("write_table",),
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = sorted(name for names in EXPORTS.values() for name in names)
