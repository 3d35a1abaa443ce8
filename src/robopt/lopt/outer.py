"""Outer-training of the learned optimizer with antithetic evolution strategies (Metz et al. 2019, A.3): truncated
ES as the paper, or persistent ES (``estimator: pes``, ``robopt.lopt.pes``).

Follows the paper's appendix A.3 and its predecessor's public code (google-research ``task_specific_learned_opt/``:
``truncation_strategy.py``, ``es_grad_inv_var.py`` ``worker_compute_op``, ``common_trainer.py``):

- K inner problems, each with a step counter and a **horizon**: an unroll is clipped to the steps left before the
  horizon, and a problem that reaches it is reset (new initialisation, task and data order), so no inner CNN is ever
  trained past the steps it is evaluated at.
- **Antithetic pairs**: pair k's members train with theta + std * eps_k and theta - std * eps_k on the same batches.
  Truncated ES starts both from the pair's one learner state at every truncation and keeps the positive branch's
  final state (as the predecessor assigns ``final_state``), so L+ - L- measures eps_k and not two drifted states;
  PES keeps both members' states and weights L+ - L- by the pair's accumulated perturbations.
- **Stop at 2x**: a pair stops as soon as either member's validation loss exceeds ``reset_factor`` times the
  problem's initial loss (or is not finite); it does not enter that ES gradient and is reset.
- **A population spread over training phases**: each pair draws its own jittered unroll length, and with
  ``stagger`` the first problem of pair k has horizon ceil(H (k + 1) / K), so resets and phases are spread evenly
  over [0, H) from then on, as the paper's asynchronous workers are.

The outer loss of a member is the mean, over the evaluation points of its unroll (every ``eval_every`` inner steps
and its last step), of the loss on ``val_batches`` validation batches of ``batch_size`` images under the objective's
noise; the predecessor averages 5 batches at every step (``meta_loss_evals``). Adam updates theta with the ES gradient
clipped by value (the predecessor's inverse-variance mix with a reparameterisation gradient is not used: ES only, as
the paper's Fig. 1 runs). Checkpoints every ``checkpoint_every`` iterations make a killed run resume bit-identically;
``progress_points`` snapshots of theta let Fig. 1a inner-train each of them as the evaluation runs do.

Across ranks (``robopt.distributed``) the pairs are sharded: rank r steps the pairs k with k mod ranks = r. Every
rank draws the same random stream (eps, lengths, batches, tasks and initialisations for all K, as one process
does) and computes only its own pairs; the pairs' stop flags are all-reduced at every evaluation point and their
outer losses and step counters after each unroll, so the ES gradient and the meta-update are the same on every
rank, and the whole population is gathered on every rank before a checkpoint (rank 0 writes it). Where the
predecessor's 256 workers are asynchronous, these ranks are synchronous, so the result does not depend on the
world size beyond float reduction order.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from robopt.distributed import all_reduce_sum, barrier, current_world
from robopt.lopt.adam import adam_step, init_adam
from robopt.lopt.data import InnerData
from robopt.lopt.es import TruncatedES, antithetic_es_gradient, scheduled_length, truncation_lengths
from robopt.lopt.mlp_optimizer import OptimizerState, init_state, learned_step, num_meta_parameters
from robopt.lopt.objectives import Noise, to_float_batch
from robopt.lopt.pes import PersistentES
from robopt.lopt.population import Params, evaluate_losses, init_population, losses_and_grads
from robopt.train.checkpoint import fingerprint, load_checkpoint, restore_rng, rng_state, save_checkpoint

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)
#: One row per (outer iteration, target). truncation: the scheduled (unjittered) unroll length; unroll_mean /
#: unroll_max: the pairs' realised lengths; stopped: pairs stopped at 2x their initial loss; horizon_resets: pairs
#: that reached their horizon; inner_steps_mean / inner_steps_max: the pairs' step counters after the unroll.
CURVE_COLUMNS = ["iteration", "target", "loss", "truncation", "unroll_mean", "unroll_max", "stopped", "horizon_resets",
                 "inner_steps_mean", "inner_steps_max", "seconds"]


@dataclass
class OuterSettings:
    """Outer-training of one seed, from a validated ``lopt.outer`` block (``robopt.lopt.settings.outer_settings``)."""

    iterations: int
    pairs: int
    batch_size: int
    truncation_start: int
    truncation_end: int
    truncation_ramp: int
    truncation_jitter: float
    horizon: int
    stagger: bool
    es_std: float
    meta_lr: float
    meta_beta1: float
    meta_clip: float
    reset_factor: float
    eval_every: int
    checkpoint_every: int
    progress_points: int
    monitor: tuple[str, ...]
    implementation: str
    seed: int
    estimator: str = "truncated"
    val_batches: int = 1
    meta_beta2: float = 0.999  # Adam's usual second-moment decay; not a config key (the predecessor's value)

    def __post_init__(self) -> None:
        positive = ("iterations", "pairs", "batch_size", "truncation_start", "truncation_end", "horizon", "eval_every",
                    "checkpoint_every", "progress_points", "val_batches")
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"lopt outer setting {name} must be >= 1, got {getattr(self, name)}")
        if not 0 <= self.truncation_jitter < 1:
            raise ValueError(f"truncation_jitter must be in [0, 1), got {self.truncation_jitter}")
        if self.es_std <= 0 or self.meta_lr <= 0 or self.reset_factor <= 1:
            raise ValueError("es_std and meta_lr must be > 0 and reset_factor > 1")
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"unknown ES estimator {self.estimator!r}; estimators: {', '.join(ESTIMATORS)}")

    def progress_iterations(self) -> list[int]:
        """The outer iterations whose theta is kept for Fig. 1a: 0, the last, and evenly spaced between."""
        points = min(self.progress_points, self.iterations)
        return sorted({round(k * self.iterations / points) for k in range(points + 1)})


@dataclass
class Unroll:
    """One truncation of every pair: per-member outer losses (2K,), NaN for stopped pairs; per pair (K,): stopped
    at 2x, inner steps run; and the members' final parameters and optimizer state."""

    outer: torch.Tensor
    stopped: torch.Tensor
    steps_run: torch.Tensor
    params: Params
    state: OptimizerState


ESTIMATORS = ("truncated", "pes")


def build_estimator(settings: OuterSettings, device: torch.device) -> TruncatedES | PersistentES:
    if settings.estimator == "pes":
        return PersistentES(settings.pairs, num_meta_parameters(), device)
    return TruncatedES()


def members_of(pairs: torch.Tensor) -> torch.Tensor:
    """Indices of the members (2k, 2k + 1) of the pairs selected by a (K,) bool mask."""
    return pairs.repeat_interleave(2).nonzero().squeeze(1)


def take(params: Params, index: torch.Tensor) -> Params:
    return {name: value[index] for name, value in params.items()}


def put(params: Params, index: torch.Tensor, values: Params) -> Params:
    return {name: value.index_copy(0, index, values[name]) for name, value in params.items()}


def twice(params: Params) -> Params:
    """Both members of every pair from the pair's one state (pair k -> members 2k, 2k + 1)."""
    return {name: value.repeat_interleave(2, dim=0) for name, value in params.items()}


class OuterTrainer:
    """Holds theta (starting at ``theta0``), its Adam state, the estimator's state and K inner problems (a learner
    state per member: 2k and 2k + 1 are pair k's); ``run`` trains to the last iteration."""

    def __init__(self, settings: OuterSettings, data: InnerData, noise: Noise, device: torch.device,
                 theta0: torch.Tensor) -> None:
        self.settings, self.data, self.noise, self.device = settings, data, noise, device
        self.world = current_world()
        self.mine = self.world.owns(settings.pairs, device)  # the pairs this rank steps
        self.generator = torch.Generator(device=device).manual_seed(settings.seed)
        self.theta = theta0.clone().to(device)
        self.theta0_digest = hashlib.sha256(theta0.detach().cpu().double().numpy().tobytes()).hexdigest()
        self.estimator = build_estimator(settings, device)
        self.adam = init_adam({"theta": self.theta[None]})
        self.iteration = 0
        self.rows: list[dict] = []
        self.snapshots: dict[int, torch.Tensor] = {0: self.theta.clone()}
        self.monitor = [Noise("corruption", corruptions=(name,), severities=noise.severities, scale=data.scale)
                        for name in settings.monitor]
        pairs = settings.pairs
        self.params = twice(init_population(pairs, data.num_classes, self.generator, device))
        self.state = init_state(self.params)
        self.tasks = noise.draw_tasks(pairs, self.generator)
        self.initial_loss = torch.zeros(pairs, device=device)
        self.horizon = self.first_horizons()
        self.reset(torch.ones(pairs, dtype=torch.bool, device=device))

    def first_horizons(self) -> torch.Tensor:
        """Horizon of each pair's first inner problem: staggered ceil(H (k + 1) / K), or H for all."""
        s = self.settings
        full = torch.full((s.pairs,), s.horizon, dtype=torch.long, device=self.device)
        if not s.stagger:
            return full
        spread = torch.arange(1, s.pairs + 1, device=self.device) * s.horizon
        return torch.minimum(full, -torch.div(-spread, s.pairs, rounding_mode="floor"))

    # -- inner problems -------------------------------------------------------------------------------------
    def validation_losses(self, params: Params, noise: Noise, tasks: torch.Tensor,
                          members: torch.Tensor | None = None) -> torch.Tensor:
        """Loss of each member of ``params`` (K pair states, or 2K members), averaged over ``val_batches`` noised
        validation batches per inner problem, shared by a pair's two members; only the ``members`` indices when given
        (the batches are drawn for all K problems either way, so the random stream does not depend on which are
        evaluated)."""
        pairs, batches = self.settings.pairs, self.settings.val_batches
        copies = next(iter(params.values())).shape[0] // pairs
        total = None
        for _ in range(batches):
            images, labels = self.data.batches("val", pairs, self.settings.batch_size, self.generator)
            inputs = to_float_batch(noise.apply_per_group(images, tasks, self.generator))
            inputs, labels = inputs.repeat_interleave(copies, dim=0), labels.repeat_interleave(copies, dim=0)
            if members is None:
                losses = evaluate_losses(params, inputs, labels)
            elif len(members) == 0:  # none of this rank's problems (the draws keep every rank's stream in step)
                losses = torch.zeros(0, device=self.device)
            else:
                losses = evaluate_losses(take(params, members), inputs[members], labels[members])
            total = losses if total is None else total + losses
        return total / batches

    def pair_params(self) -> Params:
        """The positive member's parameters of every pair (K): the pair's state under truncated ES."""
        return take(self.params, torch.arange(0, 2 * self.settings.pairs, 2, device=self.device))

    def reset(self, which: torch.Tensor) -> None:
        """Fresh initialisation, task, zero optimizer state and step counter for the inner problems in ``which``
        (K,) bool."""
        which = which.to(self.device)
        count = int(which.sum())
        if count == 0:
            return
        fresh = twice(init_population(count, self.data.num_classes, self.generator, self.device))
        both = which.repeat_interleave(2)
        for name, value in fresh.items():
            self.params[name][both] = value
        self.state.zero(both)
        self.estimator.reset(which)
        self.tasks[which.cpu()] = self.noise.draw_tasks(count, self.generator)
        measured = which & self.mine
        losses = self.validation_losses(self.pair_params(), self.noise, self.tasks, measured.nonzero().squeeze(1))
        self.initial_loss[measured] = losses

    # -- one outer iteration ----------------------------------------------------------------------------------
    def meta_population(self, eps: torch.Tensor) -> torch.Tensor:
        signs = torch.stack([eps, -eps], dim=1).reshape(-1, eps.shape[1])
        return self.theta[None, :] + self.settings.es_std * signs

    def unroll(self, meta: torch.Tensor, lengths: torch.Tensor) -> Unroll:
        """Train both members of pair k from the pair's state for ``lengths[k]`` inner steps (or until the pair
        crosses ``reset_factor`` x its initial loss); each member's outer loss is its mean validation loss over the
        evaluation points of its unroll."""
        s = self.settings
        params, state = self.params, self.state
        if self.estimator.shares_state:  # both members from the pair's (positive branch's) state
            positive = torch.arange(0, 2 * s.pairs, 2, device=self.device)
            params, state = twice(take(params, positive)), state.select(positive).repeat_members(2)
        lengths = lengths.to(self.device)
        total = torch.zeros(2 * s.pairs, device=self.device)
        evaluations = torch.zeros(2 * s.pairs, device=self.device)
        stopped = torch.zeros(s.pairs, dtype=torch.bool, device=self.device)
        steps_run = torch.zeros(s.pairs, dtype=torch.long, device=self.device)
        for step in range(int(lengths.max())):
            images, labels = self.data.batches("train", s.pairs, s.batch_size, self.generator)
            active = (step < lengths) & ~stopped  # over all ranks' pairs: the same on every rank
            if not active.any():
                break
            running = active & self.mine
            inputs = to_float_batch(images).repeat_interleave(2, dim=0)
            labels = labels.repeat_interleave(2, dim=0)
            if running.all():
                _, grads = losses_and_grads(params, inputs, labels, s.implementation)
                params, state = learned_step(meta, params, grads, state)
            elif running.any():  # pairs at their horizon, stopped or on other ranks sit out
                index = members_of(running)
                part = take(params, index)
                _, grads = losses_and_grads(part, inputs[index], labels[index], s.implementation)
                part, part_state = learned_step(meta[index], part, grads, state.select(index))
                params = put(params, index, part)
                state = state.replace(index, part_state)
            steps_run += running
            due_anywhere = active & (((step + 1) % s.eval_every == 0) | (step + 1 == lengths))
            if due_anywhere.any():
                due = due_anywhere & self.mine
                index = members_of(due)
                losses = self.validation_losses(params, self.noise, self.tasks, index)
                total[index] += losses
                evaluations[index] += 1
                pair_losses = torch.zeros(2 * s.pairs, device=self.device).index_copy(0, index, losses)
                worst = torch.maximum(pair_losses[0::2], pair_losses[1::2]).nan_to_num(nan=math.inf)
                stopped |= due & (worst > s.reset_factor * self.initial_loss)
                if self.world.distributed:
                    stopped = all_reduce_sum(stopped.to(torch.int32), self.world) > 0
        outer = total / evaluations
        if self.world.distributed:  # every pair's outer loss and step counters on every rank
            outer, steps_run, state.step = self.from_owners(outer, steps_run, state.step)
        outer[stopped.repeat_interleave(2)] = math.nan
        return Unroll(outer, stopped, steps_run, params, state)

    def from_owners(self, *tensors: torch.Tensor) -> list[torch.Tensor]:
        """Each per-pair (K, ...) or per-member (2K, ...) tensor with every entry as its owning rank holds it."""
        parts = []
        for tensor in tensors:
            mine = self.mine if len(tensor) == self.settings.pairs else self.mine.repeat_interleave(2)
            mask = mine.view(-1, *([1] * (tensor.dim() - 1)))
            parts.append(torch.where(mask, tensor.double(), 0.0).reshape(-1))
        flat = all_reduce_sum(torch.cat(parts), self.world)
        return [part.view(t.shape).to(t.dtype) for part, t in zip(flat.split([t.numel() for t in tensors]), tensors,
                                                                   strict=True)]

    def gather_population(self) -> None:
        """Every pair's learner state and initial loss on every rank (before a checkpoint, so that any world size
        resumes it)."""
        if not self.world.distributed:
            return
        names = list(self.params)
        gathered = self.from_owners(*(self.params[n] for n in names), *(self.state.momenta[n] for n in names),
                                    *(self.state.second[n] for n in names), self.state.step, self.initial_loss)
        count = len(names)
        self.params = dict(zip(names, gathered[:count], strict=True))
        self.state = OptimizerState(dict(zip(names, gathered[count:2 * count], strict=True)),
                                    dict(zip(names, gathered[2 * count:3 * count], strict=True)), gathered[-2])
        self.initial_loss = gathered[-1]

    def monitored_loss(self, noise: Noise, pairs: torch.Tensor) -> float:
        """Mean validation loss under ``noise`` of the inner problems in ``pairs`` (K,) bool (NaN when none)."""
        tasks = noise.draw_tasks(self.settings.pairs, self.generator)
        measured = pairs & self.mine
        losses = self.validation_losses(self.pair_params(), noise, tasks, measured.nonzero().squeeze(1))
        total = all_reduce_sum(torch.stack([losses.sum(), torch.tensor(float(len(losses)), device=self.device)]),
                               self.world)
        return float(total[0] / total[1]) if pairs.any() else math.nan

    def adam_update(self, gradient: torch.Tensor) -> None:
        s = self.settings
        lr = torch.tensor([s.meta_lr], device=self.device)
        clipped = {"theta": gradient.clamp(-s.meta_clip, s.meta_clip)[None]}
        updated, self.adam = adam_step(lr, {"theta": self.theta[None]}, clipped, self.adam, (s.meta_beta1, s.meta_beta2))
        self.theta = updated["theta"][0]

    def outer_step(self) -> None:
        s = self.settings
        started = time.perf_counter()
        steps_left = self.horizon - self.state.step[0::2].long()  # a pair's members share their step count
        lengths = truncation_lengths(self.iteration, s.truncation_start, s.truncation_end, s.truncation_ramp,
                                     s.truncation_jitter, steps_left, self.generator)
        eps = torch.randn((s.pairs, num_meta_parameters()), generator=self.generator, device=self.device)
        directions = self.estimator.directions(eps)
        result = self.unroll(self.meta_population(eps), lengths)
        positive, negative = result.outer[0::2], result.outer[1::2]
        valid = torch.isfinite(positive) & torch.isfinite(negative)
        if valid.any():  # no meta-update from an iteration in which every pair stopped
            self.adam_update(antithetic_es_gradient(positive, negative, directions, s.es_std))
        self.params, self.state = result.params, result.state  # truncated ES restarts from the positive branch
        steps = self.state.step[0::2]
        at_horizon = (steps.long() >= self.horizon) & valid
        self.iteration += 1
        common = {"iteration": self.iteration, "truncation": round(scheduled_length(
                      self.iteration - 1, s.truncation_start, s.truncation_end, s.truncation_ramp)),
                  "unroll_mean": float(result.steps_run.float().mean()), "unroll_max": int(result.steps_run.max()),
                  "stopped": int((~valid).sum()), "horizon_resets": int(at_horizon.sum()),
                  "inner_steps_mean": float(steps.mean()), "inner_steps_max": int(steps.max())}
        monitored = {noise.corruptions[0]: self.monitored_loss(noise, valid) for noise in self.monitor}
        restart = ~valid | at_horizon
        self.horizon[restart] = s.horizon  # only a pair's first problem has a staggered horizon
        self.reset(restart)
        if self.iteration in s.progress_iterations():
            self.snapshots[self.iteration] = self.theta.clone()
        common["seconds"] = time.perf_counter() - started
        outer = result.outer[valid.repeat_interleave(2)]
        self.rows.append({**common, "target": "outer", "loss": float(outer.mean()) if len(outer) else math.nan})
        self.rows += [{**common, "target": name, "loss": loss} for name, loss in monitored.items()]

    # -- checkpoints --------------------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        return fingerprint({"settings": asdict(self.settings), "noise": repr(self.noise), "theta0": self.theta0_digest,
                            "data": [tuple(self.data.train_images.shape), tuple(self.data.val_images.shape)]})

    def checkpoint(self) -> dict:
        return {"fingerprint": self.fingerprint(), "iteration": self.iteration, "theta": self.theta, "adam": self.adam,
                "params": self.params, "state": self.state.to_dict(), "tasks": self.tasks,
                "estimator": self.estimator.state_dict(),
                "initial_loss": self.initial_loss, "horizon": self.horizon, "snapshots": self.snapshots,
                "rows": self.rows, "rng": rng_state(self.generator)}

    def restore(self, saved: dict) -> None:
        def here(tensors: dict) -> dict:
            return {k: v.to(self.device) for k, v in tensors.items()}

        self.iteration, self.theta = saved["iteration"], saved["theta"].to(self.device)
        adam = saved["adam"]
        self.adam = {"m": here(adam["m"]), "v": here(adam["v"]), "step": adam["step"].to(self.device)}
        self.params = here(saved["params"])
        self.state = OptimizerState(here(saved["state"]["momenta"]), here(saved["state"]["second"]),
                                    saved["state"]["step"].to(self.device))
        self.estimator.load_state_dict(saved["estimator"])
        self.tasks, self.rows = saved["tasks"], saved["rows"]
        self.initial_loss, self.horizon = saved["initial_loss"].to(self.device), saved["horizon"].to(self.device)
        self.snapshots = here(saved["snapshots"])
        restore_rng(saved["rng"], self.generator)

    def progress_snapshots(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(iterations (S,), thetas (S x D)) of the kept snapshots, in iteration order."""
        iterations = sorted(self.snapshots)
        return torch.tensor(iterations), torch.stack([self.snapshots[i].cpu() for i in iterations])

    def run(self, checkpoint_path: str | Path | None = None, log_every: int = 1) -> pd.DataFrame:
        """Outer-train to ``settings.iterations`` (resuming from ``checkpoint_path`` if it holds a matching run)."""
        if checkpoint_path is not None and (saved := load_checkpoint(checkpoint_path, self.fingerprint())):
            self.restore(saved)
            log.info("resuming outer-training from %s after iteration %d", checkpoint_path, self.iteration)
        while self.iteration < self.settings.iterations:
            self.outer_step()
            if self.iteration % log_every == 0 or self.iteration == self.settings.iterations:
                row = self.rows[-1 - len(self.monitor)]
                log.info("outer iteration %d/%d: outer loss %.4f, unroll %.0f (max %d), inner steps <= %d, "
                         "stopped %d, horizon resets %d, %.1f s", self.iteration, self.settings.iterations,
                         row["loss"], row["unroll_mean"], row["unroll_max"], row["inner_steps_max"], row["stopped"],
                         row["horizon_resets"], row["seconds"])
            if checkpoint_path is not None and (
                self.iteration % self.settings.checkpoint_every == 0 or self.iteration == self.settings.iterations
            ):
                self.gather_population()
                if self.world.is_main:
                    save_checkpoint(checkpoint_path, self.checkpoint())
                barrier(self.world)
        import pandas as pd

        return pd.DataFrame(self.rows, columns=CURVE_COLUMNS)
