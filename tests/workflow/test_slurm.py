"""The demo DAG (a representative part) through profiles/slurm on a local single-node SLURM equals a local run.

Runs when `tests/slurm/start-local-slurm.sh` can start SLURM here (root, apt); skipped with the reason otherwise.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO
from tests.workflow.test_kill_resume import workdir

pytestmark = pytest.mark.slow  # jobs submitted to a local SLURM

TARGET = "results/evaluate/synthetic/sgd/seed0/metrics.csv"  # data, corruption, training and evaluation jobs


LOCK = Path(tempfile.gettempdir()) / "robopt-start-local-slurm.lock"
BASE = [sys.executable, "-m", "snakemake", TARGET, "--configfile", "config/demo.yaml", "tests/small_config.yaml"]


def start_slurm() -> str | None:
    """None when SLURM is up, else why it could not be started."""
    if os.geteuid() != 0:
        return "starting a local SLURM needs root"
    if shutil.which("apt-get") is None and shutil.which("slurmctld") is None:
        return "no apt-get to install slurm-wlm and munge"
    with open(LOCK, "w") as lock:  # parallel test workers: one installs and starts SLURM, the others wait for it
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = subprocess.run(["bash", str(REPO / "tests" / "slurm" / "start-local-slurm.sh")],
                                capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        return f"local SLURM did not start: {(result.stdout + result.stderr)[-500:]}"
    return None


@pytest.fixture(scope="module")
def slurm():
    reason = start_slurm()
    if reason:
        print(f"SKIPPED SLURM test: {reason}")
        pytest.skip(reason)


@pytest.mark.slow
@pytest.mark.slurm
def test_slurm_profile_run_equals_local_run(slurm, tmp_path):
    local = workdir(tmp_path / "local")
    cluster = workdir(tmp_path / "cluster")
    subprocess.run([*BASE, "--cores", "2"], cwd=local, check=True, capture_output=True)
    result = subprocess.run(
        [*BASE, "--profile", "profiles/slurm", "--slurm-status-command", "squeue", "--slurm-no-account",
         "--slurm-init-seconds-before-status-checks", "5", "--slurm-keep-successful-logs", "--seconds-between-status-checks", "2", "--jobs", "4"],
        cwd=cluster, capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    assert "slurm" in (result.stdout + result.stderr).lower()
    pd.testing.assert_frame_equal(pd.read_csv(local / TARGET), pd.read_csv(cluster / TARGET))
    submitted = list((cluster / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert any("train_model" in str(path) for path in submitted), submitted
