"""The meta-reweighting methods as a user runs them: a DAG whose table and figures come from trained models."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import REPO
from tests.workflow.test_kill_resume import workdir

pytestmark = pytest.mark.slow  # a Snakemake run of six small trainings

TARGETS = ["results/tables/reweighting_synthetic.csv", "results/figures/reweighting_weights_synthetic.pdf",
           "results/figures/mwnet_weight_function_synthetic.pdf"]


def test_reweighting_targets_are_built_from_trained_models(tmp_path):
    base = workdir(tmp_path / "run")
    (base / "tests" / "reweight_config.yaml").write_text((REPO / "tests" / "reweight_config.yaml").read_text())
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "config/demo.yaml",
               "tests/small_config.yaml", "tests/reweight_config.yaml", "--", *TARGETS]
    result = subprocess.run(command, cwd=base, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = pd.read_csv(base / TARGETS[0]).set_index("variant")
    assert set(table.index) == {"sgd", "l2rw", "mwnet"}
    assert (table["n_seeds"] == 2).all() and table["clean_accuracy_mean"].between(0, 100).all()
    assert table.loc[["l2rw", "mwnet"], "weight_ratio"].notna().all() and pd.isna(table.loc["sgd", "weight_ratio"])
    metrics = pd.read_csv(base / "results/tables/metrics_synthetic.csv")  # the table's own dataset's metrics
    assert set(metrics["label_noise"]) == {"flip"} and set(metrics["meta_set"]) == {"clean"}
    for figure in TARGETS[1:]:
        assert (base / figure).with_suffix(".png").exists()
