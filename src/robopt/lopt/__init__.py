"""Learned optimizers outer-trained for robustness to input noise (Metz et al. 2019)."""

from robopt.lopt.data import InnerData
from robopt.lopt.objectives import NOISE_KINDS, Noise
from robopt.lopt.outer import CURVE_COLUMNS, OuterSettings, OuterTrainer

__all__ = ["CURVE_COLUMNS", "NOISE_KINDS", "InnerData", "Noise", "OuterSettings", "OuterTrainer"]
