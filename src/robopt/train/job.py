"""One training job from files to files, on however many ranks it was started with (``robopt.distributed``)."""

from __future__ import annotations

from typing import Any

from robopt.distributed import join_world, leave_world


def train_to_files(*, train: str, meta: str, block: dict[str, Any], seed: int, checkpoint: str | None,
                   device: str, threads: int, labels: dict[str, Any], model_path: str, history_path: str) -> None:
    """Train ``block``'s variant on the split ``train`` (a cached split, or an ImageNet index streamed from its
    files; its ``meta.json`` beside it); rank 0 writes the model and the
    tidy history (with ``labels`` and ``seed`` first)."""
    from robopt.data import load_meta, load_training_data
    from robopt.io import prepend_columns, write_csv
    from robopt.models import save_trained
    from robopt.runtime import make_deterministic
    from robopt.train.fit import TrainSettings, fit

    world, where = join_world(device)
    make_deterministic(threads)
    metadata = load_meta(meta)
    settings = TrainSettings.from_config(dict(block), metadata)
    model, history = fit(load_training_data(train), settings, seed, checkpoint, where)
    if world.is_main:
        prepend_columns(history, {**labels, "seed": seed})
        save_trained(model, settings.model, metadata["num_classes"], settings.mean, settings.std, model_path,
                     settings.model_options)
        write_csv(history, history_path)
    leave_world()
