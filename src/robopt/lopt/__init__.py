"""Learned optimizers outer-trained for robustness to input noise (Metz et al. 2019).

Names are imported on first use, so that the seed-selection job (``robopt.lopt.selection``) starts without torch.
"""

from robopt.lazy import lazy_exports

EXPORTS = {
    "InnerData": "robopt.lopt.data",
    "NOISE_KINDS": "robopt.lopt.objectives",
    "Noise": "robopt.lopt.objectives",
    "CURVE_COLUMNS": "robopt.lopt.outer",
    "OuterSettings": "robopt.lopt.outer",
    "OuterTrainer": "robopt.lopt.outer",
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = sorted(EXPORTS)
