"""The lr schedule, the SGD method and the resumable, deterministic training loop."""

from __future__ import annotations

import importlib

import pytest
import torch

from robopt.data.synthetic import generate_synthetic
from robopt.errors import UnknownNameError
from robopt.models import build_model
from robopt.train import TrainSettings, build_method, fit, lr_factor


def test_lr_schedule_boundaries():
    assert lr_factor(0.0) == 1.0 and lr_factor(0.5) == 1.0
    assert lr_factor(0.7) == pytest.approx(1.0 - 0.99 * 0.5)
    assert lr_factor(0.9) == pytest.approx(0.01) and lr_factor(1.0) == pytest.approx(0.01)
    # DAMP CIFAR: 0.1 to epoch 150 of 300, linear to 0.001 at epoch 270
    assert 0.1 * lr_factor(150 / 300) == pytest.approx(0.1)
    assert 0.1 * lr_factor(270 / 300) == pytest.approx(0.001)
    with pytest.raises(ValueError, match="milestones"):
        lr_factor(0.3, (0.9, 0.5))


def settings(epochs: int = 3) -> TrainSettings:
    return TrainSettings(model="small_cnn", epochs=epochs, batch_size=32, lr=0.05, mean=[0.5] * 3, std=[0.25] * 3,
                         crop_padding=2)


@pytest.fixture(scope="module")
def train_split():
    return generate_synthetic(128, seed=0)


def test_same_seed_same_weights_other_seed_differs(train_split):
    a, _ = fit(train_split, settings(2), "sgd", seed=0)
    b, _ = fit(train_split, settings(2), "sgd", seed=0)
    c, _ = fit(train_split, settings(2), "sgd", seed=1)
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(pa, pb), name
    assert not all(torch.equal(pa, pc) for pa, pc in zip(a.state_dict().values(), c.state_dict().values(), strict=True))


class Interrupt(Exception):
    pass


def test_resume_after_kill_equals_uninterrupted_run(train_split, tmp_path, monkeypatch):
    reference, reference_history = fit(train_split, settings(3), "sgd", seed=0)

    fit_module = importlib.import_module("robopt.train.fit")  # the package re-exports the function `fit`
    original = fit_module.save_checkpoint
    calls = {"n": 0}

    def save_then_die(path, state):
        original(path, state)
        calls["n"] += 1
        if calls["n"] == 2:
            raise Interrupt  # killed right after the second epoch's checkpoint

    monkeypatch.setattr(fit_module, "save_checkpoint", save_then_die)
    with pytest.raises(Interrupt):
        fit(train_split, settings(3), "sgd", seed=0, checkpoint_path=tmp_path / "last.pt")
    monkeypatch.setattr(fit_module, "save_checkpoint", original)
    assert torch.load(tmp_path / "last.pt", weights_only=False)["epoch"] == 2

    resumed, history = fit(train_split, settings(3), "sgd", seed=0, checkpoint_path=tmp_path / "last.pt")
    for pa, pb in zip(reference.state_dict().values(), resumed.state_dict().values(), strict=True):
        assert torch.equal(pa, pb)
    keep = history["metric"] != "seconds"
    assert history[keep].reset_index(drop=True).equals(reference_history[keep].reset_index(drop=True))


def test_checkpoint_of_other_settings_is_ignored(train_split, tmp_path):
    fit(train_split, settings(1), "sgd", seed=0, checkpoint_path=tmp_path / "last.pt")
    _, history = fit(train_split, settings(2), "sgd", seed=0, checkpoint_path=tmp_path / "last.pt")
    assert sorted(history["epoch"].unique()) == [1, 2]


def test_history_is_tidy_and_loss_decreases(train_split):
    _, history = fit(train_split, settings(6), "sgd", seed=0)
    assert list(history.columns) == ["epoch", "step", "split", "metric", "value"]
    assert set(history["metric"]) == {"loss", "accuracy", "lr", "seconds"}
    loss = history[history["metric"] == "loss"]["value"].tolist()
    assert loss[-1] < loss[0]


def test_unknown_method_and_model_list_valid_names():
    model = build_model("small_cnn", 10)
    with pytest.raises(UnknownNameError, match="valid names: adam, asam, daap, damp, sam, sgd"):
        build_method("sgdd", model, {})
    with pytest.raises(UnknownNameError, match="preact_resnet18, resnet18, small_cnn"):
        build_model("resnet50", 10)


def test_resnet18_has_cifar_stem():
    model = build_model("resnet18", 10)
    assert model.conv1.kernel_size == (3, 3) and model.conv1.stride == (1, 1)
    assert isinstance(model.maxpool, torch.nn.Identity)
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_preact_resnet18_on_64px():
    model = build_model("preact_resnet18", 200)
    assert model(torch.zeros(2, 3, 64, 64)).shape == (2, 200)
    assert sum(p.numel() for p in model.parameters()) > 11_000_000


def test_sweep_trains_every_grid_value_and_records_the_choice(train_split):
    from robopt.train import sweep

    table, choice = sweep(train_split, settings(2), "damp", "sigma", [0.0, 0.5], val_fraction=0.25, val_seed=0, seed=0)
    assert table["value"].tolist() == [0.0, 0.5] and (table["n_images"] == choice["holdout_images"]).all()
    assert 25 <= choice["holdout_images"] <= 35  # about 25% of 128, per class
    assert choice["parameter"] == "sigma" and choice["value"] in (0.0, 0.5)
    best = table.sort_values(["accuracy", "nll"], ascending=[False, True]).iloc[0]
    assert choice["value"] == best["value"]


def test_training_with_corruption_augmentation_differs_and_resumes_the_same(train_split, tmp_path):
    import dataclasses

    augmented = dataclasses.replace(settings(2), train_corruptions=["gaussian_noise"], train_severities=[5])
    plain, _ = fit(train_split, settings(2), "sgd", seed=0)
    noisy, _ = fit(train_split, augmented, "sgd", seed=0)
    again, _ = fit(train_split, augmented, "sgd", seed=0, checkpoint_path=tmp_path / "c.pt")
    assert not torch.equal(plain.head.weight, noisy.head.weight)
    assert torch.equal(noisy.head.weight, again.head.weight)


def test_a_methods_own_lr_overrides_the_shared_lr_in_the_schedule(train_split):
    import dataclasses

    own = dataclasses.replace(settings(2), method_params={"lr": 0.01})
    _, history = fit(train_split, own, "sgd", seed=0)
    assert history[history["metric"] == "lr"]["value"].iloc[0] == pytest.approx(0.01)
