"""Weather corruptions (snow, frost, fog, spatter) on float NHWC batches in [0, 1].

Random layers are drawn for the whole batch from the caller's generator. The water-spatter edge map
(OpenCV Canny, distance transform, histogram equalisation) has no batched equivalent; it is computed
per image with OpenCV exactly as the original scripts do, everything else is batched in torch.
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources

import numpy as np
import torch

from robopt.corruptions.blur import motion_blur_layers, to_nhwc
from robopt.corruptions.filters import clipped_zoom_matrix, gaussian_blur_nchw

# The original scripts draw the texture with randint(5), so the sixth bundled texture is never used.
FROST_TEXTURES = ("frost1.png", "frost2.png", "frost3.png", "frost4.jpg", "frost5.jpg")
WATER_RGB = (175 / 255, 238 / 255, 238 / 255)
MUD_RGB = (63 / 255, 42 / 255, 20 / 255)


def grey(x: torch.Tensor) -> torch.Tensor:
    """OpenCV RGB -> grey weights (0.299, 0.587, 0.114), keeping a channel axis."""
    weights = torch.tensor([0.299, 0.587, 0.114], dtype=x.dtype, device=x.device)
    return (x * weights).sum(-1, keepdim=True)


def snow(x: torch.Tensor, parameter: list[float], generator: torch.Generator) -> torch.Tensor:
    """Falling snow: a thresholded, zoomed, motion-blurred noise layer added twice (and rotated), over a greyed image."""
    mean, std, zoom, threshold, radius, sigma, keep = parameter
    n, h, w, _ = x.shape
    layer = mean + std * torch.randn((n, h, w), generator=generator, device=x.device, dtype=x.dtype)
    rows = clipped_zoom_matrix(h, zoom).to(layer)
    cols = clipped_zoom_matrix(w, zoom).to(layer)
    layer = rows @ layer @ cols.T
    layer = torch.where(layer < threshold, 0.0, layer).clamp(0.0, 1.0)
    angles = torch.rand(n, generator=generator, device=x.device, dtype=torch.float64) * 90.0 - 135.0
    layer = motion_blur_layers(layer[..., None], int(radius), float(sigma), angles)
    layer = torch.round(layer * 255.0) / 255.0
    x = keep * x + (1 - keep) * torch.maximum(x, grey(x) * 1.5 + 0.5)
    return x + layer + layer.flip(1, 2)


@cache
def frost_textures(texture_scale: float) -> tuple[torch.Tensor, ...]:
    """The bundled frost textures of the ``imagecorruptions`` package as RGB uint8, rescaled as the scripts do."""
    import cv2

    folder = resources.files("imagecorruptions").joinpath("frost")
    textures = []
    for name in FROST_TEXTURES:
        with resources.as_file(folder.joinpath(name)) as path:
            bgr = cv2.imread(str(path))
        if texture_scale != 1:
            bgr = cv2.resize(bgr, (0, 0), fx=texture_scale, fy=texture_scale)
        textures.append(torch.from_numpy(np.ascontiguousarray(bgr[..., ::-1])))
    return tuple(textures)


def frost(
    x: torch.Tensor, parameter: tuple[float, float], generator: torch.Generator, texture_scale: float = 1.0
) -> torch.Tensor:
    """Blend with a random crop of a random frost texture: c_image * x + c_frost * texture on [0, 255]."""
    image_weight, frost_weight = parameter
    n, h, w, _ = x.shape
    textures = [t.to(x.device) for t in frost_textures(float(texture_scale))]
    choice = torch.randint(0, len(textures), (n,), generator=generator, device=x.device)
    crops = torch.empty_like(x)
    span_h, span_w = torch.arange(h, device=x.device), torch.arange(w, device=x.device)
    for index, texture in enumerate(textures):
        members = (choice == index).nonzero().flatten()
        if len(members) == 0:
            continue
        tops = torch.randint(0, texture.shape[0] - h, (len(members),), generator=generator, device=x.device)
        lefts = torch.randint(0, texture.shape[1] - w, (len(members),), generator=generator, device=x.device)
        rows = (tops[:, None] + span_h)[:, :, None]
        cols = (lefts[:, None] + span_w)[:, None, :]
        crops[members] = texture[rows, cols].to(x.dtype) / 255.0
    return image_weight * x + frost_weight * crops


def plasma_fractal(n: int, size: int, decay: float, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """Diamond-square height maps (n x size x size, each normalised to [0, 1]); size is a power of two."""
    heights = torch.zeros(n, size, size, dtype=torch.float64, device=device)
    step, wibble = size, 100.0

    def wibbled_mean(total: torch.Tensor) -> torch.Tensor:
        noise = torch.rand(total.shape, generator=generator, device=device, dtype=torch.float64) * 2 - 1
        return total / 4 + wibble * wibble * noise

    while step >= 2:
        half = step // 2
        corners = heights[:, 0::step, 0::step]
        squares = corners + corners.roll(-1, dims=1)
        squares = squares + squares.roll(-1, dims=2)
        heights[:, half::step, half::step] = wibbled_mean(squares)
        centres = heights[:, half::step, half::step]
        corners = heights[:, 0::step, 0::step]
        left = centres + centres.roll(1, dims=1) + corners + corners.roll(-1, dims=2)
        heights[:, 0::step, half::step] = wibbled_mean(left)
        top = centres + centres.roll(1, dims=2) + corners + corners.roll(-1, dims=1)
        heights[:, half::step, 0::step] = wibbled_mean(top)
        step //= 2
        wibble /= decay
    heights = heights - heights.amin(dim=(1, 2), keepdim=True)
    return heights / heights.amax(dim=(1, 2), keepdim=True).clamp_min(1e-12)


def fog(x: torch.Tensor, parameter: tuple[float, float], generator: torch.Generator) -> torch.Tensor:
    """Add a plasma-fractal haze (map size: next power of two of the image side), rescaled by max/(max + amount)."""
    amount, decay = parameter
    n, h, w, _ = x.shape
    size = 2 ** math.ceil(math.log2(max(h, w)))
    haze = plasma_fractal(n, size, float(decay), generator, x.device)[:, :h, :w, None].to(x.dtype)
    peak = x.amax(dim=(1, 2, 3), keepdim=True)
    return (x + amount * haze) * peak / (peak + amount)


def water_mask(liquid: np.ndarray) -> np.ndarray:
    """The scripts' water-drop shading of one thresholded liquid layer (H x W float), via OpenCV as in the original.

    Values above 1 are clipped before the uint8 cast (the original wraps them around); an empty layer gives an
    empty mask instead of the original's 0/0 = NaN (which turned ~2% of 32 px images black).
    """
    import cv2

    layer = (np.clip(liquid, 0.0, 1.0) * 255).astype(np.uint8)
    dist = 255 - cv2.Canny(layer, 50, 150)
    dist = cv2.distanceTransform(dist, cv2.DIST_L2, 5)
    _, dist = cv2.threshold(dist, 20, 20, cv2.THRESH_TRUNC)
    dist = cv2.blur(dist, (3, 3)).astype(np.uint8)
    dist = cv2.equalizeHist(dist)
    emboss = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
    dist = cv2.filter2D(dist, cv2.CV_8U, emboss)
    dist = cv2.blur(dist, (3, 3)).astype(np.float32)
    mask = layer * dist
    peak = mask.max()
    return mask / peak if peak > 0 else mask


def spatter(x: torch.Tensor, parameter: list[float], generator: torch.Generator) -> torch.Tensor:
    """Water drops (mode 0: shaded turquoise overlay) or mud (mode 1: brown blobs replacing pixels)."""
    mean, std, sigma, threshold, strength, mode = parameter
    n, h, w, _ = x.shape
    liquid = mean + std * torch.randn((n, 1, h, w), generator=generator, device=x.device, dtype=torch.float64)
    liquid = gaussian_blur_nchw(liquid, float(sigma))[:, 0]
    liquid = torch.where(liquid < threshold, 0.0, liquid)
    if int(mode) == 0:
        masks = np.stack([water_mask(layer) for layer in liquid.cpu().numpy()])
        mask = torch.from_numpy(masks).to(device=x.device, dtype=x.dtype)[..., None] * strength
        return x + mask * torch.tensor(WATER_RGB, dtype=x.dtype, device=x.device)
    mud = gaussian_blur_nchw((liquid > threshold).to(x.dtype)[:, None], float(strength))
    mud = to_nhwc(torch.where(mud < 0.8, 0.0, mud))
    return x * (1 - mud) + mud * torch.tensor(MUD_RGB, dtype=x.dtype, device=x.device)
