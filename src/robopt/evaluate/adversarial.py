"""FGSM test error (Goodfellow et al. 2015), DAMP's adversarial column: one signed-gradient step of size eps in
[0, 1] pixel space, clipped to [0, 1].

Follows the DAMP reference (github trungtrinh44/DAMP ``imagenet/eval/eval_resnet_imagenet_fgsm.py``): the gradient of
the summed cross-entropy of the true labels with respect to the normalised input (its sign is that of the pixel
gradient), the model in evaluation mode (BatchNorm running statistics), eps = 2/224 for Tables 1 and 2; the
perturbed pixels stay in float (the reference does not re-quantise them either).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from robopt.data.augment import to_float_nchw
from robopt.evaluate.metrics import classification_metrics
from robopt.runtime import model_device

#: DAMP's FGSM step for ImageNet (camera-ready Tables 1 and 2).
IMAGENET_FGSM_EPS = 2 / 224


def fgsm_logits(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, eps: float, mean: Sequence[float],
                std: Sequence[float], batch_size: int = 256) -> torch.Tensor:
    """Logits of ``model`` (evaluation mode) on the FGSM versions of uint8 NHWC ``images``, in chunks."""
    model.eval()
    device = model_device(model)
    mean_t = torch.as_tensor(mean, device=device).view(1, -1, 1, 1)
    std_t = torch.as_tensor(std, device=device).view(1, -1, 1, 1)
    chunks = []
    for start in range(0, len(images), batch_size):
        pixels = to_float_nchw(images[start : start + batch_size].to(device))
        targets = labels[start : start + batch_size].to(device)
        normalised = ((pixels - mean_t) / std_t).requires_grad_()
        loss = nn.functional.cross_entropy(model(normalised).float(), targets, reduction="sum")
        (gradient,) = torch.autograd.grad(loss, normalised)
        adversarial = (pixels + eps * gradient.sign()).clamp_(0.0, 1.0)
        with torch.no_grad():
            chunks.append(model((adversarial - mean_t) / std_t).float().cpu())
    return torch.cat(chunks)


def fgsm_metrics(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, eps: float, mean: Sequence[float],
                 std: Sequence[float], batch_size: int = 256) -> dict[str, float]:
    """Accuracy, error (%), NLL and ECE under FGSM at ``eps``."""
    return classification_metrics(fgsm_logits(model, images, labels, eps, mean, std, batch_size), labels.cpu())
