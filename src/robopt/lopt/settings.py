"""The validated ``lopt`` config block -> the typed settings of each learned-optimizer job, built once per job.

Which keys each stage reads lives here (``stage_params``), so that a change to an evaluation setting does not rerun
outer-training (Snakemake reruns a job whose params changed). Experiments are told apart by their ``objective``,
never by their name. Every default is the schema's: the block arrives validated with defaults filled in.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from robopt.errors import ConfigError
from robopt.lopt.inner_eval import EvalSettings, Target
from robopt.lopt.objectives import Noise
from robopt.lopt.outer import OuterSettings

#: Keys every learned-optimizer job reads.
SHARED_KEYS = ("dataset", "validation_fraction", "split_seed", "downsample", "device", "implementation",
               "corruption_mix")
STAGES = ("outer", "evaluate", "adam", "select", "theta0", "verdict")
#: Evaluation keys only the verdict stage reads (a change to them reruns nothing else).
VERDICT_ONLY = ("inits",)


def train_noise_kind(spec: dict[str, Any]) -> str:
    """Which noise an experiment's 'noised' inner-training runs use (gaussian or corruption)."""
    return spec.get("train_noise", spec["objective"])


def noise_kinds(lopt: dict[str, Any]) -> list[str]:
    """The noise kinds of the noised inner-training runs: one Adam baseline job each."""
    return sorted({train_noise_kind(spec) for spec in lopt["experiments"].values()})


def experiments_with_noise(lopt: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in lopt["experiments"].items() if train_noise_kind(spec) == kind}


def check_lopt(lopt: dict[str, Any]) -> None:
    """Cross-key checks of a validated ``lopt`` block; raise naming the key."""
    for name, spec in lopt["experiments"].items():
        if train_noise_kind(spec) == "clean":
            raise ConfigError(f"lopt.experiments.{name}: set train_noise (gaussian or corruption) for a clean objective")
    sigmas = {spec["sigma"] for spec in experiments_with_noise(lopt, "gaussian").values()}
    if len(sigmas) > 1:
        raise ConfigError("lopt.experiments: the experiments inner-trained on Gaussian noise must share one sigma "
                          f"(one Adam baseline serves them all), got {sorted(sigmas)}")


def stage_params(lopt: dict[str, Any], stage: str, name: str) -> dict[str, Any]:
    """The part of the ``lopt`` block one job of ``stage`` reads; ``name`` is the experiment (outer, evaluate) or
    the noise kind (adam)."""
    if stage not in STAGES:
        raise ValueError(f"unknown lopt stage {stage!r}; stages: {', '.join(STAGES)}")
    block = {key: lopt[key] for key in SHARED_KEYS}
    evaluation = lopt["evaluation"] if stage == "verdict" else {
        key: value for key, value in lopt["evaluation"].items() if key not in VERDICT_ONLY}
    if stage == "adam":  # only what sets the noise: the objective and its scale
        block["experiments"] = {experiment: {"objective": spec["objective"], "sigma": spec["sigma"]}
                                for experiment, spec in experiments_with_noise(lopt, name).items()}
        block["evaluation"] = evaluation
    elif stage == "outer":
        spec = lopt["experiments"][name]
        block["experiments"] = {name: {k: v for k, v in spec.items() if k != "train_noise"}}
        block["outer"] = lopt["outer"]
    else:
        block["experiments"] = {name: lopt["experiments"][name]}
        block["evaluation"] = evaluation
        if stage in ("select", "theta0"):
            block["selection"] = lopt["selection"]
        if stage == "theta0":
            block["theta0"] = lopt["theta0"]
    return block


def figure_params(lopt: dict[str, Any]) -> dict[str, Any]:
    """What the Metz figures read of the config: the Gaussian objective's sigma and the mix's severities."""
    gaussian = [spec["sigma"] for spec in lopt["experiments"].values() if spec["objective"] == "gaussian"]
    return {"sigma": gaussian[0] if gaussian else None, "severities": lopt["corruption_mix"]["severities"]}


def noise_of_kind(block: dict[str, Any], kind: str, sigma: float | None, scale: str) -> Noise:
    """Gaussian noise at ``sigma``, the block's corruption mix (its train corruptions), or clean; the mix's
    severities and the dataset's corruption scale ride along (the monitored corruptions use them)."""
    mix = block["corruption_mix"]
    return Noise(kind, sigma=sigma if kind == "gaussian" else None,
                 corruptions=tuple(mix["train"]) if kind == "corruption" else (),
                 severities=tuple(mix["severities"]), scale=scale)


def objective_noise(block: dict[str, Any], experiment: str, scale: str) -> Noise:
    """The noise of the outer objective of ``experiment``."""
    spec = block["experiments"][experiment]
    return noise_of_kind(block, spec["objective"], spec["sigma"], scale)


def train_noise(block: dict[str, Any], experiment: str, scale: str) -> Noise:
    """The noise of ``experiment``'s noised inner-training runs."""
    spec = block["experiments"][experiment]
    return noise_of_kind(block, train_noise_kind(spec), spec["sigma"], scale)


def adam_noise(block: dict[str, Any], kind: str, scale: str) -> Noise:
    """The noise of the Adam baseline's noised runs (an ``adam`` stage block: the experiments of this kind)."""
    sigma = next(iter(block["experiments"].values()))["sigma"]
    return noise_of_kind(block, kind, sigma, scale)


def outer_settings(block: dict[str, Any], seed: int) -> OuterSettings:
    outer, truncation = block["outer"], block["outer"]["truncation"]
    return OuterSettings(
        iterations=outer["iterations"], pairs=outer["pairs"], batch_size=outer["batch_size"],
        truncation_start=truncation["start"], truncation_end=truncation["end"],
        truncation_ramp=truncation["ramp_iterations"], truncation_jitter=truncation["jitter"],
        horizon=truncation["horizon"], stagger=outer["stagger"], progress_points=outer["progress_points"],
        es_std=outer["es_std"], meta_lr=outer["meta_lr"], meta_beta1=outer["meta_beta1"],
        meta_clip=outer["meta_clip"], reset_factor=outer["reset_factor"], eval_every=outer["eval_every"],
        checkpoint_every=outer["checkpoint_every"], monitor=tuple(block["corruption_mix"]["monitored"]),
        implementation=block["implementation"], seed=seed, estimator=outer["estimator"],
        val_batches=outer["val_batches"],
    )


def evaluation_targets(block: dict[str, Any], noise: Noise) -> tuple[list[Target], list[Target]]:
    """(targets logged along inner training, targets of the final test losses) for runs noised with ``noise``."""
    mix, evaluation = block["corruption_mix"], block["evaluation"]
    if noise.kind == "gaussian":
        curve = [("gaussian", noise.sigma), ("clean", 0.0)]
    else:
        curve = [(name, s) for name in mix["monitored"] for s in mix["severities"]]
    corruptions = list(dict.fromkeys([*mix["train"], *mix["heldout"]]))
    final = [("clean", 0.0)] + [("gaussian", s) for s in evaluation["gaussian_scales"]]
    final += [(name, s) for name in corruptions for s in evaluation["severities"]]
    return curve, final


def progress_settings(block: dict[str, Any], experiment: str) -> EvalSettings:
    """Inner-training of Fig. 1a's progress runs: the evaluation runs' length, batches and test images, scored only at
    the end, on the test images under the objective's Gaussian noise."""
    spec = block["experiments"][experiment]
    if spec["objective"] != "gaussian":
        raise ConfigError(f"lopt.experiments.{experiment}: progress runs (Fig. 1a) need a gaussian objective, "
                          f"got {spec['objective']!r}")
    target = [("gaussian", spec["sigma"])]
    settings = eval_settings(block, objective_noise(block, experiment, scale=""))
    return dataclasses.replace(settings, log_every=settings.steps, curve_targets=target, final_targets=target)


def objective_targets(block: dict[str, Any], experiment: str) -> list[Target]:
    """The noises whose validation loss the outer objective of ``experiment`` averages: its Gaussian scale, every
    (train corruption, severity) of the mix, or clean images."""
    spec, mix = block["experiments"][experiment], block["corruption_mix"]
    if spec["objective"] == "gaussian":
        return [("gaussian", spec["sigma"])]
    if spec["objective"] == "corruption":
        return [(name, severity) for name in mix["train"] for severity in mix["severities"]]
    return [("clean", 0.0)]


def selection_settings(block: dict[str, Any], experiment: str) -> list[EvalSettings]:
    """Meta-validation runs of a ``select`` stage block: one per inner initialisation, the evaluation runs' length
    and batches on clean training images, scored once at the end on the validation images only (never the test
    set) under the objective's noises."""
    targets = objective_targets(block, experiment)
    base = eval_settings(block, Noise("clean"))  # its targets are replaced below
    return [dataclasses.replace(base, log_every=base.steps, curve_targets=[], final_targets=targets,
                                final_splits=("validation",), seed=base.seed + k)
            for k in range(block["selection"]["inits"])]


def verdict_runs(block: dict[str, Any], experiment: str) -> list[EvalSettings]:
    """The verdict runs of a Gaussian-objective experiment (``robopt.lopt.compare``): ``evaluation.inits``
    initialisations scored at the end under the objective's noise."""
    from robopt.lopt.compare import comparison_runs

    spec = block["experiments"][experiment]
    if spec["objective"] != "gaussian":
        raise ConfigError(f"lopt.experiments.{experiment}: the verdict runs need a gaussian objective, "
                          f"got {spec['objective']!r}")
    base = eval_settings(block, objective_noise(block, experiment, scale=""))
    return comparison_runs(base, ("gaussian", spec["sigma"]), block["evaluation"]["inits"])


def progress_experiments(lopt: dict[str, Any]) -> list[str]:
    """The experiments whose outer-training progress Fig. 1a shows: those with a Gaussian objective."""
    return [name for name, spec in lopt["experiments"].items() if spec["objective"] == "gaussian"]


def eval_settings(block: dict[str, Any], noise: Noise) -> EvalSettings:
    """Inner-training settings of the evaluation runs whose noised runs use ``noise``."""
    evaluation = block["evaluation"]
    curve, final = evaluation_targets(block, noise)
    return EvalSettings(steps=evaluation["inner_steps"], batch_size=evaluation["batch_size"],
                        log_every=evaluation["log_every"], test_images=evaluation["test_images"],
                        curve_targets=curve, final_targets=final, implementation=block["implementation"],
                        seed=evaluation["seed"])
