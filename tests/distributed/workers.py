"""Job functions the distributed tests start on several ranks (a torchrun worker imports them by name)."""

from __future__ import annotations

import importlib

import torch

from robopt.distributed import join_world, leave_world


class Killed(Exception):
    """Rank 0 dies right after a checkpoint (a preempted job)."""


def fit_and_save(*, train, settings, seed: int, out: str, checkpoint: str | None = None,
                 die_after_checkpoints: int | None = None) -> None:
    """``fit`` on this rank's world; rank 0 saves the weights and history to ``out``."""
    fit_module = importlib.import_module("robopt.train.fit")  # the package re-exports the function `fit`
    world, device = join_world("cpu")
    torch.set_num_threads(1)
    if die_after_checkpoints is not None and world.is_main:
        original, saved = fit_module.save_checkpoint, []

        def save_then_die(path, state):
            original(path, state)
            saved.append(path)
            if len(saved) == die_after_checkpoints:
                raise Killed

        fit_module.save_checkpoint = save_then_die
    model, history = fit_module.fit(train, settings, seed, checkpoint, device)
    if world.is_main:
        torch.save({"state": model.state_dict(), "history": history}, out)
    leave_world()


def fit_each_and_save(*, train, settings: dict, seed: int, out: str) -> None:
    """``fit`` every named settings on this rank's world (one launch for several runs); rank 0 saves the weights and
    histories by name."""
    fit_module = importlib.import_module("robopt.train.fit")
    world, device = join_world("cpu")
    torch.set_num_threads(1)
    results = {}
    for name, each in settings.items():
        model, history = fit_module.fit(train, each, seed, None, device)
        results[name] = {"state": model.state_dict(), "history": history}
    if world.is_main:
        torch.save(results, out)
    leave_world()


def outer_and_save(*, settings, data, noise, out: str, checkpoint: str | None = None,
                   die_after_checkpoints: int | None = None, dtype: str = "float32") -> None:
    """Outer-train on this rank's world in ``dtype``; rank 0 saves theta, the curve rows and the gathered
    population."""
    from robopt.lopt import OuterTrainer
    from robopt.lopt.initial import initial_candidates

    world, device = join_world("cpu")
    torch.set_num_threads(1)
    torch.set_default_dtype(getattr(torch, dtype))
    trainer = OuterTrainer(settings, data, noise, device, initial_candidates([0.003])[0].to(torch.get_default_dtype()))
    curve = trainer.run(checkpoint)
    trainer.gather_population()
    if world.is_main:
        torch.save({"theta": trainer.theta, "curve": curve, "params": trainer.params}, out)
    leave_world()
