"""External models on ImageNet as a user evaluates them: one target per model, under the pipeline's protocol (all
images, centre crop) or RobustBench's (its listed images, ImageNet-C resized to 224 x 224), the protocol recorded."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
import torch
from torch import nn

from robopt.evaluate.mce import mean_corruption_error
from robopt.evaluate.robustbench import alexnet_reference
from tests.imagenet.fixture import WNIDS, write_imagenet_fixture, write_listed_images
from tests.workflow.test_kill_resume import workdir

pytestmark = pytest.mark.slow  # a Snakemake run on the ImageNet fixture


class MeanColour(nn.Module):
    """Classifies the fixture's flat-colour classes (red, green, blue) by the image's mean colour; inputs in [0, 1]."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return 10 * images.mean((2, 3))


def test_one_model_under_both_protocols(tmp_path):
    sets = write_imagenet_fixture(tmp_path)
    listed = write_listed_images(tmp_path, sets)
    torch.jit.save(torch.jit.script(MeanColour()), str(tmp_path / "colour.pt"))
    overlay = tmp_path / "external.yaml"
    overlay.write_text(f"""datasets: []
device: cpu
imagenet:
  root: {tmp_path / 'imagenet'}
  test_sets: {{imagenet_c: {sets['imagenet_c']}, imagenet_a: {sets['imagenet_a']}}}
  evaluation: {{batch_size: 16, workers: 1}}
external_models:
  ours: {{dataset: imagenet, source: "file:{tmp_path / 'colour.pt'}", normalize: inside}}
  rb: {{dataset: imagenet, source: "file:{tmp_path / 'colour.pt'}", normalize: inside, protocol: robustbench}}
""")
    folder = workdir(tmp_path / "wf")
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", str(overlay), "--",
               "results/tables/external_models.csv"]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    base = folder / "results/external/imagenet"
    per_class_val, per_class_c = 2, 1  # the fixture's own images beside the listed ones
    ours, rb = (pd.read_csv(base / name / "metrics.csv") for name in ("ours", "rb"))
    assert set(ours["test_set"]) == {"clean", "imagenet_c", "imagenet_a"} and set(rb["test_set"]) == {"clean",
                                                                                                    "imagenet_c"}
    counts = ours.groupby("test_set")["n_images"].unique()
    assert list(counts["clean"]) == [listed + per_class_val * len(WNIDS)]
    assert list(counts["imagenet_c"]) == [listed + per_class_c * len(WNIDS)]
    assert set(rb["n_images"]) == {listed} and set(rb["protocol"]) == {"robustbench"}
    assert set(rb.loc[rb["test_set"] == "imagenet_c", "eval_resize"]) == {"square"}
    assert set(ours["eval_resize"]) == {"crop"} and set(ours["protocol"]) == {"pipeline"}
    infos = {}
    for name, protocol in (("ours", "pipeline"), ("rb", "robustbench")):
        infos[name] = info = json.loads((base / name / "robustbench.json").read_text())
        cells = pd.read_csv(base / name / "robustbench_cells.csv")
        assert info["clean_acc"] == "100.0" and info["dataset"] == "imagenet" and protocol in info["footnote"].lower()
        assert len(cells) == 75 and set(cells["protocol"]) == {protocol}
        assert info["corruptions_mce"] == str(round(mean_corruption_error(cells, alexnet_reference("imagenet",
                                                                                                 protocol)), 2))
    # listed images of severities 4 and 5 are missed: 3 of 5 severities right; the fixture's own images are all right
    assert infos["rb"]["corruptions_acc"] == "60.0"
    assert infos["ours"]["corruptions_acc"] == str(round(100 * (3 + 2 * 3 / (listed + 3)) / 5, 2))
    table = pd.read_csv(folder / "results/tables/external_models.csv").set_index("model")
    assert table.loc["rb", "n_images"] == listed and table.loc["ours", "protocol"] == "pipeline"
