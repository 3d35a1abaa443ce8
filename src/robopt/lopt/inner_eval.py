"""Evaluation runs: inner-train the 4-layer CNN with an update rule, log noised test loss along the way, then the
loss at every Gaussian scale and every (corruption, severity) -> tidy rows (Metz et al. 2019, Figs. 1b, 1c, 2, B).

A population of members shares one initialisation and one stream of batches, so the members of an Adam
learning-rate grid (or a learned optimizer and nothing else) differ only in their update rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from robopt.corruptions import add_gaussian_noise, corrupt_batch, make_generator
from robopt.lopt.data import InnerData
from robopt.lopt.objectives import Noise, to_float_batch
from robopt.lopt.population import Params, evaluate_losses, init_population, losses_and_grads

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)
EVAL_COLUMNS = ["member", "train_data", "step", "split", "noise", "level", "loss"]
Target = tuple[str, float]  # ("gaussian", sigma) | (corruption, severity) | ("clean", 0)
UpdateRule = Callable[[Params, Params, object], tuple[Params, object]]


@dataclass
class EvalSettings:
    """One evaluation run's inner training, from a validated ``lopt.evaluation`` block
    (``robopt.lopt.settings.eval_settings``)."""

    steps: int
    batch_size: int
    log_every: int
    test_images: int
    curve_targets: Sequence[Target]  # logged along inner training
    final_targets: Sequence[Target]  # after the last step
    implementation: str
    seed: int
    final_splits: tuple[str, ...] = ("test", "validation")  # which images the final losses are computed on

    def __post_init__(self) -> None:
        if self.steps < 1 or self.log_every < 1 or self.test_images < 1:
            raise ValueError("evaluation steps, log_every and test_images must be >= 1")


def noised_copy(images: torch.Tensor, target: Target, scale: str, seed: int) -> torch.Tensor:
    """A fixed (seeded) noised copy of an evaluation set under one target."""
    kind, level = target
    generator = make_generator(seed, images.device)
    if kind == "clean":
        return images
    if kind == "gaussian":
        return add_gaussian_noise(images, float(level), generator)
    return corrupt_batch(images, kind, int(level), scale, generator)


class EvaluationSets:
    """Noised copies of the test and validation images, built once per target."""

    def __init__(self, data: InnerData, test_images: torch.Tensor | None, test_labels: torch.Tensor | None,
                 count: int, seed: int):
        """Without test images (meta-validation runs) only the validation split exists."""
        self.sources = {"validation": (data.val_images[:count], data.val_labels[:count])}
        if test_images is not None:
            self.sources["test"] = (test_images[:count], test_labels[:count])
        self.scale, self.seed, self.cache = data.scale, seed, {}

    def get(self, split: str, target: Target) -> tuple[torch.Tensor, torch.Tensor]:
        key = (split, target)
        if key not in self.cache:
            images, labels = self.sources[split]
            self.cache[key] = (to_float_batch(noised_copy(images, target, self.scale, self.seed)), labels)
        return self.cache[key]

    def losses(self, params: Params, split: str, target: Target, chunk: int = 500) -> torch.Tensor:
        """Mean loss per member over the whole (noised) split."""
        images, labels = self.get(split, target)
        size = next(iter(params.values())).shape[0]
        total = torch.zeros(size, device=images.device)
        for start in range(0, len(images), chunk):
            block, block_labels = images[start : start + chunk], labels[start : start + chunk]
            expanded = block.expand(size, *block.shape)
            total += evaluate_losses(params, expanded, block_labels.expand(size, -1)) * len(block)
        return total / len(images)


def inner_train(
    update: UpdateRule,
    state: object,
    members: int,
    data: InnerData,
    sets: EvaluationSets,
    settings: EvalSettings,
    train_noise: Noise | None,
) -> pd.DataFrame:
    """Inner-train ``members`` copies of one initialisation with ``update``; tidy rows of evaluation losses."""
    device = data.train_images.device
    generator = torch.Generator(device=device).manual_seed(settings.seed)
    params = init_population(1, data.num_classes, generator, device)
    params = {name: value.expand(members, *value.shape[1:]).clone() for name, value in params.items()}
    state = state(params) if callable(state) else state
    train_data = "clean" if train_noise is None or train_noise.kind == "clean" else "noised"
    rows = []

    def record(step: int, split: str, targets: Sequence[Target]) -> None:
        for target in targets:
            for member, loss in enumerate(sets.losses(params, split, target).tolist()):
                rows.append({"member": member, "train_data": train_data, "step": step, "split": split,
                             "noise": target[0], "level": float(target[1]), "loss": loss})

    record(0, "test", settings.curve_targets)
    for step in range(1, settings.steps + 1):
        images, labels = data.batches("train", 1, settings.batch_size, generator)
        if train_noise is not None:
            task = train_noise.draw_tasks(1, generator)[0]
            images = train_noise.apply(images[0], int(task), generator)[None]
        inputs = to_float_batch(images)[0].expand(members, -1, -1, -1, -1)
        _, grads = losses_and_grads(params, inputs, labels.expand(members, -1), settings.implementation)
        params, state = update(params, grads, state)
        if step % settings.log_every == 0 or step == settings.steps:
            record(step, "test", settings.curve_targets)
            log.info("inner step %d/%d (%s data)", step, settings.steps, train_data)
    if "test" in settings.final_splits:
        record(settings.steps, "test", [t for t in settings.final_targets if t not in settings.curve_targets])
    if "validation" in settings.final_splits:
        record(settings.steps, "validation", settings.final_targets)
    import pandas as pd

    return pd.DataFrame(rows, columns=EVAL_COLUMNS)
