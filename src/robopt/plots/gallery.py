"""Copy the rendered PNG figures into a small gallery folder (downscaled) and write its Markdown index, with the
provenance of the run (commit, date, device) and a digest of the code that draws it, so a test can tell when the
gallery is older than that code.

    python -m robopt.plots.gallery results/figures docs/gallery
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from PIL import Image

from robopt.io import atomic_path, write_text
from robopt.provenance import read_provenance

REPO = Path(__file__).resolve().parents[3]
#: What the gallery is drawn by: the figure code, the figure jobs and the demo config whose numbers it shows.
DRAWING_CODE = ("src/robopt/plots/*.py", "workflow/scripts/plot_*.py", "config/demo.yaml")

MAX_WIDTH = 900
MAX_HEIGHT = 1200


def drawing_code_digest(repo: Path = REPO) -> str:
    """SHA-256 over the paths and contents of ``DRAWING_CODE`` (sorted): changes when any file that draws changes."""
    digest = hashlib.sha256()
    for path in sorted({p for pattern in DRAWING_CODE for p in repo.glob(pattern)}):
        digest.update(path.relative_to(repo).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


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
    run = read_provenance(pngs[0])
    stamp = {key: run.get(key, "not recorded") for key in ("commit", "date", "device")}
    write_text(json.dumps({**stamp, "drawing_code_sha256": drawing_code_digest()}, indent=2) + "\n",
               gallery / "provenance.json")
    lines = ["# Demo gallery", "", "Rendered by `make gallery` (the demo DAG, `config/demo.yaml`, on a CPU) from really",
             "computed numbers at demo scale: synthetic data, small models, few steps. Not a reproduction.",
             f"Run of commit {stamp['commit']}, {stamp['date']}, on {stamp['device']} (`provenance.json`; a test fails",
             "when the code that draws these figures has changed since).", ""]
    lines += [f"## {path.stem}\n\n![{path.stem}]({path.name})\n" for path in written]
    write_text("\n".join(lines), gallery / "README.md")
    return written


if __name__ == "__main__":
    build_gallery(Path(sys.argv[1]), Path(sys.argv[2]))
