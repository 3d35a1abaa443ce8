"""A training job killed mid-way (SIGTERM, SIGKILL) resumes from its checkpoint and ends as an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from tests.conftest import REPO
from tests.workflow.test_demo_dag import copy_workflow

pytestmark = pytest.mark.slow  # a Snakemake job killed and resumed

MODEL = "results/train/synthetic/sgd/seed0/model.pt"


CHECKPOINT = "results/checkpoints/train/synthetic/sgd/seed0/last.pt"


COMMAND = [sys.executable, "-m", "snakemake", MODEL, "--cores", "2", "--configfile", "config/demo.yaml",
           "tests/small_config.yaml"]


def workdir(base: Path) -> Path:
    """A copy of the workflow with the seconds-scale test config beside it."""
    base.mkdir(parents=True, exist_ok=True)
    copy_workflow(base)
    (base / "tests").mkdir()
    (base / "tests" / "small_config.yaml").write_text((REPO / "tests" / "small_config.yaml").read_text())
    return base


def checkpoint_epoch(path: Path) -> int:
    try:
        return torch.load(path, weights_only=False)["epoch"]
    except (OSError, RuntimeError, EOFError, KeyError):
        return 0


def weights(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, weights_only=True)["state_dict"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict[str, torch.Tensor]:
    base = workdir(tmp_path_factory.mktemp("reference"))
    subprocess.run(COMMAND, cwd=base, check=True, capture_output=True)
    return weights(base / MODEL)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killed_training_resumes_and_matches(tmp_path, uninterrupted, signum):
    base = workdir(tmp_path)
    process = subprocess.Popen(COMMAND, cwd=base, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while checkpoint_epoch(base / CHECKPOINT) < 2:
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.time() < deadline
        time.sleep(0.05)
    os.killpg(process.pid, signum)  # the whole process group: snakemake and its job
    process.wait(timeout=60)
    killed_at = checkpoint_epoch(base / CHECKPOINT)
    assert 2 <= killed_at < 8 and not (base / MODEL).exists()

    if signum == signal.SIGKILL:  # a hard kill leaves Snakemake's lock behind: unlock, as the README says
        subprocess.run([*COMMAND, "--unlock"], cwd=base, check=True, capture_output=True)
    result = subprocess.run(COMMAND, cwd=base, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    log = (base / "results/logs/train_model/synthetic/sgd/seed0.log").read_text()
    assert f"resuming from {CHECKPOINT} after epoch {killed_at}" in log
    resumed = weights(base / MODEL)
    assert all(torch.equal(resumed[k], uninterrupted[k]) for k in uninterrupted)
