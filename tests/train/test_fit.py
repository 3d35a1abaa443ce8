"""The lr schedule, the SGD method and the resumable, deterministic training loop."""

from __future__ import annotations

import pytest
import torch

from robopt.errors import UnknownNameError
from robopt.models import build_model
from robopt.train import TrainSettings, build_method, fit
from tests.conftest import FAKE_META, raw_config, small_settings, train_settings, validated
from tests.train.conftest import killed_then_resumed


def test_same_seed_same_weights_other_seed_differs(train_split):
    a, _ = fit(train_split, small_settings(2), seed=0)
    b, _ = fit(train_split, small_settings(2), seed=0)
    c, _ = fit(train_split, small_settings(2), seed=1)
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(pa, pb), name
    assert not all(torch.equal(pa, pc) for pa, pc in zip(a.state_dict().values(), c.state_dict().values(), strict=True))


def test_resume_after_kill_equals_uninterrupted_run(train_split, tmp_path, monkeypatch):
    reference, reference_history = fit(train_split, small_settings(3), seed=0)
    resumed, history = killed_then_resumed(train_split, small_settings(3), 0, tmp_path / "last.pt", monkeypatch)
    assert torch.load(tmp_path / "last.pt", weights_only=False)["epoch"] == 3
    for pa, pb in zip(reference.state_dict().values(), resumed.state_dict().values(), strict=True):
        assert torch.equal(pa, pb)
    keep = history["metric"] != "seconds"
    assert history[keep].reset_index(drop=True).equals(reference_history[keep].reset_index(drop=True))


def test_checkpoint_of_other_settings_is_ignored(train_split, tmp_path):
    fit(train_split, small_settings(1), seed=0, checkpoint_path=tmp_path / "last.pt")
    _, history = fit(train_split, small_settings(2), seed=0, checkpoint_path=tmp_path / "last.pt")
    assert sorted(history["epoch"].unique()) == [1, 2]


def test_history_is_tidy_and_loss_decreases(train_split):
    _, history = fit(train_split, small_settings(6), seed=0)
    assert list(history.columns) == ["epoch", "step", "split", "metric", "value"]
    assert set(history["metric"]) == {"loss", "accuracy", "lr", "seconds"}
    loss = history[history["metric"] == "loss"]["value"].tolist()
    assert loss[-1] < loss[0]


def test_unknown_method_and_model_list_valid_names():
    model = build_model("small_cnn", 10)
    with pytest.raises(UnknownNameError, match="valid names: adam, asam, daap, damp, dropout, l2rw, mwnet, sam, sgd, sgd_early_stop, sgd_plus_meta"):
        build_method("sgdd", model, small_settings().optimizer, {})
    with pytest.raises(UnknownNameError, match="preact_resnet18, resnet14, resnet18, resnet20, resnet32, resnet50, resnet8, small_cnn, vit_s16"):
        build_model("resnet34", 10)


def test_training_with_corruption_augmentation_differs_and_resumes_the_same(train_split, tmp_path):
    import dataclasses

    augmented = dataclasses.replace(small_settings(2), train_corruptions=["gaussian_noise"], train_severities=[5])
    plain, _ = fit(train_split, small_settings(2), seed=0)
    noisy, _ = fit(train_split, augmented, seed=0)
    again, _ = fit(train_split, augmented, seed=0, checkpoint_path=tmp_path / "c.pt")
    assert not torch.equal(plain.head.weight, noisy.head.weight)
    assert torch.equal(noisy.head.weight, again.head.weight)


def test_a_methods_own_lr_overrides_the_shared_lr_in_the_schedule(train_split):
    config = raw_config()
    config["training"]["synthetic"]["methods"]["sgd"] = {"lr": 0.01}
    own = train_settings("sgd", config, epochs=2, batch_size=32)
    assert own.lr == 0.01 and own.method_params == {}
    _, history = fit(train_split, own, seed=0)
    assert history[history["metric"] == "lr"]["value"].iloc[0] == pytest.approx(0.01)


def test_settings_from_a_job_block_name_unknown_and_missing_keys():
    from robopt.errors import ConfigError
    from robopt.variants import training_job, variants

    config = validated(raw_config())
    job = training_job(config, "synthetic", variants(config, "synthetic")["damp_sigma0.2"])
    settings_ = TrainSettings.from_config(job, FAKE_META)
    assert settings_.method == "damp" and settings_.method_params == {"sigma": 0.2, "sub_batches": 4, "bn_scope": "batch"}
    assert settings_.mean == FAKE_META["mean"] and settings_.corruption_scale == "cifar"
    with pytest.raises(ConfigError, match="unknown key.*epoch"):
        TrainSettings.from_config({**job, "epoch": 3}, FAKE_META)
    with pytest.raises(ConfigError, match="lack key.*momentum"):
        TrainSettings.from_config({k: v for k, v in job.items() if k != "momentum"}, FAKE_META)


def test_alg2_corrupts_before_the_crop_so_the_padded_border_stays_black():
    from robopt.corruptions.augment import CorruptHalf
    from robopt.train.fit import augment

    images = torch.full((8, 16, 16, 3), 128, dtype=torch.uint8)
    brighten = CorruptHalf(["brightness"], "cifar", [5])
    out = augment(images, 4, brighten, torch.Generator().manual_seed(0))
    corrupted = (out.float().amax(dim=(1, 2, 3)) > 128)
    assert int(corrupted.sum()) == 4  # half the batch
    black = (out == 0).all(dim=-1).flatten(1).any(dim=1)  # an image with zero-padding pixels left black
    assert bool(black[corrupted].any())  # corrupting after the crop would have brightened that border


def test_a_training_subset_is_stratified_and_the_same_for_every_seed():
    from robopt.data.synthetic import generate_synthetic
    from robopt.train.fit import training_subset

    train = generate_synthetic(200, seed=0)
    subset = training_subset(train, 50)
    assert len(subset) == 50 and torch.bincount(subset.labels).tolist() == [5] * 10
    assert torch.equal(training_subset(train, 50).images, subset.images)
    assert training_subset(train, 500) is train
