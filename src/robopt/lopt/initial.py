"""The initial rule theta0 of outer-training: per-tensor normalised Adam (``mlp_optimizer.init_meta``) at the step
size, of a configured grid, whose from-scratch inner training scores best on meta-validation.

The issue with a fixed start is that a step size wrong for the inner problem leaves the CNN on the chance plateau
for most of the horizon, where short unrolls give ES no signal; so the step size is chosen as a baseline's learning
rate would be, with the selection's runs (``lopt.selection.inits`` initialisations, validation images only, the
objective's loss). Ties go to the earlier grid entry; a non-finite score never wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from robopt.lopt.data import InnerData
from robopt.lopt.inner_eval import EvalSettings
from robopt.lopt.mlp_optimizer import init_meta
from robopt.lopt.runs import validate_snapshots

if TYPE_CHECKING:
    import pandas as pd

#: The random first-layer weights of theta0 (they do not change its rule) come from this seed for every experiment.
THETA0_SEED = 0


def initial_candidates(step_sizes: list[float]) -> torch.Tensor:
    """theta0 at each step size (G x D)."""
    return torch.stack([init_meta(size, torch.Generator().manual_seed(THETA0_SEED)) for size in step_sizes])


def choose_initial(step_sizes: list[float], runs: list[EvalSettings], data: InnerData) -> tuple[dict, pd.DataFrame]:
    """({"theta0", "step_size"}, one row per (step size, init) with its validation loss and whether it is chosen)."""
    candidates = initial_candidates(step_sizes)
    table = validate_snapshots(torch.arange(len(step_sizes)), candidates, runs, data)
    table.insert(0, "step_size", [step_sizes[i] for i in table.pop("iteration")])
    means = table.groupby("step_size", sort=False)["loss"].mean()
    finite = means[means.notna() & (means.abs() != float("inf"))]
    best = float(finite.idxmin()) if len(finite) else float(step_sizes[0])
    table["mean_loss"] = table["step_size"].map(means)
    table["chosen"] = table["step_size"] == best
    return {"theta0": candidates[step_sizes.index(best)], "step_size": best}, table
