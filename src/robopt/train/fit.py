"""The training loop: data on the device, batched augmentation, per-epoch checkpoints and tidy history.

Data-parallel over ``torch.distributed`` ranks when launched so (``robopt.distributed``): every rank draws the same
permutation and augmentation of each whole batch (the same generator) and trains on its share, the images n with
n mod ranks = rank; the methods average gradients and synchronise BatchNorm statistics as configured, running
statistics are averaged after each step, and rank 0 writes the checkpoints. A run's numbers thus do not depend on
its world size beyond float reduction order (at the price of every rank augmenting the whole batch, a few kernels
for data held on the device), and any world size resumes any checkpoint of the same settings.

ImageNet (an ``ImageIndex`` of JPEG files instead of a split held in memory) streams through
``robopt.data.imagenet_loader``: each rank decodes only its share of each batch, the order, crops and flips drawn
from a seed per (run seed, epoch), so a run resumed after epoch e sees the batches of the uninterrupted run.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from robopt.data.augment import normalize, random_crop_flip
from robopt.data.bias import BIASED
from robopt.data.format import ImageSplit
from robopt.data.imagenet import ImageIndex
from robopt.data.splits import training_subset
from robopt.distributed import all_reduce_sum, average_buffers, barrier, current_world
from robopt.errors import ConfigError
from robopt.models import build_model
from robopt.train.base import OptimizerSettings
from robopt.train.checkpoint import fingerprint, load_checkpoint, restore_rng, rng_state, save_checkpoint
from robopt.train.methods import build_method
from robopt.train.schedule import lr_factor, warmup_cosine_factor

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)
#: Added to the run seed for a reweighting method's meta-batch sampler.
META_SEED_OFFSET = 1_000_003


@dataclass
class TrainSettings:
    """Everything one training job reads, built once from a validated config block: the dataset's shared settings
    with the variant's method, its own hyperparameters and its training corruption (``robopt.variants``)."""

    model: str
    epochs: int
    batch_size: int
    lr: float
    momentum: float
    nesterov: bool
    weight_decay: float
    optimizer_name: str  # the base optimizer: sgd or adamw
    grad_clip_norm: float  # 0 = no clipping
    weight_decay_on: str  # all or kernels
    lr_milestones: tuple[float, float]  # fractions of training where the linear decay starts and ends
    lr_final_ratio: float
    lr_schedule: str  # linear_decay (per epoch) or warmup_cosine (per step)
    warmup_epochs: float
    warmup_start_ratio: float
    crop_padding: int
    train_images: int | None  # a fixed stratified subset of the training split (None = all of it)
    mixed_precision: bool  # bf16 autocast of the forward pass, on CUDA only
    compile: bool  # torch.compile the model (GPU; the eager path is the CPU default)
    mean: list[float]
    std: list[float]
    method: str
    method_params: dict[str, Any]  # the method's own keyword arguments (sigma, sub_batches, rho, eta)
    train_corruptions: list[str]  # DAMP Alg. 2: corrupt half of each batch (empty = clean training)
    train_severities: list[int]
    corruption_scale: str  # corruption-parameter table of the dataset (from its meta.json)
    dropout: float = 0.0  # the camera-ready's Dropout baseline (ImageNet models only)
    width: int = 1  # channel multiplier of a CIFAR ResNet (resnet8/14/20/32)
    image_size: int | None = None  # ImageNet training crop / evaluation size (None = 224; smaller for fixtures)
    bias: dict[str, Any] | None = None  # a biased training set and its meta set (robopt.data.bias; None = as is)

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"epochs and batch_size must be >= 1, got {self.epochs} and {self.batch_size}")
        self.lr_milestones = tuple(self.lr_milestones)

    def lr_at(self, epoch: int, step: int, steps_per_epoch: int) -> float:
        """The learning rate of step ``step`` of epoch ``epoch`` (both from 0) under the configured schedule."""
        if self.lr_schedule == "warmup_cosine":
            progress = (epoch + step / steps_per_epoch) / self.epochs
            return self.lr * warmup_cosine_factor(progress, self.warmup_epochs / self.epochs, self.warmup_start_ratio,
                                                  self.lr_final_ratio)
        return self.lr * lr_factor(epoch / self.epochs, self.lr_milestones, self.lr_final_ratio)

    @property
    def model_options(self) -> dict[str, Any]:
        """Keyword options of ``build_model`` beyond the classes: dropout, a CIFAR ResNet's width, and the image size a
        ViT is built for."""
        from robopt.models import model_options

        options: dict[str, Any] = {"dropout": self.dropout} if self.dropout else {}
        if self.width != 1:
            options["width"] = self.width
        if self.image_size is not None and "image_size" in model_options(self.model):
            options["image_size"] = self.image_size
        return options

    @property
    def optimizer(self) -> OptimizerSettings:
        return OptimizerSettings(self.lr, self.momentum, self.nesterov, self.weight_decay, self.mixed_precision,
                                 self.optimizer_name, self.grad_clip_norm, self.weight_decay_on)

    @classmethod
    def from_config(cls, block: dict[str, Any], meta: dict[str, Any]) -> TrainSettings:
        """Build from a training job's block (``robopt.variants.training_job``) and the dataset's ``meta.json``,
        which supplies the corruption scale and the normalisation statistics the block leaves out."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(block) - names)
        if unknown:
            raise ConfigError(f"training settings got unknown key(s) {', '.join(unknown)}")
        values = {"corruption_scale": meta["corruption_scale"], **block}
        for key in ("mean", "std"):
            if not values.get(key):
                values[key] = meta[key]
        optional = {f.name for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}
        missing = sorted(names - optional - set(values))
        if missing:
            raise ConfigError(f"training settings lack key(s) {', '.join(missing)}")
        return cls(**values)


def streamed_batches(train: ImageIndex, settings: TrainSettings, seed: int, epoch: int, device: torch.device,
                     world) -> Iterator[tuple[torch.Tensor, torch.Tensor, None]]:
    """This rank's uint8 NHWC share of each batch of one ImageNet epoch, decoded from the files (no indices: a
    streamed set has no bias mask)."""
    from robopt.data.imagenet_loader import ImageNetBatches
    from robopt.imagenet_protocol import TRAIN_SIZE

    loader = ImageNetBatches(train, settings.batch_size, train=True, device=device, seed=seed * 100_003 + epoch,
                             workers=torch.get_num_threads(), image_size=settings.image_size or TRAIN_SIZE,
                             shard=(world.rank, world.size))
    for images, labels in loader:
        yield images.permute(0, 2, 3, 1), labels, None  # NHWC view, as the splits held in memory


def held_batches(train: ImageSplit, settings: TrainSettings, generator: torch.Generator, corrupt_half,
                 world) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """This rank's share of each augmented batch of one epoch of a split held on the device, with the images'
    indices in the split."""
    order = torch.randperm(len(train), generator=generator, device=train.images.device)
    shard = slice(world.rank, None, world.size)  # this rank's share of the batch
    for step in range(len(train) // settings.batch_size):
        index = order[step * settings.batch_size : (step + 1) * settings.batch_size]
        images = augment(train.images[index], settings.crop_padding, corrupt_half, generator)
        yield images[shard], train.labels[index][shard], index[shard]


def augment(images: torch.Tensor, crop_padding: int, corrupt_half, generator: torch.Generator) -> torch.Tensor:
    """A training batch's augmentation (uint8 NHWC): DAMP Alg. 2's corruption of half the batch first, then the random
    crop and flip, so the zero-padded border stays black (corrupting after the crop would corrupt it too)."""
    if corrupt_half is not None:
        images = corrupt_half(images, generator)
    if crop_padding > 0:
        images = random_crop_flip(images, crop_padding, generator)
    return images


def _history_rows(epoch: int, step: int, metrics: dict[str, float], split: str = "train") -> list[dict[str, Any]]:
    return [{"epoch": epoch, "step": step, "split": split, "metric": k, "value": v} for k, v in metrics.items()]


def fit(
    train: ImageSplit | ImageIndex,
    settings: TrainSettings,
    seed: int,
    checkpoint_path: str | Path | None = None,
    device: torch.device | str = "cpu",
) -> tuple[nn.Module, pd.DataFrame]:
    """Train ``settings.model`` with ``settings.method`` on ``train``; resume from ``checkpoint_path`` if it holds this run.

    Returns the trained model and a tidy history (epoch, step, split, metric, value).
    """
    device = torch.device(device)
    world = current_world()
    meta = None
    if isinstance(train, ImageIndex):
        if settings.bias is not None:
            raise ConfigError("a bias block (biased training set, meta set) needs a dataset held in memory")
        if settings.train_images is not None:
            train = training_subset(train, settings.train_images)
    else:
        from robopt.train.meta_set import training_and_meta_sets

        train, meta = training_and_meta_sets(train, settings.method, settings.bias, settings.train_images,
                                             settings.corruption_scale)
    torch.manual_seed(seed)
    model = build_model(settings.model, train.num_classes, **settings.model_options).to(device)
    if device.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
    trainer = build_method(settings.method, model, settings.optimizer, settings.method_params)
    log.info("%s on %s, %d images, seed %d: %s", settings.method, settings.model, len(train), seed,
             ", ".join(f"{key}={value}" for key, value in settings.method_params.items()) or "no keys of its own")
    generator = torch.Generator(device=device).manual_seed(seed)
    run_id = fingerprint({"settings": dataclasses.asdict(settings), "seed": seed, "n": len(train)})
    steps_per_epoch = len(train) // settings.batch_size  # the last partial batch is dropped, as in DAMP
    if steps_per_epoch == 0:
        raise ValueError(f"batch_size {settings.batch_size} exceeds the {len(train)} training images")
    if settings.batch_size % world.size:
        raise ValueError(f"batch_size {settings.batch_size} does not split over {world.size} ranks")

    use = getattr(trainer, "meta_set_use", None)
    if use == "meta":  # the sampler's own generator: meta batches do not shift the training batches' draws
        from robopt.train.meta_step import MetaBatches

        trainer.attach_meta_set(MetaBatches(meta, trainer.meta_batch_size, settings.mean, settings.std,
                                            settings.crop_padding, seed + META_SEED_OFFSET, device))
    stopping = None
    if use == "select":
        from robopt.train.meta_set import EarlyStopping

        stopping = EarlyStopping()

    start_epoch, history = 0, []
    state = load_checkpoint(checkpoint_path, run_id) if checkpoint_path else None
    if state is not None:
        model.load_state_dict(state["model"])
        trainer.optimizer.load_state_dict(state["optimizer"])
        restore_rng(state["rng"], generator)
        start_epoch, history = state["epoch"], state["history"]
        if hasattr(trainer, "load_state_dict"):
            trainer.load_state_dict(state["method"])
        if stopping is not None:
            stopping.load_state_dict(state["early_stopping"])
        log.info("resuming from %s after epoch %d", checkpoint_path, start_epoch)

    step_model = torch.compile(model) if settings.compile else model  # shares parameters with `model`
    streamed = isinstance(train, ImageIndex)
    if not streamed:
        train = train.to(device)
        meta = meta.to(device) if meta is not None else None
    corrupt_half = None
    if settings.train_corruptions and streamed:
        raise ConfigError("training corruptions (DAMP Alg. 2) need a dataset held in memory, not ImageNet")
    if settings.train_corruptions:  # DAMP Alg. 2; the corruption engine is imported only for these models
        from robopt.corruptions.augment import CorruptHalf

        corrupt_half = CorruptHalf(settings.train_corruptions, settings.corruption_scale, settings.train_severities)
    biased = train.extra.get(BIASED) if not streamed else None
    weight_log = None
    for epoch in range(start_epoch, settings.epochs):
        lr = settings.lr_at(epoch, 0, steps_per_epoch)  # the epoch's first (logged) learning rate
        model.train()
        started = time.perf_counter()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.long)
        batches = (streamed_batches(train, settings, seed, epoch, device, world) if streamed
                   else held_batches(train, settings, generator, corrupt_half, world))
        if biased is not None and hasattr(trainer, "last_weights"):
            from robopt.train.meta_set import WeightLog

            weight_log = WeightLog(device)
        for step, (images, targets, index) in enumerate(batches):
            for group in trainer.optimizer.param_groups:
                group["lr"] = settings.lr_at(epoch, step, steps_per_epoch)
            inputs = normalize(images, settings.mean, settings.std)
            if device.type == "cuda":
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            loss, logits = trainer.step(step_model, inputs, targets)
            if world.distributed:
                average_buffers(model, world)
            loss_sum += loss
            correct += (logits.argmax(1) == targets).sum()
            if weight_log is not None:
                weight_log.add(trainer.last_weights, biased[index])
            if streamed and (step + 1) % max(1, steps_per_epoch // 10) == 0:  # an ImageNet epoch is long
                log.info("epoch %d: step %d/%d", epoch + 1, step + 1, steps_per_epoch)
        if world.distributed:  # the whole batch's loss (mean of the ranks' means) and correct count
            loss_sum = all_reduce_sum(loss_sum, world) / world.size
            correct = all_reduce_sum(correct, world)
        seen = steps_per_epoch * settings.batch_size
        metrics = {
            "loss": float(loss_sum) / steps_per_epoch,
            "accuracy": float(correct) / seen,
            "lr": lr,
            "seconds": time.perf_counter() - started,
        }
        if not torch.isfinite(loss_sum):
            raise FloatingPointError(f"training loss became {float(loss_sum)} in epoch {epoch + 1}; lower the lr")
        if weight_log is not None:
            metrics.update(weight_log.metrics())
        if hasattr(trainer, "epoch_metrics"):
            metrics.update(trainer.epoch_metrics())
        history += _history_rows(epoch + 1, (epoch + 1) * steps_per_epoch, metrics)
        if meta is not None:
            from robopt.train.meta_set import meta_set_metrics

            meta_metrics = meta_set_metrics(model, meta, settings.mean, settings.std)
            history += _history_rows(epoch + 1, (epoch + 1) * steps_per_epoch, meta_metrics, split="meta")
            if stopping is not None:
                stopping.update(model, epoch + 1, meta_metrics["meta_accuracy"])
        log.info(
            "epoch %d/%d  loss %.4f  accuracy %.4f  lr %.4g  %.1fs",
            epoch + 1, settings.epochs, metrics["loss"], metrics["accuracy"], lr, metrics["seconds"],
        )
        if checkpoint_path and world.is_main:
            save_checkpoint(checkpoint_path, {
                "fingerprint": run_id,
                "epoch": epoch + 1,
                "model": model.state_dict(),
                "optimizer": trainer.optimizer.state_dict(),
                "rng": rng_state(generator),
                "history": history,
                "method": trainer.state_dict() if hasattr(trainer, "state_dict") else None,
                "early_stopping": stopping.state_dict() if stopping is not None else None,
            })
        barrier(world)  # no rank runs ahead of the checkpoint that a resumed run would restart from
    if stopping is not None:  # the early-stopping baseline ends at its meta-selected epoch
        model.load_state_dict(stopping.best_state)
        history += _history_rows(settings.epochs, settings.epochs * steps_per_epoch,
                                 {"selected_epoch": stopping.best_epoch}, split="meta")
        log.info("early stopping on the meta set: epoch %d (meta accuracy %.4f)", stopping.best_epoch,
                 stopping.best_accuracy)
    import pandas as pd  # where used: the job starts training without it

    return model, pd.DataFrame(history, columns=["epoch", "step", "split", "metric", "value"])
