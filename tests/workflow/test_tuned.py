"""A tuned key trains with the value its hold-out sweep chose: change the choice, the retrained model follows."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.workflow.test_kill_resume import workdir

pytestmark = pytest.mark.slow  # Snakemake runs a sweep and a training twice

TUNED = """
methods: [sgd, damp]
training:
  synthetic:
    epochs: 2
    methods:
      damp: {sigma: tuned, sub_batches: 4, tune: {sigma: [0.05, 0.2]}}
"""
HISTORY = "results/train/synthetic/damp/seed0/history.csv"
CHOICE = "results/tune/synthetic/damp/choice.json"


def snakemake(base, *args):
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "config/demo.yaml",
               "tests/small_config.yaml", "tests/tuned.yaml", "--", *args]
    result = subprocess.run(command, cwd=base, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def trained_sigma(base) -> set[float]:
    return set(pd.read_csv(base / HISTORY)["sigma"])


def test_the_trained_model_follows_the_sweeps_choice(tmp_path):
    base = workdir(tmp_path)
    (base / "tests" / "tuned.yaml").write_text(TUNED)
    snakemake(base, HISTORY)
    choice = json.loads((base / CHOICE).read_text())
    assert choice["parameter"] == "sigma" and choice["value"] in (0.05, 0.2)
    assert trained_sigma(base) == {choice["value"]}

    other = 0.2 if choice["value"] == 0.05 else 0.05  # as if the sweep had chosen the other value
    (base / CHOICE).write_text(json.dumps({**choice, "value": other}))
    rerun = snakemake(base, HISTORY)
    assert "train_model" in rerun.stderr + rerun.stdout
    assert trained_sigma(base) == {other}
    log = (base / "results/logs/train_model/synthetic/damp/seed0.log").read_text()
    assert f"damp on small_cnn, 1000 images, seed 0: sigma={other}," in log
