"""Persistent evolution strategies (PES; Vicol, Metz and Sohl-Dickstein, ICML 2021), antithetic form.

Follows the paper's Algorithm 2 and google/learned_optimization ``outer_trainers/truncated_pes.py``
(``compute_pes_grad``): the positive and negative member of pair k keep their own inner states across unrolls (each
evolves under its own perturbed theta), and the pair accumulates the perturbations it has used since its inner
problem started, xi_k = sum of eps_k. The estimate of an unroll is mean_k xi_k (L+_k - L-_k) / (2 std), the antithetic
ES formula with xi_k in place of eps_k (eps ~ N(0, I), perturbation std * eps; the reference scales its perturbation
by std and divides by 2 std^2, the same). Each member's loss is the mean over its unroll's evaluation points, as the
reference's masked mean over steps. Summed over the unrolls of a horizon the estimate is unbiased for the gradient of
the Gaussian-smoothed loss. Where the reference lets an unroll cross a finished inner problem (and then weights by
that unroll's perturbation only), unrolls here stop at the horizon, so the accumulators simply reset with the inner
problem (a new initialisation, or a pair stopped at ``reset_factor`` x its initial loss).
"""

from __future__ import annotations

import torch


class PersistentES:
    """The accumulated perturbations xi (K x D) of K antithetic pairs; part of the outer-training checkpoint."""

    name = "pes"
    shares_state = False

    def __init__(self, pairs: int, dimension: int, device: torch.device | str = "cpu") -> None:
        self.accumulated = torch.zeros(pairs, dimension, device=device)

    def directions(self, eps: torch.Tensor) -> torch.Tensor:
        """Add this unroll's eps (K x D) to each pair's sum and return the sums."""
        self.accumulated += eps
        return self.accumulated.clone()

    def reset(self, which: torch.Tensor) -> None:
        """Zero the sums of the pairs in ``which`` (K,) bool, whose inner problems restart."""
        self.accumulated[which.to(self.accumulated.device)] = 0.0

    def state_dict(self) -> dict:
        return {"accumulated": self.accumulated.clone()}

    def load_state_dict(self, state: dict) -> None:
        self.accumulated = state["accumulated"].to(self.accumulated.device)
