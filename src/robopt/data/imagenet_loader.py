"""Batches of ImageNet for training and evaluation, decoded from the JPEG files of an ``ImageIndex``.

Training: Inception-style random-resized crop to 224 px (area 0.08-1 of the image, aspect 3/4-4/3, 10 attempts:
torchvision's ``RandomResizedCrop`` parameters, drawn under a seed from the loader's generator) and a horizontal
flip with probability 1/2; evaluation: short side resized to 256, centre crop 224 (DAMP App. F). Follows the DAMP
reference's ``imagenet/loader_for_resnet.py`` (``_decode_and_random_crop``, ``_decode_and_center_crop``) with these
differences: bilinear antialiased resizing where the reference resizes bicubically; evaluation resizes and then
crops where the reference crops 224/256 of the short side and then resizes (the same window up to resampling);
after 10 failed crop attempts torchvision falls back to a central crop of the clamped aspect ratio where the
reference takes its padded evaluation crop. Decoding is ``torchvision.io.decode_jpeg`` on a list of files:
batched on the GPU when the loader's device is CUDA (nvJPEG), else in a thread pool on the CPU. Batches come out as
uint8 (N, 3, 224, 224) on the device with their labels; normalisation belongs to the training step, as for the data
held on the device. ``eval_resize="square"`` replaces the evaluation view by a resize of the whole image to
224 x 224 (RobustBench's ``Res224`` for corrupted images, ``robopt.data.robustbench_imagenet``). ``image_size``
scales both views (train crop ``s``, evaluation resize ``s * 8 / 7``, crop ``s``)
for fixtures and reduced runs. A data-parallel rank asks for its ``shard`` (rank, ranks): every rank draws the same
order, flips and one crop seed per image for the whole batch and decodes only the images n with n mod ranks = rank,
so the shards of all ranks are the batch one process would see. torchvision 0.29 marks its image decoders deprecated in favour of TorchCodec; they are kept
here while they ship (nvJPEG batching is theirs).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import torch

from robopt.data.imagenet import ImageIndex
from robopt.imagenet_protocol import EVAL_RESIZE, EVAL_SIZE, TRAIN_SIZE

SCALE, RATIO = (0.08, 1.0), (3 / 4, 4 / 3)


def decode(files: list[torch.Tensor], device: torch.device, pool: ThreadPoolExecutor | None) -> list[torch.Tensor]:
    """RGB (3, H, W) uint8 images of encoded files: one batched call on CUDA, threads on the CPU."""
    from torchvision.io import ImageReadMode, decode_jpeg

    if device.type == "cuda":
        return decode_jpeg(files, mode=ImageReadMode.RGB, device=device)
    if pool is None:
        return [decode_jpeg(data, mode=ImageReadMode.RGB) for data in files]
    return list(pool.map(lambda data: decode_jpeg(data, mode=ImageReadMode.RGB), files))


def train_view(image: torch.Tensor, flip: bool, seed: int, size: int = TRAIN_SIZE) -> torch.Tensor:
    """A random-resized crop of ``image`` (torchvision's parameters drawn under ``seed``), flipped if asked."""
    from torchvision.transforms import RandomResizedCrop
    from torchvision.transforms.v2 import functional as F

    with torch.random.fork_rng(devices=[]):  # torchvision draws from the global generator: give it this image's seed
        torch.manual_seed(seed)
        top, left, height, width = RandomResizedCrop.get_params(image, list(SCALE), list(RATIO))
    view = F.resized_crop(image, top, left, height, width, [size, size], antialias=True)
    return view.flip(-1) if flip else view


def eval_view(image: torch.Tensor, size: int = EVAL_SIZE) -> torch.Tensor:
    """Short side resized to 256, centre crop 224 (``size`` and ``size * 8 / 7`` for another size)."""
    from torchvision.transforms.v2 import functional as F

    resize = EVAL_RESIZE if size == EVAL_SIZE else round(size * EVAL_RESIZE / EVAL_SIZE)
    return F.center_crop(F.resize(image, [resize], antialias=True), [size, size])


def square_view(image: torch.Tensor, size: int = EVAL_SIZE) -> torch.Tensor:
    """The whole image resized to ``size`` x ``size`` whatever its aspect ratio (RobustBench's ``Res224``)."""
    from torchvision.transforms.v2 import functional as F

    return F.resize(image, [size, size], antialias=True)


#: The evaluation views by name: "crop" (short side 256, centre crop 224) and "square" (resized to 224 x 224).
EVAL_VIEWS = {"crop": eval_view, "square": square_view}


class ImageNetBatches:
    """Batches of an ``ImageIndex``: shuffled with random views for training, in order with the evaluation view
    otherwise. The same generator seed gives the same batches (orders, crops and flips)."""

    def __init__(self, index: ImageIndex, batch_size: int, train: bool, device: torch.device | str = "cpu",
                 seed: int = 0, workers: int = 4, image_size: int = TRAIN_SIZE,
                 shard: tuple[int, int] = (0, 1), eval_resize: str = "crop") -> None:
        self.index, self.batch_size, self.train = index, batch_size, train
        self.eval_view = EVAL_VIEWS[eval_resize]
        self.image_size, (self.rank, self.ranks) = image_size, shard
        self.device = torch.device(device)
        self.generator = torch.Generator().manual_seed(seed)
        self.pool = ThreadPoolExecutor(workers) if workers > 1 and self.device.type == "cpu" else None

    def __len__(self) -> int:
        whole, rest = divmod(len(self.index), self.batch_size)
        return whole if self.train else whole + bool(rest)  # training drops the last partial batch

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        from torchvision.io import read_file

        order = torch.randperm(len(self.index), generator=self.generator) if self.train else torch.arange(
            len(self.index))
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            chosen = order[start : start + self.batch_size]
            if self.train:  # drawn for the whole batch on every rank, then this rank's share kept
                flips = (torch.rand(len(chosen), generator=self.generator) < 0.5)[self.rank :: self.ranks]
                seeds = torch.randint(2**62, (len(chosen),), generator=self.generator)[self.rank :: self.ranks]
            chosen = chosen[self.rank :: self.ranks]
            files = [read_file(str(self.index.paths[k])) for k in chosen]
            images = decode(files, self.device, self.pool)
            if self.train:
                views = [train_view(image, bool(flip), int(seed), self.image_size)
                         for image, flip, seed in zip(images, flips, seeds, strict=True)]
            else:
                views = [self.eval_view(image, self.image_size) for image in images]
            yield torch.stack(views).to(self.device), self.index.labels[chosen].to(self.device)
