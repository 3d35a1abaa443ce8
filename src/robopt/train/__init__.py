"""Training: methods behind one step interface, the DAMP lr schedule, a resumable loop (and, imported on first use,
the hold-out sweep, which brings in the evaluation)."""

from robopt.lazy import lazy_exports
from robopt.train.fit import TrainSettings, fit
from robopt.train.methods import METHODS, build_method
from robopt.train.schedule import lr_factor

__getattr__ = lazy_exports(__name__, {"robopt.train.tune": ("sweep",)})
__all__ = ["METHODS", "TrainSettings", "build_method", "fit", "lr_factor", "sweep"]
