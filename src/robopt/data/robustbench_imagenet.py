"""The two ImageNet protocols an external model can be evaluated under, recorded in every output row:

- ``pipeline`` (default): all 50,000 validation images and every image of each configured shifted set, seen through
  the pipeline's evaluation view (short side 256, centre crop 224; ``robopt.data.imagenet_loader``), the view DAMP's
  tables are computed in.
- ``robustbench``: RobustBench's corruption benchmark on ImageNet (github RobustBench/robustbench, commit 78fcc9e):
  the 5,000 validation images its ``robustbench/helper_files/imagenet_test_image_ids.txt`` lists (copied beside this
  module), clean ones through its ``Res256Crop224`` (short side 256, centre crop 224: the same evaluation view) and
  their ImageNet-C copies through ``Res224`` (the whole image resized to 224 x 224; the release's images are
  224 x 224 already) (``robustbench/data.py`` ``load_imagenet``, ``load_imagenetc``; ``robustbench/eval.py``).

Where the robustbench protocol differs from RobustBench's code: labels follow ImageNet's class order of ``train/``
where RobustBench takes the sorted class folders of each folder it reads (the same order for a full copy); a copy
with fewer classes than ImageNet (a test fixture) is scored on the listed images of its classes, where RobustBench
fails; images are resized as tensors by torchvision (bilinear, antialiased), RobustBench resizes PIL images.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from importlib import resources

from robopt.data.imagenet import ImageIndex
from robopt.data.imagenet_test_sets import Condition
from robopt.errors import DatasetFormatError

#: The RobustBench commit the listed image ids were copied at.
ROBUSTBENCH_COMMIT = "78fcc9e48a07a861268f295a777b975f25155964"
#: What each protocol evaluates, in words (the RobustBench JSON's footnote).
PROTOCOLS = {
    "pipeline": "robopt pipeline protocol: all ImageNet validation images and every image of ImageNet-C, short side "
                "resized to 256 and centre crop 224",
    "robustbench": f"RobustBench protocol (commit {ROBUSTBENCH_COMMIT[:7]}): its 5,000 listed validation images, "
                   "clean resized to 256 and centre-cropped to 224, ImageNet-C resized to 224 x 224 (Res224)",
}


def robustbench_image_ids() -> list[str]:
    """RobustBench's 5,000 ImageNet validation images as ``<wnid>/<file name>``, in its order."""
    text = resources.files("robopt.data").joinpath("robustbench_imagenet_ids.txt").read_text()
    return [line.strip() for line in text.splitlines() if line.strip()]


def listed_images(index: ImageIndex, ids: Sequence[str], where: str) -> ImageIndex:
    """The images of ``index`` that ``ids`` (``<wnid>/<file name>``) list, in the list's order; the listed images
    of the index's classes must all be there."""
    position = {f"{index.wnids[int(label)]}/{path.name}": k for k, (path, label) in
                enumerate(zip(index.paths, index.labels, strict=True))}
    classes = set(index.wnids)
    wanted = [image for image in ids if image.split("/", 1)[0] in classes]
    if not wanted:
        raise DatasetFormatError(f"{where}: none of RobustBench's listed images is of this copy's classes")
    missing = [image for image in wanted if image not in position]
    if missing:
        raise DatasetFormatError(f"{where}: {len(missing)} of RobustBench's {len(wanted)} listed images are missing "
                                 f"(e.g. {missing[0]}); the robustbench protocol needs every one of them")
    chosen = [position[image] for image in wanted]
    return replace(index, paths=[index.paths[k] for k in chosen], labels=index.labels[chosen])


def protocol_conditions(protocol: str, conditions: Sequence[Condition], where: str) -> list[Condition]:
    """The conditions of a test set as the protocol scores them: whole, or restricted to RobustBench's images."""
    if protocol == "pipeline":
        return list(conditions)
    ids = robustbench_image_ids()
    return [replace(condition, index=listed_images(condition.index, ids, f"{where} {condition.name} "
                                                                         f"{condition.severity}"))
            for condition in conditions]


def protocol_test_sets(protocol: str, configured: Sequence[str]) -> list[str]:
    """The test sets a protocol evaluates: clean and every configured shifted set, or RobustBench's clean and
    ImageNet-C."""
    return ["clean", "imagenet_c"] if protocol == "robustbench" else ["clean", *configured]


def protocol_resize(protocol: str, test_set: str) -> str:
    """The evaluation view of a test set under a protocol: RobustBench resizes corrupted images to 224 x 224."""
    return "square" if protocol == "robustbench" and test_set != "clean" else "crop"
