"""One outer-training job from files to files, on however many ranks it was started with (``robopt.distributed``)."""

from __future__ import annotations

from typing import Any

from robopt.distributed import join_world, leave_world


def outer_train_to_files(*, block: dict[str, Any], experiment: str, seed: int, train: str, meta: str,
                         theta0: str, checkpoint: str | None, threads: int, curve_path: str, theta_path: str) -> None:
    """Outer-train seed ``seed`` of ``experiment`` from the initial rule in ``theta0`` (``lopt_theta0``'s file);
    rank 0 writes the curve and theta (with its snapshots)."""
    import torch

    from robopt.io import save_torch, write_csv
    from robopt.lopt.runs import load_inner_data, outer_train
    from robopt.lopt.settings import objective_noise, outer_settings
    from robopt.runtime import make_deterministic

    world, device = join_world(block["device"])
    make_deterministic(threads)
    data, scale = load_inner_data(block, train, meta, device)
    labels = {"experiment": experiment, "objective": block["experiments"][experiment]["objective"], "seed": seed}
    initial = torch.load(theta0, map_location="cpu", weights_only=True)["theta0"]
    result, curve = outer_train(outer_settings(block, seed), objective_noise(block, experiment, scale), data,
                                initial, checkpoint, labels)
    if world.is_main:
        write_csv(curve, curve_path)
        save_torch({**result, "experiment": experiment, "seed": seed, "lopt": block}, theta_path)
    leave_world()
