"""What the learned optimizer is outer-trained for: validation loss under Gaussian noise, a corruption mix, or clean.

A *task* fixes the noise of one inner problem: the corruption experiment draws a (corruption, severity) per inner
problem from the training corruptions and severities 1-3 (Metz et al. 2019, App. A.5).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from robopt.corruptions import CORRUPTIONS, add_gaussian_noise, corrupt_batch

NOISE_KINDS = ("gaussian", "corruption", "clean")


@dataclass(frozen=True)
class Noise:
    """A noise distribution over uint8 NHWC images: ``kind`` gaussian (``sigma``), corruption (a mix) or clean."""

    kind: str
    sigma: float | None = None  # Gaussian only
    corruptions: tuple[str, ...] = ()  # corruption mix only
    severities: tuple[int, ...] = ()
    scale: str = ""  # corruption-parameter table (cifar, tinyimagenet, imagenet); corruption mix only

    def __post_init__(self) -> None:
        if self.kind not in NOISE_KINDS:
            raise ValueError(f"unknown noise {self.kind!r}; valid noises: {', '.join(NOISE_KINDS)}")
        if self.kind == "gaussian" and (self.sigma is None or self.sigma < 0):
            raise ValueError(f"Gaussian noise needs a scale sigma >= 0, got {self.sigma}")
        if self.kind == "corruption":
            if not self.corruptions or not self.severities or not self.scale:
                raise ValueError("a corruption noise needs corruptions, severities and a corruption scale")
            for name in self.corruptions:
                CORRUPTIONS.get(name)

    @property
    def tasks(self) -> tuple[tuple[str, int], ...]:
        """The (corruption, severity) pairs an inner problem can draw; none unless the noise is a corruption mix."""
        if self.kind != "corruption":
            return ()
        return tuple((c, s) for c in self.corruptions for s in self.severities)

    def draw_tasks(self, count: int, generator: torch.Generator) -> torch.Tensor:
        """One task index per inner problem (0 when the noise has no tasks)."""
        if not self.tasks:
            return torch.zeros(count, dtype=torch.long)
        return torch.randint(0, len(self.tasks), (count,), generator=generator, device=generator.device).cpu()

    def apply(self, images: torch.Tensor, task: int, generator: torch.Generator) -> torch.Tensor:
        """Noised copy of a uint8 N x H x W x 3 batch."""
        if self.kind == "clean":
            return images
        if self.kind == "gaussian":
            return add_gaussian_noise(images, self.sigma, generator)
        corruption, severity = self.tasks[int(task)]
        return corrupt_batch(images, corruption, severity, self.scale, generator)

    def apply_per_group(self, images: torch.Tensor, tasks: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Noise a K x B x H x W x 3 stack, group k with task k (one call for Gaussian noise)."""
        if self.kind != "corruption":
            return self.apply(images.flatten(0, 1), 0, generator).view_as(images)
        return torch.stack([self.apply(group, int(task), generator) for group, task in zip(images, tasks, strict=True)])


def to_float_batch(images: torch.Tensor) -> torch.Tensor:
    """uint8 (... x H x W x 3) -> float (... x 3 x H x W) in [0, 1] in torch's default dtype, as the inner CNN expects."""
    return images.movedim(-1, -3).to(torch.get_default_dtype()).div_(255.0)
