"""Turn the validated ``lopt`` config block into outer-training settings, noises and evaluation targets."""

from __future__ import annotations

from typing import Any

from robopt.data.prepare import CORRUPTION_SCALE
from robopt.lopt.inner_eval import EvalSettings, Target
from robopt.lopt.objectives import Noise
from robopt.lopt.outer import OuterSettings


def noise_of_kind(lopt: dict[str, Any], kind: str, sigma: float = 0.05) -> Noise:
    mix = lopt["corruption_mix"]
    return Noise(kind, sigma=sigma, corruptions=tuple(mix["train"]) if kind == "corruption" else (),
                 severities=tuple(mix.get("severities", (1, 2, 3))), scale=CORRUPTION_SCALE[lopt["dataset"]])


def objective_noise(lopt: dict[str, Any], experiment: str) -> Noise:
    """The noise of the outer objective of ``experiment``."""
    spec = lopt["experiments"][experiment]
    return noise_of_kind(lopt, spec["objective"], spec.get("sigma", 0.05))


def train_noise_kind(lopt: dict[str, Any], experiment: str) -> str:
    """Which noise the experiment's 'noised' inner-training runs use (gaussian or corruption)."""
    spec = lopt["experiments"][experiment]
    kind = spec.get("train_noise", spec["objective"])
    if kind == "clean":
        raise ValueError(f"lopt.experiments.{experiment}: set train_noise (gaussian or corruption) for a clean objective")
    return kind


def outer_settings(lopt: dict[str, Any], seed: int) -> OuterSettings:
    outer, truncation = lopt["outer"], lopt["outer"]["truncation"]
    return OuterSettings(
        iterations=outer["iterations"], pairs=outer["pairs"], batch_size=outer.get("batch_size", 128),
        truncation_start=truncation["start"], truncation_end=truncation["end"],
        truncation_ramp=truncation["ramp_iterations"], truncation_jitter=truncation.get("jitter", 0.2),
        es_std=outer.get("es_std", 0.01), meta_lr=outer.get("meta_lr", 1e-3), meta_beta1=outer.get("meta_beta1", 0.5),
        meta_clip=outer.get("meta_clip", 0.1), reset_factor=outer.get("reset_factor", 2.0),
        eval_every=outer.get("eval_every", 10), checkpoint_every=outer.get("checkpoint_every", 10),
        monitor=tuple(lopt["corruption_mix"].get("monitored", ())), implementation=lopt.get("implementation", "auto"),
        seed=seed,
    )


def evaluation_targets(lopt: dict[str, Any], kind: str, sigma: float = 0.05) -> tuple[list[Target], list[Target]]:
    """(targets logged along inner training, targets of the final test losses) for a noise ``kind``."""
    mix, evaluation = lopt["corruption_mix"], lopt["evaluation"]
    if kind == "gaussian":
        curve = [("gaussian", sigma), ("clean", 0.0)]
    else:
        curve = [(name, s) for name in mix.get("monitored", ()) for s in mix.get("severities", (1, 2, 3))]
    corruptions = list(dict.fromkeys(list(mix["train"]) + list(mix.get("heldout", ()))))
    final = [("clean", 0.0)] + [("gaussian", s) for s in evaluation["gaussian_scales"]]
    final += [(name, s) for name in corruptions for s in evaluation.get("severities", (1, 2, 3, 4, 5))]
    return curve, final


def eval_settings(lopt: dict[str, Any], kind: str, sigma: float = 0.05) -> EvalSettings:
    evaluation = lopt["evaluation"]
    curve, final = evaluation_targets(lopt, kind, sigma)
    return EvalSettings(steps=evaluation["inner_steps"], batch_size=evaluation.get("batch_size", 128),
                        log_every=evaluation.get("log_every", 100), test_images=evaluation.get("test_images", 10_000),
                        curve_targets=curve, final_targets=final, implementation=lopt.get("implementation", "auto"),
                        seed=evaluation.get("seed", 0))
