"""Training: methods behind one step interface, the DAMP lr schedule, a resumable loop."""

from robopt.train.fit import TrainSettings, fit
from robopt.train.methods import METHODS, build_method
from robopt.train.schedule import lr_factor
from robopt.train.tune import sweep

__all__ = ["METHODS", "TrainSettings", "build_method", "fit", "lr_factor", "sweep"]
