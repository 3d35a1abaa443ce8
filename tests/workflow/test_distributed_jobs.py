"""A training job on 2 ranks (torchrun, gloo, 2 CPU processes) started by Snakemake on this machine and through
profiles/slurm on a local SLURM trains the weights of the 1-rank job."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from tests.workflow.test_kill_resume import workdir
from tests.workflow.test_slurm import start_slurm

pytestmark = pytest.mark.slow

MODEL = "results/train/synthetic/sgd/seed0/model.pt"
# one epoch: float differences of reduction order grow over a run's steps, for 2 ranks vs 1 as for 2 threads vs 1
# (measured on 1,024 synthetic images, batch 32: 1.8e-5 after one epoch and 6.6e-4 after two, either way)
SHORT = "training:\n  synthetic: {epochs: 1}\n"
TWO_RANKS = SHORT + "device: cpu\ndistributed:\n  training: {devices: 2, nodes: 1}\n"  # 2 CPU processes
BASE = [sys.executable, "-m", "snakemake", MODEL, "--configfile", "config/demo.yaml", "tests/small_config.yaml",
        "tests/ranks.yaml"]


def run_with_two_ranks(tmp_path, name: str, *extra: str) -> subprocess.CompletedProcess:
    folder = workdir(tmp_path / name)
    (folder / "tests" / "ranks.yaml").write_text(TWO_RANKS)
    command = [*BASE, *extra]
    return folder, subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="module")
def one_rank_weights(tmp_path_factory):
    folder = workdir(tmp_path_factory.mktemp("one_rank"))
    (folder / "tests" / "ranks.yaml").write_text(SHORT)
    subprocess.run([*BASE, "--cores", "2"], cwd=folder, check=True, capture_output=True)
    return torch.load(folder / MODEL, weights_only=False)["state_dict"]


def assert_same_weights(expected: dict, folder) -> None:
    actual = torch.load(folder / MODEL, weights_only=False)["state_dict"]
    for name, value in expected.items():
        torch.testing.assert_close(actual[name].float(), value.float(), atol=1e-4, rtol=0, msg=name)


def test_two_rank_job_on_this_machine(one_rank_weights, tmp_path):
    folder, result = run_with_two_ranks(tmp_path, "local", "--cores", "2")
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    log = (folder / "results/logs/train_model/synthetic/sgd/seed0.log").read_text()
    assert "starting 2 rank(s) on 1 node(s)" in log and "torch.distributed.run" in log
    assert_same_weights(one_rank_weights, folder)


@pytest.mark.slurm
def test_two_rank_job_through_the_slurm_profile(one_rank_weights, tmp_path):
    reason = start_slurm()
    if reason:
        pytest.skip(reason)
    folder, result = run_with_two_ranks(
        tmp_path, "cluster", "--profile", "profiles/slurm", "--slurm-status-command", "squeue", "--slurm-no-account",
        "--slurm-init-seconds-before-status-checks", "5", "--slurm-keep-successful-logs",
        "--seconds-between-status-checks", "2", "--jobs", "4")
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    submitted = [path for path in (folder / ".snakemake" / "slurm_logs").rglob("*.log") if "train_model" in str(path)]
    assert submitted, "the training job was not submitted to SLURM"
    log = (folder / "results/logs/train_model/synthetic/sgd/seed0.log").read_text()
    assert "starting 2 rank(s) on 1 node(s)" in log
    assert_same_weights(one_rank_weights, folder)
