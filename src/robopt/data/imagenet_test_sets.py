"""The shifted ImageNet test sets of DAMP's Tables 1 and 2, each read from the user's copy in its release layout as
one or more conditions (an ``ImageIndex`` each) that the loader streams.

- ``imagenet_c`` (Hendrycks & Dietterich 2019) and ``imagenet_c_bar`` (Mintun et al. 2021):
  ``<root>/<corruption>/<severity 1-5>/<wnid>/*.JPEG``, through the reader of Tiny-ImageNet-C
  (``robopt.corruptions.sets.list_corrupted_tree``); a condition per (corruption, severity), 15 and 10 corruptions.
  The C-bar release names its severity folders by parameter value; the DAMP reference
  (``data/ImageNet/build_imagenet_c_bar.py``) reads them as 1-5, as here.
- ``imagenet_a`` (Hendrycks et al. 2021, 200 classes), ``imagenet_sketch`` (Wang et al. 2019), ``imagenet_drawing``
  and ``imagenet_cartoon`` (Salvador & Oberman 2022): ``<root>/<wnid>/*``, one condition. A set with fewer classes
  than ImageNet is scored over its own classes (the logits of the others masked): the reference's ViT evaluation
  (``imagenet/eval_vit_imagenet_a.py``, ``A_mask.npy``) and Hendrycks' protocol; the reference's ResNet script scores
  ImageNet-A over all 1,000 classes.
- ``imagenet_d`` (Zhang et al. 2024): ``<root>/<domain>/<wnid>/*`` for its background, material and texture
  domains (the reference's ``imagenet/eval_vit_imagenet_d.py``), a condition per domain. The release names its class
  folders by class name; the reference maps them to ImageNet ids (``imgnet_d2imgnet_id.json``), here they must be
  renamed to wnids first (README). Scored over all 1,000 classes, as the reference does.

Every set scores the evaluation view of ``robopt.data.imagenet_loader`` (short side 256, centre crop 224); the
reference resizes every test image to 256 x 256 before the crop, whatever its aspect ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from robopt.corruptions.parameters import SEVERITIES
from robopt.corruptions.sets import list_corrupted_tree
from robopt.data.imagenet import ImageIndex, index_class_folders
from robopt.errors import DatasetNotFoundError
from robopt.registry import Registry

IMAGENET_C = ("gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur", "motion_blur",
              "zoom_blur", "snow", "frost", "fog", "brightness", "contrast", "elastic_transform", "pixelate",
              "jpeg_compression")
IMAGENET_C_BAR = ("blue_noise_sample", "brownish_noise", "caustic_refraction", "checkerboard_cutout",
                  "cocentric_sine_waves", "inverse_sparkles", "perlin_noise", "plasma_noise",
                  "single_frequency_greyscale", "sparkles")
IMAGENET_D_DOMAINS = ("background", "material", "texture")


@dataclass(frozen=True)
class Condition:
    """One scored condition of a test set: its images and what it is (corruption or domain, severity; 0 = none)."""

    name: str
    severity: int
    index: ImageIndex


@dataclass(frozen=True)
class TestSetLayout:
    """How a test set is laid out: ``corrupted`` (corruption/severity/wnid), ``domains`` (domain/wnid) or
    ``classes`` (wnid)."""

    kind: str
    parts: tuple[str, ...] = ()

    def expected(self, root: str | Path) -> str:
        return {"corrupted": f"{root}/<corruption>/<1-5>/<wnid>/*.JPEG for {', '.join(self.parts)}",
                "domains": f"{root}/<domain>/<wnid>/* for {', '.join(self.parts)}",
                "classes": f"{root}/<wnid>/*"}[self.kind]


TEST_SETS: Registry[TestSetLayout] = Registry("ImageNet test set")
TEST_SETS.register("imagenet_c")(TestSetLayout("corrupted", IMAGENET_C))
TEST_SETS.register("imagenet_c_bar")(TestSetLayout("corrupted", IMAGENET_C_BAR))
TEST_SETS.register("imagenet_a")(TestSetLayout("classes"))
TEST_SETS.register("imagenet_d")(TestSetLayout("domains", IMAGENET_D_DOMAINS))
TEST_SETS.register("imagenet_sketch")(TestSetLayout("classes"))
TEST_SETS.register("imagenet_drawing")(TestSetLayout("classes"))
TEST_SETS.register("imagenet_cartoon")(TestSetLayout("classes"))


def check_test_set(name: str, root: str | Path, key: str) -> None:
    """Fail before any job when a configured test set's folder (config key ``key``) is absent or incomplete."""
    layout, root = TEST_SETS.get(name), Path(root)
    folders = [root / part for part in layout.parts] if layout.parts else [root]
    missing = [str(folder) for folder in folders if not folder.is_dir()]
    if missing:
        raise DatasetNotFoundError(f"{key} = {root}: {', '.join(missing[:3])} missing; {name} is read from your copy "
                                   f"laid out as {layout.expected(root)} (or remove the key)")


def scored_subset(index: ImageIndex) -> ImageIndex:
    """``index`` scored over the classes it holds, where it holds fewer than all of them."""
    present = tuple(sorted(set(index.labels.tolist())))
    if len(present) == index.num_classes:
        return index
    return ImageIndex(index.paths, index.labels, index.wnids, present)


def read_test_set(name: str, root: str | Path, wnids: list[str]) -> list[Condition]:
    """The conditions of test set ``name`` at ``root``, labels in ImageNet's class order ``wnids``."""
    layout = TEST_SETS.get(name)
    check_test_set(name, root, name)
    root = Path(root)
    if layout.kind == "corrupted":
        conditions = []
        for corruption in layout.parts:
            listings, labels = list_corrupted_tree(root, corruption, wnids)
            conditions += [Condition(corruption, severity, ImageIndex(files, labels, wnids))
                           for severity, files in zip(SEVERITIES, listings, strict=True)]
        return conditions
    if layout.kind == "domains":
        return [Condition(domain, 0, index_class_folders(root / domain, wnids)) for domain in layout.parts]
    return [Condition(name, 0, scored_subset(index_class_folders(root, wnids)))]
