"""Each ImageNet recipe's methods train a few steps on the fixture, streamed from its JPEGs; a killed run resumes to
the weights of the uninterrupted one."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import torch

from robopt.config import load_config
from robopt.data.imagenet import read_imagenet_index
from robopt.train import TrainSettings, fit
from robopt.variants import imagenet_training_job, imagenet_variants
from tests.imagenet.fixture import fixture_overlay, write_imagenet_fixture

REPO = Path(__file__).resolve().parents[2]
META = {"corruption_scale": "imagenet"}


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    root = tmp_path_factory.mktemp("imagenet_training")
    overlay = root / "overlay.yaml"
    overlay.write_text(fixture_overlay(root, write_imagenet_fixture(root)))
    config = load_config([REPO / "config/imagenet.yaml", overlay, REPO / "tests/imagenet/reduced.yaml"],
                         REPO / "workflow/schemas/config.schema.yaml")
    return config, read_imagenet_index(root / "imagenet")["train"]


def settings(config, recipe: str, method: str, **changes) -> TrainSettings:
    import dataclasses

    return dataclasses.replace(TrainSettings.from_config(imagenet_training_job(config, recipe, method), META),
                               **changes)


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["resnet50", "vit_s16"])
def test_every_method_of_a_recipe_trains_on_streamed_batches(fixture, recipe):
    config, train = fixture
    for method in imagenet_variants(config, recipe):
        model, history = fit(train, settings(config, recipe, method), seed=0)
        loss = history.query("metric == 'loss'")["value"]
        assert len(loss) == 1 and torch.isfinite(torch.tensor(loss.to_numpy())).all(), method
        assert (history.query("metric == 'lr'")["value"] > 0).all()


def test_a_killed_imagenet_run_resumes_to_the_uninterrupted_weights(fixture, tmp_path, monkeypatch):
    config, train = fixture
    two_epochs = settings(config, "resnet50", "dropout", epochs=2)
    reference, _ = fit(train, two_epochs, seed=0)
    fit_module = importlib.import_module("robopt.train.fit")
    original = fit_module.save_checkpoint

    def save_then_die(path, state):
        original(path, state)
        raise KeyboardInterrupt  # killed right after the first epoch's checkpoint

    monkeypatch.setattr(fit_module, "save_checkpoint", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        fit(train, two_epochs, seed=0, checkpoint_path=tmp_path / "last.pt")
    monkeypatch.setattr(fit_module, "save_checkpoint", original)
    resumed, _ = fit(train, two_epochs, seed=0, checkpoint_path=tmp_path / "last.pt")
    for name, value in reference.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[name]), name
    dropout = [m for m in resumed.modules() if isinstance(m, torch.nn.Dropout)]
    assert [m.p for m in dropout] == [0.05]  # the Dropout baseline's model


@pytest.mark.slow
@pytest.mark.parametrize("method", ["dropout", "damp"])
def test_two_ranks_streaming_their_shares_train_the_one_process_weights(fixture, method, tmp_path):
    """Each rank decodes only its images of every batch; DAMP (M = 2: one sub-batch per rank) synchronises BatchNorm
    over both ranks' images, as the paper's 8 devices."""
    from robopt.distributed.launch import run_job
    from tests.distributed.test_distributed import assert_close_states
    from tests.distributed.workers import fit_and_save

    config, train = fixture
    # 2 steps at a small lr (ResNet-50's 53 BatchNorm layers amplify float reduction order within a few large steps);
    # dropout draws differ per rank, so the Dropout recipe is compared without its dropout
    chosen = settings(config, "resnet50", method, dropout=0.0, train_images=16, lr=0.01)
    torch.set_num_threads(1)
    expected, _ = fit(train, chosen, seed=0)
    out = tmp_path / "out.pt"
    run_job(fit_and_save, {"train": train, "settings": chosen, "seed": 0, "out": str(out)}, ranks_per_node=2,
            threads=2, spec_path=tmp_path / "job.pt")
    assert_close_states(expected.state_dict(), torch.load(out, weights_only=False)["state"], atol=1e-5)
