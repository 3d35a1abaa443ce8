"""A job imports only what it uses: table and figure jobs start without torch, table jobs without matplotlib."""

from __future__ import annotations

import json
import subprocess
import sys

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


def loaded_modules(script) -> set[str]:
    code = import_block(script) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_a_job_imports_only_what_it_uses(script):
    modules = loaded_modules(script)
    heavy = {"torchvision", "cv2", "scipy", "skimage", "imagecorruptions"} & modules
    assert not heavy, f"{script.name} imports {sorted(heavy)} at start-up; import them where they are used"
    if script.stem in TABLE_JOBS | FIGURE_JOBS:
        assert "torch" not in modules, f"{script.name} imports torch"
    if script.stem in TABLE_JOBS:
        assert "matplotlib" not in modules, f"{script.name} imports matplotlib"


def test_every_table_and_figure_job_is_classified():
    names = {path.stem for path in SCRIPTS}
    assert TABLE_JOBS | FIGURE_JOBS <= names
    assert {name for name in names if name.startswith(("table_", "plot_damp", "plot_metz", "plot_tuning", "plot_training", "plot_example", "plot_weight", "plot_leaderboard"))} <= TABLE_JOBS | FIGURE_JOBS
