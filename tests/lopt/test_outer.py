"""Outer-training: horizons, pairs from one state, early stop at 2x, staggering, resume, population paths."""

from __future__ import annotations

import dataclasses

import pytest
import torch

import robopt.lopt.outer as outer
from robopt.data.synthetic import generate_synthetic
from robopt.errors import UnknownNameError
from robopt.lopt import InnerData, Noise, OuterTrainer
from robopt.lopt.es import antithetic_es_gradient
from robopt.lopt.initial import initial_candidates
from robopt.lopt.population import init_population, losses_and_grads
from robopt.lopt.settings import outer_settings
from robopt.train.checkpoint import save_checkpoint
from tests.conftest import raw_config, validated


def demo_lopt() -> dict:
    return validated(raw_config())["lopt"]


def tiny_trainer(iterations: int, **changes) -> OuterTrainer:
    data = InnerData.from_split(generate_synthetic(200, seed=0), 0.2, 0, "cifar", torch.device("cpu"))
    settings = dataclasses.replace(
        outer_settings(demo_lopt(), seed=0), iterations=iterations, pairs=2, batch_size=8, truncation_start=2,
        truncation_end=4, truncation_ramp=4, horizon=7, eval_every=2, checkpoint_every=2, meta_lr=0.01,
        monitor=("fog",))
    settings = dataclasses.replace(settings, **changes)
    noise = Noise("corruption", corruptions=("gaussian_noise", "contrast"), severities=(1, 2, 3), scale="cifar")
    return OuterTrainer(settings, data, noise, torch.device("cpu"), initial_candidates([0.003])[0])


def test_no_inner_problem_passes_its_horizon_and_reaching_it_restarts_the_problem():
    trainer = tiny_trainer(8, pairs=3, truncation_start=3, truncation_end=5)
    assert trainer.horizon.tolist() == [3, 5, 7]  # staggered first horizons ceil(7 (k + 1) / 3)
    horizon_resets = 0
    for _ in range(8):
        before = trainer.pair_params()["head.weight"].clone()
        trainer.outer_step()
        row = trainer.rows[-2]
        pair_steps = trainer.state.step[0::2]
        assert row["inner_steps_max"] <= trainer.settings.horizon
        assert bool((pair_steps <= trainer.horizon).all())
        restarted = pair_steps == 0  # reset pairs start again at step 0 with a fresh initialisation
        horizon_resets += row["horizon_resets"]
        if restarted.any():
            assert not torch.equal(trainer.pair_params()["head.weight"][restarted], before[restarted])
    assert horizon_resets >= 3
    assert bool((trainer.horizon == 7).all())  # every later problem has the full horizon


def test_both_members_of_a_pair_start_every_truncation_from_one_state(monkeypatch):
    first_calls = []
    real_step = outer.learned_step

    def spy(meta, params, grads, state):
        if spy.fresh:
            first_calls.append(({k: v.clone() for k, v in params.items()}, state.momenta["head.weight"].clone(),
                                state.step.clone()))
            spy.fresh = False
        return real_step(meta, params, grads, state)

    monkeypatch.setattr(outer, "learned_step", spy)
    trainer = tiny_trainer(4, horizon=100)
    for _ in range(4):
        spy.fresh = True
        trainer.outer_step()
    assert len(first_calls) == 4
    for params, momenta, step in first_calls:
        for value in params.values():
            assert torch.equal(value[0::2], value[1::2])
        assert torch.equal(momenta[0::2], momenta[1::2]) and torch.equal(step[0::2], step[1::2])
    assert first_calls[-1][2].min() > 0  # later truncations continue a trained state, not a fresh one


def test_a_pair_that_crosses_twice_its_initial_loss_stops_there_and_leaves_the_gradient():
    trainer = tiny_trainer(1, horizon=100)
    eps = torch.randn(2, trainer.theta.numel(), generator=torch.Generator().manual_seed(1))
    meta = trainer.meta_population(eps)
    meta[0:2] *= 1000.0  # pair 0's rule takes enormous steps: its loss explodes by the first evaluation
    result = trainer.unroll(meta, torch.tensor([8, 8]))
    assert result.stopped.tolist() == [True, False]
    assert result.steps_run.tolist() == [trainer.settings.eval_every, 8]
    assert torch.isnan(result.outer[:2]).all() and torch.isfinite(result.outer[2:]).all()
    gradient = antithetic_es_gradient(result.outer[0::2], result.outer[1::2], eps, trainer.settings.es_std)
    alone = antithetic_es_gradient(result.outer[2:3], result.outer[3:4], eps[1:], trainer.settings.es_std)
    assert torch.equal(gradient, alone)


def test_an_iteration_in_which_every_pair_stops_leaves_theta_alone_and_restarts_them():
    trainer = tiny_trainer(1, horizon=100, truncation_start=6, truncation_end=6, es_std=1e3)
    theta = trainer.theta.clone()
    trainer.outer_step()
    row = trainer.rows[-2]
    assert row["stopped"] == 2 and row["unroll_max"] == trainer.settings.eval_every
    assert torch.equal(trainer.theta, theta) and bool((trainer.state.step == 0).all())


def test_progress_snapshots_are_kept_at_evenly_spaced_iterations():
    trainer = tiny_trainer(4, progress_points=2)
    assert trainer.settings.progress_iterations() == [0, 2, 4]
    trainer.run()
    iterations, thetas = trainer.progress_snapshots()
    assert iterations.tolist() == [0, 2, 4] and torch.equal(thetas[-1], trainer.theta)


@pytest.mark.slow
def test_killed_outer_training_resumes_identically(tmp_path):
    uninterrupted = tiny_trainer(4, horizon=5)
    full = uninterrupted.run()
    killed = tiny_trainer(4, horizon=5)
    killed.outer_step()
    killed.outer_step()
    save_checkpoint(tmp_path / "outer.pt", killed.checkpoint())  # what the run wrote before it was killed
    resumed = tiny_trainer(4, horizon=5)
    curve = resumed.run(tmp_path / "outer.pt")
    assert torch.equal(resumed.theta, uninterrupted.theta)
    assert curve.drop(columns="seconds").equals(full.drop(columns="seconds"))
    assert full["horizon_resets"].sum() > 0 and set(full["target"]) == {"outer", "fog"}
    assert torch.equal(resumed.progress_snapshots()[1], uninterrupted.progress_snapshots()[1])


@pytest.mark.slow
def test_outer_training_agrees_across_population_paths():
    curves = {name: tiny_trainer(3, horizon=5, implementation=name).run() for name in ("loop", "grouped", "vmap")}
    for name in ("grouped", "vmap"):
        assert torch.allclose(torch.tensor(curves[name]["loss"].to_numpy()),
                              torch.tensor(curves["loop"]["loss"].to_numpy()), atol=1e-4), name
        assert curves[name]["unroll_mean"].equals(curves["loop"]["unroll_mean"])


def test_bad_lopt_input_gets_clear_errors():
    with pytest.raises(ValueError, match="valid noises: gaussian, corruption, clean"):
        Noise("gausian")
    with pytest.raises(UnknownNameError, match="valid names"):
        Noise("corruption", corruptions=("fogg",), severities=(1,), scale="cifar")
    with pytest.raises(ValueError, match="needs corruptions, severities and a corruption scale"):
        Noise("corruption", corruptions=("fog",))
    with pytest.raises(ValueError, match="Gaussian noise needs a scale"):
        Noise("gaussian")
    with pytest.raises(ValueError, match="truncation_start must be >= 1"):
        dataclasses.replace(outer_settings(demo_lopt(), seed=0), truncation_start=0)
    with pytest.raises(ValueError, match="horizon must be >= 1"):
        dataclasses.replace(outer_settings(demo_lopt(), seed=0), horizon=0)
    with pytest.raises(ValueError, match="unknown population implementation"):
        losses_and_grads(init_population(1, 10, torch.Generator(), torch.device("cpu")), torch.rand(1, 2, 3, 32, 32),
                         torch.zeros(1, 2, dtype=torch.long), "threads")


@pytest.mark.slow
def test_outer_training_from_a_fixed_seed_beats_its_start_on_meta_validation():
    """A start that barely moves (normalised Adam at step 1e-4): 40 ES iterations must lower the meta-validation loss
    of from-scratch runs (6 initialisations, validation images only) below theta0's by more than 2 standard errors."""
    from robopt.lopt.inner_eval import EvalSettings
    from robopt.lopt.runs import validate_snapshots

    trainer = tiny_trainer(40, horizon=12, truncation_start=4, truncation_end=4, pairs=4, meta_lr=0.05, es_std=0.05,
                           monitor=())
    trainer.theta = initial_candidates([1e-4])[0]
    theta0 = trainer.theta.clone()
    trainer.run()
    runs = [EvalSettings(steps=12, batch_size=8, log_every=12, test_images=40, curve_targets=[],
                         final_targets=[("clean", 0.0)], implementation="loop", seed=seed,
                         final_splits=("validation",)) for seed in range(6)]
    table = validate_snapshots(torch.tensor([0, 1]), torch.stack([theta0, trainer.theta]), runs, trainer.data)
    losses = table.pivot(index="init", columns="iteration", values="loss")
    gain = losses[1] - losses[0]
    assert gain.mean() < -2 * gain.std(ddof=1) / len(gain) ** 0.5, losses
