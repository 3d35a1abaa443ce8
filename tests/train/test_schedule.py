"""The lr schedule, the SGD method and the resumable, deterministic training loop."""

from __future__ import annotations

import pytest

from robopt.train import lr_factor


def test_lr_schedule_boundaries():
    assert lr_factor(0.0) == 1.0 and lr_factor(0.5) == 1.0
    assert lr_factor(0.7) == pytest.approx(1.0 - 0.99 * 0.5)
    assert lr_factor(0.9) == pytest.approx(0.01) and lr_factor(1.0) == pytest.approx(0.01)
    # DAMP CIFAR: 0.1 to epoch 150 of 300, linear to 0.001 at epoch 270
    assert 0.1 * lr_factor(150 / 300) == pytest.approx(0.1)
    assert 0.1 * lr_factor(270 / 300) == pytest.approx(0.001)
    with pytest.raises(ValueError, match="milestones"):
        lr_factor(0.3, (0.9, 0.5))


def test_warmup_cosine_as_the_imagenet_configs():
    from robopt.train.schedule import warmup_cosine_factor

    # ResNet-50: 0.8 peak, 8e-4 at the start of the warm-up (5 of 90 epochs) and at the end
    warmup = 5 / 90
    assert 0.8 * warmup_cosine_factor(0.0, warmup, 0.001, 0.001) == pytest.approx(8e-4)
    assert 0.8 * warmup_cosine_factor(warmup / 2, warmup, 0.001, 0.001) == pytest.approx(0.4004)
    assert warmup_cosine_factor(warmup, warmup, 0.001, 0.001) == pytest.approx(1.0)
    assert warmup_cosine_factor(warmup + (1 - warmup) / 2, warmup, 0.001, 0.001) == pytest.approx(0.5005)
    assert 0.8 * warmup_cosine_factor(1.0, warmup, 0.001, 0.001) == pytest.approx(8e-4)
    # ViT-S/16: 1e-6 -> 1e-3, cosine to 0
    assert 1e-3 * warmup_cosine_factor(0.0, 0.1, 0.001, 0.0) == pytest.approx(1e-6)
    assert warmup_cosine_factor(1.0, 0.1, 0.001, 0.0) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="warm-up"):
        warmup_cosine_factor(0.5, 1.0, 0.0, 0.0)


def test_training_settings_set_the_lr_per_step_for_warmup_cosine():
    import dataclasses

    from tests.conftest import small_settings

    linear = small_settings(10)
    assert linear.lr_schedule == "linear_decay"
    assert linear.lr_at(7, 0, 4) == linear.lr_at(7, 3, 4)  # per epoch
    cosine = dataclasses.replace(linear, lr_schedule="warmup_cosine", warmup_epochs=2, warmup_start_ratio=0.0)
    steps = [cosine.lr_at(epoch, step, 4) for epoch in range(10) for step in range(4)]
    assert steps[0] == 0.0 and steps[8] == pytest.approx(cosine.lr)  # warm-up ends after 2 epochs of 4 steps
    assert steps[:9] == sorted(steps[:9]) and steps[8:] == sorted(steps[8:], reverse=True)


def test_fit_follows_the_warmup_cosine_schedule(train_split):
    import dataclasses

    from robopt.train import fit
    from tests.conftest import small_settings

    settings = dataclasses.replace(small_settings(3), lr_schedule="warmup_cosine", warmup_epochs=1,
                                   warmup_start_ratio=0.1, lr_final_ratio=0.0)
    _, history = fit(train_split, settings, seed=0)
    logged = history[history["metric"] == "lr"]["value"].tolist()
    steps = len(train_split) // settings.batch_size
    assert logged == pytest.approx([settings.lr_at(epoch, 0, steps) for epoch in range(3)])
    assert logged[0] == pytest.approx(0.1 * settings.lr) and logged[1] == pytest.approx(settings.lr)
