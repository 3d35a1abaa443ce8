"""Learned optimizers outer-trained for robustness to input noise (Metz et al. 2019).

Names are imported on first use, so that the seed-selection job (``robopt.lopt.selection``) starts without torch.
"""

from robopt.lazy import lazy_exports

EXPORTS = {
    "robopt.lopt.data": ("InnerData",),
    "robopt.lopt.objectives": ("NOISE_KINDS", "Noise"),
    "robopt.lopt.outer": ("CURVE_COLUMNS", "OuterSettings", "OuterTrainer"),
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = sorted(name for names in EXPORTS.values() for name in names)
