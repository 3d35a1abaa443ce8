"""ImageNet batches: views, labels that stay with their images, determinism, the evaluation view as torchvision's."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from robopt.data.imagenet import read_imagenet_index
from robopt.data.imagenet_loader import ImageNetBatches

COLOURS = [(220, 30, 30), (30, 220, 30), (30, 30, 220)]  # one flat colour per class: a view's mean names its class


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("imagenet")
    for k, colour in enumerate(COLOURS):
        for i in range(5):
            for split in ("train", "val"):
                path = root / split / f"n0000000{k}" / f"{split}_{k}_{i}.JPEG"
                path.parent.mkdir(parents=True, exist_ok=True)
                pixels = np.broadcast_to(np.array(colour, np.uint8), (60 + 4 * i, 80, 3)).copy()
                Image.fromarray(pixels).save(path, quality=95)
    return read_imagenet_index(root)


def class_of_views(images: torch.Tensor) -> list[int]:
    means = images.float().mean(dim=(2, 3))
    colours = torch.tensor(COLOURS, dtype=torch.float)
    return torch.cdist(means, colours).argmin(1).tolist()


def test_training_batches_are_random_views_with_their_labels(index):
    batches = ImageNetBatches(index["train"], batch_size=4, train=True, seed=0, workers=2)
    assert len(batches) == 3  # 15 images: the partial batch is dropped
    seen = []
    for images, labels in batches:
        assert images.shape == (4, 3, 224, 224) and images.dtype == torch.uint8
        assert class_of_views(images) == labels.tolist()
        seen += labels.tolist()
    assert len(seen) == 12 and seen != sorted(seen)


def test_same_seed_same_batches(index):
    first = [b for b, _ in ImageNetBatches(index["train"], 5, train=True, seed=3)]
    again = [b for b, _ in ImageNetBatches(index["train"], 5, train=True, seed=3)]
    other = [b for b, _ in ImageNetBatches(index["train"], 5, train=True, seed=4)]
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True))


def test_evaluation_view_is_resize_256_centre_crop_224(index):
    from torchvision import transforms

    batches = ImageNetBatches(index["test"], batch_size=6, train=False)
    assert len(batches) == 3
    images, labels = next(iter(batches))
    assert labels.tolist() == [0, 0, 0, 0, 0, 1]
    reference = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.PILToTensor()])
    expected = torch.stack([reference(Image.open(path).convert("RGB")) for path in index["test"].paths[:6]])
    assert (images.int() - expected.int()).abs().max() <= 2  # tensor vs PIL resampling of one JPEG


def test_the_shards_of_two_ranks_are_the_one_process_batch(index):
    whole = list(ImageNetBatches(index["train"], 6, train=True, seed=5, image_size=64))
    shards = [list(ImageNetBatches(index["train"], 6, train=True, seed=5, image_size=64, shard=(rank, 2)))
              for rank in range(2)]
    for step, (images, labels) in enumerate(whole):
        assert images.shape == (6, 3, 64, 64)
        for rank in range(2):
            assert torch.equal(shards[rank][step][0], images[rank::2])
            assert torch.equal(shards[rank][step][1], labels[rank::2])
