"""At paper scale, one figure plans only its own dataset's jobs, and the one-dataset overlay narrows the config."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--dry-run", "--cores", "1"]


def planned(*arguments: str) -> str:
    result = subprocess.run([*SNAKEMAKE, *arguments], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return result.stdout


def test_the_cifar10_heatmap_plans_no_other_datasets_job():
    out = planned("results/figures/damp_fig4_cifar10.pdf")
    assert "results/train/cifar10/" in out
    assert "cifar100" not in out and "tinyimagenet" not in out
