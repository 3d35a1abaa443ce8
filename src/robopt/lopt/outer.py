"""Outer-training of the learned optimizer with truncated, antithetic evolution strategies (Metz et al. 2019, A.3).

K inner problems run as a population of 2K members: member 2k uses theta + std * eps_k, member 2k+1 uses
theta - std * eps_k, on the same initialisation and the same batches (shared randomness). Each outer iteration
unrolls every member for one truncation, continuing where the previous truncation stopped; the outer loss of a
member is its mean validation loss under the objective's noise over the truncation. An inner problem is
re-initialised when its outer loss exceeds ``reset_factor`` times its initial loss. Adam updates theta with the
clipped ES gradient. Checkpoints every ``checkpoint_every`` iterations make a killed run resume bit-identically.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from robopt.lopt.adam import adam_step, init_adam
from robopt.lopt.data import InnerData
from robopt.lopt.es import antithetic_es_gradient, truncation_length
from robopt.lopt.mlp_optimizer import OptimizerState, init_meta, init_state, learned_step, num_meta_parameters
from robopt.lopt.objectives import Noise, to_float_batch
from robopt.lopt.population import evaluate_losses, init_population, losses_and_grads
from robopt.train.checkpoint import fingerprint, load_checkpoint, restore_rng, rng_state, save_checkpoint

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)
CURVE_COLUMNS = ["iteration", "target", "loss", "truncation", "resets", "inner_steps", "seconds"]


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
    es_std: float
    meta_lr: float
    meta_beta1: float
    meta_clip: float
    reset_factor: float
    eval_every: int
    checkpoint_every: int
    monitor: tuple[str, ...]
    implementation: str
    seed: int
    meta_beta2: float = 0.999  # Adam's usual second-moment decay; not a config key (the predecessor's value)

    def __post_init__(self) -> None:
        positive = ("iterations", "pairs", "batch_size", "truncation_start", "truncation_end", "eval_every",
                    "checkpoint_every")
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"lopt outer setting {name} must be >= 1, got {getattr(self, name)}")
        if not 0 <= self.truncation_jitter < 1:
            raise ValueError(f"truncation_jitter must be in [0, 1), got {self.truncation_jitter}")
        if self.es_std <= 0 or self.meta_lr <= 0 or self.reset_factor <= 1:
            raise ValueError("es_std and meta_lr must be > 0 and reset_factor > 1")


class OuterTrainer:
    """Holds theta, its Adam state and the population of inner problems; ``run`` trains to the last iteration."""

    def __init__(self, settings: OuterSettings, data: InnerData, noise: Noise, device: torch.device) -> None:
        self.settings, self.data, self.noise, self.device = settings, data, noise, device
        self.generator = torch.Generator(device=device).manual_seed(settings.seed)
        self.theta = init_meta(torch.Generator().manual_seed(settings.seed)).to(device)
        self.adam = init_adam({"theta": self.theta[None]})
        self.iteration = 0
        self.rows: list[dict] = []
        self.monitor = [Noise("corruption", corruptions=(name,), severities=noise.severities, scale=data.scale)
                        for name in settings.monitor]
        pairs = settings.pairs
        self.params = init_population(2 * pairs, data.num_classes, self.generator, device)
        self.state = init_state(self.params)
        self.tasks = noise.draw_tasks(pairs, self.generator)
        self.initial_loss = torch.zeros(pairs, device=device)
        self.reset(torch.ones(pairs, dtype=torch.bool))

    # -- inner problems -------------------------------------------------------------------------------------
    def validation_losses(self, noise: Noise, tasks: torch.Tensor) -> torch.Tensor:
        """Per-member validation loss on one noised batch per inner problem (shared by its two members)."""
        images, labels = self.data.batches("val", self.settings.pairs, self.settings.batch_size, self.generator)
        noised = noise.apply_per_group(images, tasks, self.generator)
        inputs = to_float_batch(noised).repeat_interleave(2, dim=0)
        return evaluate_losses(self.params, inputs, labels.repeat_interleave(2, dim=0))

    def reset(self, which: torch.Tensor) -> None:
        """Fresh initialisation, task and zero optimizer state for the inner problems in ``which`` (K,) bool."""
        count = int(which.sum())
        if count == 0:
            return
        fresh = init_population(count, self.data.num_classes, self.generator, self.device)
        members = which.repeat_interleave(2).to(self.device)
        for name, value in fresh.items():
            self.params[name][members] = value.repeat_interleave(2, dim=0)
            self.state.momenta[name][members] = 0.0
        self.state.step[members] = 0.0
        self.tasks[which] = self.noise.draw_tasks(count, self.generator)
        losses = self.validation_losses(self.noise, self.tasks)
        self.initial_loss[which.to(self.device)] = losses[0::2][which.to(self.device)]

    # -- one outer iteration ----------------------------------------------------------------------------------
    def meta_population(self, eps: torch.Tensor) -> torch.Tensor:
        signs = torch.stack([eps, -eps], dim=1).reshape(-1, eps.shape[1])
        return self.theta[None, :] + self.settings.es_std * signs

    def unroll(self, meta: torch.Tensor, length: int) -> torch.Tensor:
        """Train every member for ``length`` inner steps; its outer loss is the mean validation loss on the way."""
        s = self.settings
        total = torch.zeros(2 * s.pairs, device=self.device)
        evaluations = 0
        for step in range(length):
            images, labels = self.data.batches("train", s.pairs, s.batch_size, self.generator)
            inputs = to_float_batch(images).repeat_interleave(2, dim=0)
            _, grads = losses_and_grads(self.params, inputs, labels.repeat_interleave(2, dim=0), s.implementation)
            self.params, self.state = learned_step(meta, self.params, grads, self.state)
            if (step + 1) % s.eval_every == 0 or step == length - 1:
                total += self.validation_losses(self.noise, self.tasks)
                evaluations += 1
        return total / evaluations

    def adam_update(self, gradient: torch.Tensor) -> None:
        s = self.settings
        lr = torch.tensor([s.meta_lr], device=self.device)
        clipped = {"theta": gradient.clamp(-s.meta_clip, s.meta_clip)[None]}
        updated, self.adam = adam_step(lr, {"theta": self.theta[None]}, clipped, self.adam, (s.meta_beta1, s.meta_beta2))
        self.theta = updated["theta"][0]

    def outer_step(self) -> None:
        s = self.settings
        started = time.perf_counter()
        length = truncation_length(self.iteration, s.truncation_start, s.truncation_end, s.truncation_ramp,
                                   s.truncation_jitter, self.generator)
        eps = torch.randn((s.pairs, num_meta_parameters()), generator=self.generator, device=self.device)
        outer = self.unroll(self.meta_population(eps), length)
        positive, negative = outer[0::2], outer[1::2]
        self.adam_update(antithetic_es_gradient(positive, negative, eps, s.es_std))
        monitored = {noise.corruptions[0]: float(self.validation_losses(noise, noise.draw_tasks(s.pairs, self.generator))
                                                 .nan_to_num(nan=math.inf).mean()) for noise in self.monitor}
        worst = torch.maximum(positive, negative).nan_to_num(nan=math.inf)
        diverged = (worst > s.reset_factor * self.initial_loss).cpu()
        inner_steps = float(self.state.step.mean())
        self.reset(diverged)
        self.iteration += 1
        finite = outer[torch.isfinite(outer)]
        common = {"iteration": self.iteration, "truncation": length, "resets": int(diverged.sum()),
                  "inner_steps": inner_steps, "seconds": time.perf_counter() - started}
        self.rows.append({**common, "target": "outer", "loss": float(finite.mean()) if len(finite) else math.nan})
        self.rows += [{**common, "target": name, "loss": loss} for name, loss in monitored.items()]

    # -- checkpoints --------------------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        return fingerprint({"settings": asdict(self.settings), "noise": repr(self.noise),
                            "data": [tuple(self.data.train_images.shape), tuple(self.data.val_images.shape)]})

    def checkpoint(self) -> dict:
        return {"fingerprint": self.fingerprint(), "iteration": self.iteration, "theta": self.theta, "adam": self.adam,
                "params": self.params, "state": self.state.to_dict(), "tasks": self.tasks,
                "initial_loss": self.initial_loss, "rows": self.rows, "rng": rng_state(self.generator)}

    def restore(self, saved: dict) -> None:
        self.iteration, self.theta = saved["iteration"], saved["theta"].to(self.device)
        adam = saved["adam"]
        self.adam = {"m": {k: v.to(self.device) for k, v in adam["m"].items()},
                     "v": {k: v.to(self.device) for k, v in adam["v"].items()}, "step": adam["step"].to(self.device)}
        self.params = {k: v.to(self.device) for k, v in saved["params"].items()}
        state = saved["state"]
        self.state = OptimizerState({k: v.to(self.device) for k, v in state["momenta"].items()}, state["step"].to(self.device))
        self.tasks, self.rows = saved["tasks"], saved["rows"]
        self.initial_loss = saved["initial_loss"].to(self.device)
        restore_rng(saved["rng"], self.generator)

    def run(self, checkpoint_path: str | Path | None = None, log_every: int = 1) -> pd.DataFrame:
        """Outer-train to ``settings.iterations`` (resuming from ``checkpoint_path`` if it holds a matching run)."""
        if checkpoint_path is not None and (saved := load_checkpoint(checkpoint_path, self.fingerprint())):
            self.restore(saved)
            log.info("resuming outer-training from %s after iteration %d", checkpoint_path, self.iteration)
        while self.iteration < self.settings.iterations:
            self.outer_step()
            if self.iteration % log_every == 0 or self.iteration == self.settings.iterations:
                row = self.rows[-1 - len(self.monitor)]
                log.info("outer iteration %d/%d: outer loss %.4f, truncation %d, resets %d, %.1f s",
                         self.iteration, self.settings.iterations, row["loss"], row["truncation"], row["resets"],
                         row["seconds"])
            if checkpoint_path is not None and (
                self.iteration % self.settings.checkpoint_every == 0 or self.iteration == self.settings.iterations
            ):
                save_checkpoint(checkpoint_path, self.checkpoint())
        import pandas as pd

        return pd.DataFrame(self.rows, columns=CURVE_COLUMNS)
