"""Copy the rendered PNG figures into a small gallery folder (downscaled) and write its Markdown index.

    python -m robopt.plots.gallery results/figures docs/gallery
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

from robopt.io import atomic_path, write_text

MAX_WIDTH = 900
MAX_HEIGHT = 1200


def build_gallery(figures: Path, gallery: Path) -> list[Path]:
    """Downscaled copies of every ``figures/*.png`` in ``gallery`` plus ``gallery/README.md`` listing them."""
    pngs = sorted(figures.glob("*.png"))
    if not pngs:
        raise SystemExit(f"no PNG figures in {figures}; run the demo first (make demo)")
    gallery.mkdir(parents=True, exist_ok=True)
    written = []
    for png in pngs:
        with Image.open(png) as image:
            image = image.convert("RGB")
            scale = min(1.0, MAX_WIDTH / image.width, MAX_HEIGHT / image.height)
            if scale < 1.0:
                image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
            target = gallery / png.name
            with atomic_path(target) as tmp:
                image.save(tmp, "PNG", optimize=True)
        written.append(target)
    lines = ["# Demo gallery", "", "Rendered by `make gallery` (the demo DAG, `config/demo.yaml`, on a CPU) from really",
             "computed numbers at demo scale: synthetic data, small models, few steps. Not a reproduction.", ""]
    lines += [f"## {path.stem}\n\n![{path.stem}]({path.name})\n" for path in written]
    write_text("\n".join(lines), gallery / "README.md")
    return written


if __name__ == "__main__":
    build_gallery(Path(sys.argv[1]), Path(sys.argv[2]))
