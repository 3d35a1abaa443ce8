"""A job imports only what it uses: table and figure jobs start without torch, table jobs without matplotlib."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from startup import import_block  # noqa: E402

SCRIPTS = sorted((REPO / "workflow" / "scripts").glob("*.py"))
#: Jobs that read and write tables only: neither torch nor matplotlib.
TABLE_JOBS = {"collect_metrics", "lopt_collect", "lopt_select_seed", "table_damp_corruption_error",
              "table_damp_error_by_severity", "table_damp_heatmap_vs_paper", "table_damp_imagenet",
              "table_damp_sigma_sweep", "table_damp_verdict", "table_lopt_selection", "table_reweighting",
              "robustbench_json", "table_external_models", "table_leaderboard"}
#: Jobs that draw figures from tables: matplotlib, no torch.
FIGURE_JOBS = {"plot_damp_fig2", "plot_damp_fig3", "plot_damp_heatmap", "plot_metz2019", "plot_training_curves",
               "plot_tuning", "plot_example_weights", "plot_weight_function", "plot_leaderboard"}


HEAVY = {"torchvision", "cv2", "scipy", "skimage", "imagecorruptions"}
#: What each kind of job must not import at start-up.
FORBIDDEN = {"table": HEAVY | {"torch", "matplotlib"}, "figure": HEAVY | {"torch"}, "other": HEAVY}


def kind(script: Path) -> str:
    return "table" if script.stem in TABLE_JOBS else "figure" if script.stem in FIGURE_JOBS else "other"


def loaded_modules(scripts: list[Path]) -> set[str]:
    """The modules loaded after the import blocks of ``scripts``, run one after another in one fresh interpreter."""
    code = "\n".join(import_block(script) for script in scripts) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.slow
@pytest.mark.parametrize("job_kind", list(FORBIDDEN))
def test_a_job_imports_only_what_it_uses(job_kind):
    """One interpreter per kind of job runs all their import blocks: if none of the forbidden modules is loaded after
    all of them, none is after any one (imports only add modules); otherwise each script is checked alone to name
    the ones that load them."""
    scripts = [script for script in SCRIPTS if kind(script) == job_kind]
    if not FORBIDDEN[job_kind] & loaded_modules(scripts):
        return
    offenders = {script.name: sorted(FORBIDDEN[job_kind] & loaded_modules([script])) for script in scripts}
    offenders = {name: modules for name, modules in offenders.items() if modules}
    pytest.fail(f"{job_kind} jobs that import these at start-up (import them where they are used): {offenders}")


def test_every_table_and_figure_job_is_classified():
    names = {path.stem for path in SCRIPTS}
    assert TABLE_JOBS | FIGURE_JOBS <= names
    assert {name for name in names if name.startswith(("table_", "plot_damp", "plot_metz", "plot_tuning", "plot_training", "plot_example", "plot_weight", "plot_leaderboard"))} <= TABLE_JOBS | FIGURE_JOBS
