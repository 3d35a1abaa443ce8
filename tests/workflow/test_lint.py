"""The workflow follows the catalog's conventions: rules formatted by snakefmt and `snakemake --lint` clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # Snakemake and snakefmt subprocesses

SNAKEFMT = Path(sys.executable).with_name("snakefmt")


def test_rules_are_formatted_by_snakefmt():
    result = subprocess.run([str(SNAKEFMT), "--check", "Snakefile", "workflow/rules"], cwd=REPO, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("configfile", ["config/demo.yaml", "config/config.yaml"])
def test_snakemake_lint_is_clean(configfile):
    result = subprocess.run([sys.executable, "-m", "snakemake", "--lint", "--configfile", configfile], cwd=REPO,
                            capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "Congratulations, your workflow is in a good condition!" in output, output


def test_the_catalog_file_points_at_real_usage():
    import yaml

    catalog = yaml.safe_load((REPO / ".snakemake-workflow-catalog.yml").read_text())
    assert catalog["usage"]["report"] is True
    assert set(catalog["usage"]["software-stack-deployment"]) == {"conda"}
    for path in ("config/README.md", "workflow/envs/robopt.yaml", "Snakefile"):
        assert (REPO / path).exists(), path
