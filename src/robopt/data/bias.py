"""Biased training sets for meta-reweighting (L2RW, Meta-Weight-Net): a trusted meta set carved from the training
split, then long-tailed class sizes, then label noise, then the ``train_images`` subset, then corrupted copies.

Follows Meta-Weight-Net's data code (github xjtushujun/meta-weight-net ``load_corrupted_data.py``: a meta set
stratified by class, carved before the noise; ``uniform`` noise = transition matrix r/K + (1-r) I, ``flip`` = with
probability r to one other class, drawn per class) and its class-imbalance repository (class sizes
n_c = floor(n_max * IF^(-c/(K-1)))). Where it differs: the noise is applied to exactly round(r * n_c) images of each
class (the reference draws each image's label from the transition matrix, so the count varies with the seed); under
``uniform`` the new label is drawn from all K classes, so about r (K-1)/K of the labels change, as in the reference.
Every draw comes from ``bias.seed``, apart from the training seed: every seed and method of a config sees the same
biased set. The ``biased`` mask (in ``ImageSplit.extra``) marks images whose label was changed or that are
corrupted copies, so training can log the mean weight given to biased and clean examples.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import torch

from robopt.data.format import ImageSplit
from robopt.errors import ConfigError

#: The ``ImageSplit.extra`` key of the mask of biased (noisy-label or corrupted) training images.
BIASED = "biased"
NOISE_KINDS = ("uniform", "flip")
#: Training images per class of the official releases (all balanced), for the meta-set check before any job.
TRAIN_IMAGES_PER_CLASS = {"cifar10": 5000, "cifar100": 500, "tinyimagenet": 500}


@dataclass(frozen=True)
class BiasedData:
    """A biased training split (with its ``biased`` mask) and the meta set carved from the same training split."""

    train: ImageSplit
    meta: ImageSplit


def check_bias(bias: dict[str, Any], where: str) -> None:
    """Values a schema cannot judge alone, each named by its key (the schema already bounds them)."""
    rate = bias["label_noise"]["rate"]
    if not 0 <= rate < 1:
        raise ConfigError(f"{where}.label_noise.rate = {rate}: a rate in [0, 1) is needed")
    if bias["imbalance"] < 1:
        raise ConfigError(f"{where}.imbalance = {bias['imbalance']}: an imbalance factor >= 1 is needed")
    if bias["meta_set"]["per_class"] < 0:
        raise ConfigError(f"{where}.meta_set.per_class = {bias['meta_set']['per_class']}: must be >= 0")
    copies = bias["corrupted_copies"]
    if copies["fraction"] > 0 and not copies["corruptions"]:
        raise ConfigError(f"{where}.corrupted_copies.fraction = {copies['fraction']} needs "
                          f"{where}.corrupted_copies.corruptions")


def check_meta_set_size(bias: dict[str, Any], per_class_available: int | None, where: str) -> None:
    """The meta set must leave training images in every class (known before any job for the official datasets)."""
    per_class = bias["meta_set"]["per_class"]
    if per_class_available is not None and per_class >= per_class_available:
        raise ConfigError(f"{where}.meta_set.per_class = {per_class} leaves no training image: the dataset has "
                          f"{per_class_available} training images per class")


def check_held_out(bias: dict[str, Any], test_corruptions: list[str], where: str) -> None:
    """A corrupted meta set uses corruptions held out from the test columns (selecting on a test corruption would
    select on the test set)."""
    shared = sorted(set(bias["meta_set"]["corruptions"]) & set(test_corruptions))
    if shared:
        raise ConfigError(f"{where}.meta_set.corruptions shares {', '.join(shared)} with corruptions.names: a "
                          "meta set must be corrupted with corruptions held out from the test columns")


def class_members(labels: torch.Tensor, generator: torch.Generator) -> list[torch.Tensor]:
    """Per class, the indices of its images in a seeded random order."""
    members = []
    for cls in range(int(labels.max()) + 1):
        index = torch.nonzero(labels == cls).flatten()
        members.append(index[torch.randperm(len(index), generator=generator)])
    return members


def carve_meta_set(labels: torch.Tensor, per_class: int, generator: torch.Generator,
                   where: str = "bias") -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (rest, meta): ``per_class`` random images of every class go to the meta set."""
    members = class_members(labels, generator)
    smallest = min(len(m) for m in members)
    if per_class >= smallest:
        raise ConfigError(f"{where}.meta_set.per_class = {per_class} leaves no training image of the smallest "
                          f"class ({smallest} images)")
    meta = torch.cat([m[:per_class] for m in members])
    rest = torch.cat([m[per_class:] for m in members])
    return torch.sort(rest).values, torch.sort(meta).values


def long_tail_sizes(largest: int, classes: int, factor: float) -> list[int]:
    """n_c = floor(n_max * IF^(-c/(K-1))) for c = 0..K-1 (Meta-Weight-Net's class-imbalance code)."""
    return [int(largest * factor ** (-c / (classes - 1))) for c in range(classes)]


def imbalance(labels: torch.Tensor, factor: float, generator: torch.Generator) -> torch.Tensor:
    """Sorted indices of a long-tailed subset: class c keeps the first n_c of a seeded order (n_max = the smallest
    class, so every class can give its share)."""
    members = class_members(labels, generator)
    sizes = long_tail_sizes(min(len(m) for m in members), len(members), factor)
    return torch.sort(torch.cat([m[:size] for m, size in zip(members, sizes, strict=True)])).values


def noisy_labels(labels: torch.Tensor, classes: int, kind: str, rate: float,
                 generator: torch.Generator) -> torch.Tensor:
    """Labels with exactly round(rate * n_c) images of each class relabelled: ``uniform`` draws the new label from
    all classes, ``flip`` moves them to one other class per class (drawn once)."""
    if kind not in NOISE_KINDS:
        raise ConfigError(f"unknown label noise {kind!r}; valid: {', '.join(NOISE_KINDS)}")
    noisy = labels.clone()
    flip_to = (torch.arange(classes) + torch.randint(1, classes, (classes,), generator=generator)) % classes
    for cls, members in enumerate(class_members(labels, generator)):
        chosen = members[: int(round(rate * len(members)))]
        if kind == "uniform":
            noisy[chosen] = torch.randint(0, classes, (len(chosen),), generator=generator)
        else:
            noisy[chosen] = flip_to[cls]
    return noisy


def corrupt_each(images: torch.Tensor, corruptions: list[str], severities: list[int], scale: str,
                 generator: torch.Generator) -> torch.Tensor:
    """Every image corrupted with a (corruption, severity) drawn uniformly for it from the lists, one batched call
    per drawn pair."""
    from robopt.corruptions.engine import corrupt_batch

    pairs = torch.randint(0, len(corruptions) * len(severities), (len(images),), generator=generator)
    out = images.clone()
    for pair in torch.unique(pairs).tolist():
        chosen = torch.nonzero(pairs == pair).flatten()
        corruption, severity = corruptions[pair // len(severities)], severities[pair % len(severities)]
        out[chosen] = corrupt_batch(images[chosen], corruption, severity, scale, generator)
    return out


def corrupted_copies(train: ImageSplit, copies: dict[str, Any], scale: str, generator: torch.Generator) -> ImageSplit:
    """The clean pool plus a corrupted copy of a random ``fraction`` of it (marked biased), so that a reweighting
    method has examples to weight up or down."""
    count = int(round(copies["fraction"] * len(train)))
    chosen = torch.randperm(len(train), generator=generator)[:count]
    corrupted = corrupt_each(train.images[chosen], copies["corruptions"], copies["severities"], scale, generator)
    copied = ImageSplit(corrupted, train.labels[chosen], train.class_names, {BIASED: torch.ones(count, dtype=torch.bool)})
    return concatenate(train, copied)


def concatenate(first: ImageSplit, second: ImageSplit) -> ImageSplit:
    """The images of ``first`` then ``second``, with their ``biased`` masks."""
    return ImageSplit(torch.cat([first.images, second.images]), torch.cat([first.labels, second.labels]),
                      first.class_names, {BIASED: torch.cat([first.extra[BIASED], second.extra[BIASED]])})


def bias_training_set(train: ImageSplit, bias: dict[str, Any], train_images: int | None, scale: str,
                      where: str = "bias") -> BiasedData:
    """The biased training split and the meta set, in the documented order: meta set, imbalance, label noise,
    ``train_images``, corrupted copies."""
    from robopt.data.splits import training_subset

    check_bias(bias, where)
    generator = torch.Generator().manual_seed(bias["seed"])
    labels = train.labels.cpu()
    rest, meta_index = carve_meta_set(labels, bias["meta_set"]["per_class"], generator, where)
    meta = train.subset(meta_index)
    if bias["meta_set"]["corruptions"]:
        meta = dataclasses.replace(meta, images=corrupt_each(meta.images, bias["meta_set"]["corruptions"],
                                                             bias["meta_set"]["severities"], scale, generator))
    pool = train.subset(rest)
    if bias["imbalance"] > 1:
        pool = pool.subset(imbalance(pool.labels, bias["imbalance"], generator))
    noise = bias["label_noise"]
    observed = noisy_labels(pool.labels, pool.num_classes, noise["kind"], noise["rate"], generator)
    pool = ImageSplit(pool.images, observed, pool.class_names, {BIASED: observed != pool.labels})
    if train_images is not None:
        pool = training_subset(pool, train_images)
    if bias["corrupted_copies"]["fraction"] > 0:
        pool = corrupted_copies(pool, bias["corrupted_copies"], scale, generator)
    return BiasedData(pool, meta)


def unbiased(train: ImageSplit) -> ImageSplit:
    """``train`` with an all-clean ``biased`` mask (a run without a bias block)."""
    return dataclasses.replace(train, extra={**train.extra, BIASED: torch.zeros(len(train), dtype=torch.bool)})


def bias_labels(bias: dict[str, Any] | None) -> dict[str, Any]:
    """The tidy columns that say how a training set was biased (label_noise, noise_rate, imbalance, meta_set)."""
    from robopt.evaluate.aggregate import UNBIASED

    if not bias:
        return dict(UNBIASED)
    meta = bias["meta_set"]
    return {"label_noise": bias["label_noise"]["kind"] if bias["label_noise"]["rate"] > 0 else "none",
            "noise_rate": float(bias["label_noise"]["rate"]), "imbalance": float(bias["imbalance"]),
            "meta_set": ("corrupted" if meta["corruptions"] else "clean") if meta["per_class"] else "none"}


def bias_words(bias: dict[str, Any] | None) -> str:
    """The bias block in words, for captions: 'uniform label noise 40%, meta set 50 clean images per class'."""
    if not bias:
        return "none"
    parts = []
    noise = bias["label_noise"]
    if noise["rate"] > 0:
        parts.append(f"{noise['kind']} label noise {100 * noise['rate']:g}%")
    if bias["imbalance"] > 1:
        parts.append(f"imbalance factor {bias['imbalance']:g}")
    copies = bias["corrupted_copies"]
    if copies["fraction"] > 0:
        parts.append(f"corrupted copies of {100 * copies['fraction']:g}% of the images ({', '.join(copies['corruptions'])})")
    meta = bias["meta_set"]
    kind = f"corrupted with {', '.join(meta['corruptions'])}" if meta["corruptions"] else "clean"
    parts.append(f"meta set {meta['per_class']} {kind} images per class")
    return ", ".join(parts)
