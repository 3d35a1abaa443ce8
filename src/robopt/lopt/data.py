"""The inner problem's data on the device: inner-training images and the validation images of the outer loss."""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F

from robopt.data.format import ImageSplit
from robopt.data.splits import stratified_split


def downsampled(split: ImageSplit, factor: int) -> ImageSplit:
    """``split`` with its images average-pooled by ``factor`` (rounded back to uint8); itself when ``factor`` is 1."""
    if factor == 1:
        return split
    pooled = F.avg_pool2d(split.images.permute(0, 3, 1, 2).float(), factor).round().to(torch.uint8)
    return replace(split, images=pooled.permute(0, 2, 3, 1).contiguous())


@dataclass
class InnerData:
    """uint8 NHWC images and int64 labels for inner training (train) and the outer objective (validation)."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    val_images: torch.Tensor
    val_labels: torch.Tensor
    num_classes: int
    scale: str

    @classmethod
    def from_split(
        cls, split: ImageSplit, validation_fraction: float, seed: int, scale: str, device: torch.device
    ) -> InnerData:
        """Seeded stratified hold-out of the training split (the paper's CIFAR-10 'validation' images)."""
        fit, holdout = stratified_split(split.labels, validation_fraction, seed)
        images, labels = split.images.to(device), split.labels.to(device)
        return cls(images[fit.to(device)], labels[fit.to(device)], images[holdout.to(device)], labels[holdout.to(device)],
                   len(split.class_names), scale)

    def batches(self, which: str, groups: int, batch: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """``groups`` independent random batches (groups x batch x H x W x 3) from the train or validation images."""
        images, labels = (self.train_images, self.train_labels) if which == "train" else (self.val_images, self.val_labels)
        index = torch.randint(0, len(images), (groups, batch), generator=generator, device=generator.device).to(images.device)
        return images[index], labels[index]
