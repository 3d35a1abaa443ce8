"""robopt's corruptions against the reference package ``imagecorruptions`` at ImageNet scale (224 px).

At 224 px the package's constants are the original ones, so deterministic corruptions must agree pixel for
pixel (mean absolute difference in 0..255 levels) and stochastic ones in distribution. docs/corruptions.md
lists the tolerance reached per corruption and where the package itself departs from the original scripts.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from robopt.corruptions import corrupt_batch, make_generator
from robopt.data.synthetic import generate_synthetic

pytestmark = pytest.mark.slow  # every corruption against imagecorruptions

imagecorruptions = pytest.importorskip("imagecorruptions")


DETERMINISTIC = {
    "brightness": 0.25,
    "contrast": 0.25,
    "saturate": 0.25,
    "defocus_blur": 0.25,
    "gaussian_blur": 0.25,
    "zoom_blur": 0.25,
    "pixelate": 0.25,
    "jpeg_compression": 0.25,
}


PIXEL_NOISE = ["gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise"]


IMAGE_LEVEL = ["glass_blur", "motion_blur", "snow", "spatter"]


@pytest.fixture(scope="module")
def photos() -> np.ndarray:
    """Natural-looking 224 px images: synthetic 32 px scenes upsampled bicubically (no dataset needed)."""
    small = generate_synthetic(16, seed=3).images.numpy()
    return np.stack([np.asarray(Image.fromarray(image).resize((224, 224), Image.BICUBIC)) for image in small])


def reference(photos: np.ndarray, name: str, severity: int) -> np.ndarray:
    np.random.seed(severity)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.stack([imagecorruptions.corrupt(p, severity=severity, corruption_name=name) for p in photos])


def ours(photos: np.ndarray, name: str, severity: int) -> np.ndarray:
    return corrupt_batch(torch.from_numpy(photos), name, severity, "imagenet", make_generator(severity, "cpu")).numpy()


@pytest.mark.parametrize("severity", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_deterministic_corruptions_match_the_package(photos, name, severity):
    difference = np.abs(ours(photos, name, severity).astype(float) - reference(photos, name, severity))
    assert difference.mean() <= DETERMINISTIC[name], difference.mean()


@pytest.mark.parametrize("severity", [1, 3, 5])
@pytest.mark.parametrize("name", PIXEL_NOISE)
def test_pixel_noise_matches_in_distribution(photos, name, severity):
    change_ref = reference(photos, name, severity).astype(float) - photos
    change_ours = ours(photos, name, severity).astype(float) - photos
    for channel in range(3):
        ref, mine = change_ref[..., channel], change_ours[..., channel]
        assert abs(mine.std() - ref.std()) <= 0.03 * ref.std()
        assert abs(mine.mean() - ref.mean()) <= 0.03 * ref.std()


@pytest.mark.parametrize("severity", [1, 3, 5])
@pytest.mark.parametrize("name", IMAGE_LEVEL)
def test_image_level_randomness_matches_in_distribution(photos, name, severity):
    change_ref = reference(photos, name, severity).astype(float) - photos
    change_ours = ours(photos, name, severity).astype(float) - photos
    scale = max(change_ref.std(), 1.0)
    assert abs(change_ours.std() - change_ref.std()) <= 0.25 * scale
    assert abs(change_ours.mean() - change_ref.mean()) <= 0.25 * scale


@pytest.mark.parametrize("decay", [2.0, 1.4])
def test_fog_maps_match_in_distribution(decay):
    """Fog is the image plus a scaled plasma fractal; one map per image, so compare the maps over many draws."""
    from imagecorruptions.corruptions import plasma_fractal as package_plasma

    from robopt.corruptions.weather import plasma_fractal

    np.random.seed(0)
    expected = np.stack([package_plasma(256, decay)[:224, :224] for _ in range(100)])
    mine = plasma_fractal(100, 256, decay, make_generator(0, "cpu"), torch.device("cpu"))[:, :224, :224].numpy()
    assert abs(mine.mean() - expected.mean()) < 0.03
    assert abs(mine.std() - expected.std()) < 0.03
    assert abs(mine.mean((1, 2)).std() - expected.mean((1, 2)).std()) < 0.04


def test_elastic_warp_equals_opencv_and_scipy():
    """The package's elastic transform is a different scheme; ours follows the scripts, so check its two parts."""
    cv2 = pytest.importorskip("cv2")
    from scipy.ndimage import map_coordinates

    from robopt.corruptions.geometric import affine_from_points, sample

    image = generate_synthetic(1, seed=0).images[0].numpy().astype(np.float32) / 255
    rng = np.random.default_rng(0)
    points = np.float32([[26, 26], [26, 6], [6, 6]])
    moved = (points + rng.uniform(-2.56, 2.56, size=points.shape)).astype(np.float32)
    expected = cv2.warpAffine(image, cv2.getAffineTransform(points, moved), (32, 32), borderMode=cv2.BORDER_REFLECT_101)
    inverse = affine_from_points(torch.tensor(moved, dtype=torch.float64)[None], torch.tensor(points, dtype=torch.float64)[None])
    rows, cols = torch.meshgrid(torch.arange(32.0, dtype=torch.float64), torch.arange(32.0, dtype=torch.float64), indexing="ij")
    source = (inverse @ torch.stack([cols, rows, torch.ones_like(rows)]).reshape(3, -1)).reshape(1, 2, 32, 32)
    planes = torch.from_numpy(image).permute(2, 0, 1)[None]
    warped = sample(planes, source[:, 0], source[:, 1], corners_aligned=True)[0].permute(1, 2, 0).numpy()
    assert np.abs(warped - expected).max() * 255 < 0.01

    dx, dy = (rng.uniform(-3, 3, (32, 32)).astype(np.float32) for _ in range(2))
    x, y, z = np.meshgrid(np.arange(32), np.arange(32), np.arange(3))
    indices = (y + dy[..., None]).reshape(-1, 1), (x + dx[..., None]).reshape(-1, 1), z.reshape(-1, 1)
    expected = map_coordinates(image, indices, order=1, mode="reflect").reshape(image.shape)
    col_grid, row_grid = cols.float(), rows.float()
    shifted = sample(planes, (col_grid + torch.from_numpy(dx))[None], (row_grid + torch.from_numpy(dy))[None], False)
    assert np.abs(shifted[0].permute(1, 2, 0).numpy() - expected).max() * 255 < 0.01


@pytest.mark.parametrize("quality", [80, 40])
def test_jpeg_equals_pil_at_cifar_scale(quality):
    images = generate_synthetic(16, seed=1).images
    buffers = []
    for image in images.numpy():
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, "JPEG", quality=quality)
        buffers.append(np.asarray(Image.open(buffer)))
    from robopt.corruptions.compression import jpeg_compression

    mine = torch.round(jpeg_compression(images.float() / 255, quality) * 255).to(torch.uint8)
    assert np.abs(mine.numpy().astype(int) - np.stack(buffers)).mean() <= 0.05


@pytest.mark.parametrize("factor", [0.95, 0.65])
def test_pixelate_equals_pil_box_at_cifar_scale(factor):
    images = generate_synthetic(16, seed=2).images
    side = int(32 * factor)
    expected = np.stack(
        [np.asarray(Image.fromarray(i).resize((side, side), Image.BOX).resize((32, 32), Image.BOX)) for i in images.numpy()]
    )
    mine = corrupt_batch(images, "pixelate", [0.95, 0.9, 0.85, 0.75, 0.65].index(factor) + 1, "cifar", make_generator(0, "cpu"))
    assert np.abs(mine.numpy().astype(int) - expected).mean() <= 0.05
