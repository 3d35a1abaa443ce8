"""Shared fixtures of the training tests."""

from __future__ import annotations

import importlib

import pytest

from robopt.data.synthetic import generate_synthetic


@pytest.fixture(scope="module")
def train_split():
    """128 synthetic training images."""
    return generate_synthetic(128, seed=0)


class Interrupt(Exception):
    """Raised to kill a training run right after a checkpoint."""


def killed_then_resumed(train, settings, seed, checkpoint, monkeypatch, kill_after: int = 2):
    """Train ``settings`` until the ``kill_after``-th checkpoint is written, die, then resume from it: the resumed
    run's (model, history)."""
    fit_module = importlib.import_module("robopt.train.fit")  # the package re-exports the function `fit`
    original = fit_module.save_checkpoint
    calls = {"n": 0}

    def save_then_die(path, state):
        original(path, state)
        calls["n"] += 1
        if calls["n"] == kill_after:
            raise Interrupt

    monkeypatch.setattr(fit_module, "save_checkpoint", save_then_die)
    with pytest.raises(Interrupt):
        fit_module.fit(train, settings, seed=seed, checkpoint_path=checkpoint)
    monkeypatch.setattr(fit_module, "save_checkpoint", original)
    return fit_module.fit(train, settings, seed=seed, checkpoint_path=checkpoint)
