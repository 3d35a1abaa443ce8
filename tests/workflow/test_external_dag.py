"""An external model as a user evaluates it: one target materialises it and evaluates it like a trained model."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from tests.workflow.test_kill_resume import workdir

pytestmark = pytest.mark.slow  # a Snakemake run: one small training, its re-reading as an external model

EXTERNAL = """
external_models:
  again:
    dataset: synthetic
    source: file:results/train/synthetic/sgd/seed0/model.pt
"""


def test_a_checkpoint_evaluated_as_an_external_model_gives_its_own_metrics(tmp_path):
    base = workdir(tmp_path / "run")
    (base / "tests" / "external.yaml").write_text(EXTERNAL)
    targets = ["results/evaluate/synthetic/sgd/seed0/metrics.csv",
               "results/evaluate/synthetic/external_again/seed0/metrics.csv"]
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "config/demo.yaml",
               "tests/small_config.yaml", "tests/external.yaml", "--", *targets]
    result = subprocess.run(command, cwd=base, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    own, external = (pd.read_csv(base / target) for target in targets)
    assert set(external["method"]) == {"external"} and set(external["variant"]) == {"external_again"}
    pd.testing.assert_series_equal(own["accuracy"], external["accuracy"])
    pd.testing.assert_series_equal(own["nll"], external["nll"])
