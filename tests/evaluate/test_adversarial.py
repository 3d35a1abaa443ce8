"""FGSM: the signed pixel-gradient step, clipped to [0, 1], raises the loss; eps = 0 is the clean evaluation."""

from __future__ import annotations

import torch
from torch import nn

from robopt.data.augment import normalize, to_float_nchw
from robopt.evaluate.adversarial import IMAGENET_FGSM_EPS, fgsm_logits, fgsm_metrics

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def setup():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 5))
    images = torch.randint(0, 256, (12, 8, 8, 3), dtype=torch.uint8)
    labels = torch.randint(0, 5, (12,))
    return model, images, labels


def test_zero_step_is_the_clean_evaluation():
    model, images, labels = setup()
    with torch.no_grad():
        clean = model(normalize(images, MEAN, STD))
    torch.testing.assert_close(fgsm_logits(model, images, labels, 0.0, MEAN, STD, batch_size=5), clean)


def test_step_follows_the_sign_of_the_pixel_gradient_and_stays_in_range():
    model, images, labels = setup()
    pixels = to_float_nchw(images).requires_grad_()
    mean, std = torch.tensor(MEAN).view(1, -1, 1, 1), torch.tensor(STD).view(1, -1, 1, 1)
    loss = nn.functional.cross_entropy(model((pixels - mean) / std), labels, reduction="sum")
    (gradient,) = torch.autograd.grad(loss, pixels)
    adversarial = (pixels.detach() + IMAGENET_FGSM_EPS * gradient.sign()).clamp(0, 1)
    with torch.no_grad():
        expected = model((adversarial - mean) / std)
    torch.testing.assert_close(fgsm_logits(model, images, labels, IMAGENET_FGSM_EPS, MEAN, STD), expected)


def test_larger_steps_raise_the_loss():
    model, images, labels = setup()
    nll = [fgsm_metrics(model, images, labels, eps, MEAN, STD)["nll"] for eps in (0.0, 1 / 224, 2 / 224, 8 / 224)]
    assert nll == sorted(nll) and nll[-1] > nll[0]
