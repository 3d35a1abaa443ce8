"""The demo DAG end to end in a temporary copy of the workflow, and single-target scheduling."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # Snakemake subprocesses (dry runs, the demo DAG)

SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def copy_workflow(dest: Path) -> Path:
    for name in ("Snakefile", "workflow", "config", "profiles"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, dest / name)
    return dest


def run(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [*SNAKEMAKE, "--configfile", "config/demo.yaml", *args], cwd=workdir, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result


def scheduled_jobs(output: str) -> dict[str, int]:
    """Rule -> count from Snakemake's 'Job stats' table."""
    block = output.split("Job stats:")[1].split("Reasons:")[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", block, re.MULTILINE) if m.group(1) != "total"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    workdir = copy_workflow(tmp_path_factory.mktemp("demo"))
    shutil.copy(REPO / "tests" / "demo_fast.yaml", workdir / "demo_fast.yaml")
    run(workdir, "--cores", "2", "--configfile", "config/demo.yaml", "demo_fast.yaml")
    return workdir


def test_demo_outputs_exist_and_are_plausible(demo):
    for name in ("figures/damp_fig3.pdf", "figures/damp_fig3.png", "figures/corruptions_synthetic.png",
                 "figures/damp_fig2.pdf", "figures/damp_heatmap_synthetic.png", "figures/training_curves_synthetic.pdf",
                 "tables/damp_sigma_sweep.md", "tables/damp_heatmap_vs_paper.tex",
                 "figures/metz2019_fig1a.png", "figures/metz2019_fig1c.pdf", "figures/metz2019_fig2.pdf",
                 "figures/metz2019_appB.png", "tables/lopt_evaluation.csv", "tables/damp_error_by_severity.md",
                 "tables/damp_error_by_severity.tex", "tables/metrics.csv", "figures/tuning_synthetic.png",
                 "tables/tuning_synthetic.md", "tables/lopt_selection.md", "tables/lopt_verdict_gaussian.md",
                 "tables/leaderboard_synthetic.md", "figures/leaderboard_synthetic.png",
                 "evaluate/synthetic/damp/seed0/robustbench.json"):
        assert (demo / "results" / name).stat().st_size > 0, name
    board = pd.read_csv(demo / "results" / "tables" / "leaderboard_synthetic.csv").set_index("model")
    assert {"sgd", "damp", "sam"} <= set(board.index) and board.loc["sgd", "seeds"] == 1  # demo_fast: one seed
    metrics = pd.read_csv(demo / "results" / "tables" / "metrics.csv")
    clean = metrics[metrics["corruption"] == "clean"]
    assert (clean["accuracy"] >= 0.5).all(), clean  # chance is 0.1; 6 epochs leave ASAM near 0.58-0.6
    by_severity = metrics.groupby("severity")["accuracy"].mean()
    assert list(by_severity.index) == [0, 1, 2, 3, 4, 5]
    assert all(a > b for a, b in zip(by_severity, by_severity.iloc[1:], strict=False)), by_severity
    selection = pd.read_csv(demo / "results" / "lopt" / "gaussian" / "selection.csv")
    assert selection["selected"].sum() == 1 and len(selection) == 3  # theta0 and the 2 demo seeds, with the reason
    assert set(selection["candidate"]) == {"theta0", "seed 0", "seed 1"} and selection["reason"].str.len().gt(0).all()
    assert (demo / "results" / "tables" / "lopt_selection.md").stat().st_size > 0
    curves = pd.read_csv(demo / "results" / "tables" / "lopt_outer_curves.csv")
    assert set(curves["target"]) >= {"outer", "glass_blur", "fog"}
    for rule in ("prepare_dataset", "train_model", "evaluate_model", "plot_damp_fig3", "lopt_outer_train", "lopt_adam"):
        assert any((demo / "results" / "logs" / rule).rglob("*.log")), rule
        assert any((demo / "results" / "benchmarks" / rule).rglob("*.tsv")), rule


def test_sweep_and_published_comparison_come_from_the_run(demo):
    sweep = pd.read_csv(demo / "results" / "tables" / "damp_sigma_sweep.csv")
    assert {(m, s) for m, s in zip(sweep["method"], sweep["sigma"].fillna(0), strict=True)} == {
        ("sgd", 0), ("damp", 0.1), ("damp", 0.2), ("daap", 0.01)}
    assert (sweep["n_seeds"] == 1).all()  # tests/demo_fast.yaml: one seed
    metrics = pd.read_csv(demo / "results" / "tables" / "metrics.csv")
    clean_damp = metrics[(metrics["variant"] == "damp") & (metrics["severity"] == 0)]
    swept = sweep[(sweep["method"] == "damp") & (sweep["sigma"] == 0.1) & (sweep["group"] == "none")]
    assert swept["error_mean"].item() == pytest.approx(clean_damp["error"].item())  # the main model, reused
    comparison = pd.read_csv(demo / "results" / "tables" / "damp_heatmap_vs_paper.csv")
    assert set(comparison["paper_dataset"]) == {"cifar10"} and set(comparison["variant"]) == {"damp", "sgd_aug_gaussian_noise"}
    assert (comparison["difference"] == comparison["ours"] - comparison["paper"]).all()
    assert "not a reproduction" in (demo / "results" / "tables" / "damp_heatmap_vs_paper.md").read_text()


def test_html_report_holds_every_figure_with_provenance(demo):
    run(demo, "--configfile", "config/demo.yaml", "demo_fast.yaml", "--report", "results/report.html")
    html = (demo / "results" / "report.html").read_text()
    figures = sorted(p.name for p in (demo / "results" / "figures").glob("*.pdf"))
    assert len(figures) >= 10
    for name in figures + ["damp_heatmap_vs_paper.csv", "damp_sigma_sweep.csv", "lopt_selection.csv"]:
        assert name in html, name
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    assert commit.strip() in html and "Computed at: synthetic: small_cnn, 6 epochs" in html


def test_second_run_does_nothing(demo):
    result = run(demo, "--cores", "2", "--dry-run", "--configfile", "config/demo.yaml", "demo_fast.yaml")
    assert "Nothing to be done" in result.stdout + result.stderr


def test_metrics_carry_the_variant_as_tidy_columns(demo):
    metrics = pd.read_csv(demo / "results" / "tables" / "metrics.csv")
    models = metrics[["variant", "method", "train_corruption"]].drop_duplicates().set_index("variant")
    assert models.loc["sgd_aug_gaussian_noise"].tolist() == ["sgd", "gaussian_noise"]
    assert models.loc["damp"].tolist() == ["damp", "none"]
    sigmas = metrics.groupby("variant")["sigma"].first()
    assert sigmas["damp"] == 0.1 and sigmas["daap"] == 0.01 and pd.isna(sigmas["sam"])
    history = pd.read_csv(demo / "results" / "train" / "synthetic" / "damp_sigma0.2" / "seed0" / "history.csv")
    assert history[["variant", "method", "sigma"]].drop_duplicates().values.tolist() == [["damp_sigma0.2", "damp", 0.2]]


def test_an_unrelated_config_change_reruns_no_damp_figure(demo):
    """Figures read the config for provenance in the script, not as params: an outer-training change reruns the
    learned-optimizer jobs only."""
    (demo / "longer_outer.yaml").write_text("lopt:\n  outer:\n    iterations: 7\n")
    result = run(demo, "--dry-run", "--configfile", "config/demo.yaml", "demo_fast.yaml", "longer_outer.yaml")
    jobs = scheduled_jobs(result.stdout)
    assert jobs.get("lopt_outer_train") == 5 and "plot_metz2019" in jobs
    assert not any(rule.startswith(("plot_damp", "table_damp", "train_model", "plot_training")) for rule in jobs), jobs


def test_rerun_of_a_rule_is_bit_identical(demo):
    corrupted = demo / "results" / "corrupt" / "synthetic" / "spatter.npy"  # random, threaded, OpenCV step
    labels = demo / "results" / "corrupt" / "synthetic" / "labels.npy"
    before = corrupted.read_bytes(), labels.read_bytes()
    targets = [str(corrupted.relative_to(demo)), str(labels.relative_to(demo))]
    run(demo, "--cores", "2", "--configfile", "config/demo.yaml", "demo_fast.yaml", "--forcerun", *targets, "--", *targets)
    assert (corrupted.read_bytes(), labels.read_bytes()) == before  # training reruns: see test_train and test_kill_resume


def test_single_figure_target_schedules_only_its_ancestors(tmp_path):
    workdir = copy_workflow(tmp_path)
    result = run(workdir, "--dry-run", "--forceall", "results/figures/damp_fig3.pdf")
    jobs = scheduled_jobs(result.stdout)
    assert jobs == {
        "prepare_dataset": 1, "corrupt_dataset_all": 1, "train_model": 12,
        "evaluate_model": 12, "collect_dataset_metrics": 1, "collect_metrics": 1, "plot_damp_fig3": 1,
    }


def test_one_job_per_corruption_outside_the_demo(tmp_path):
    """Without corruptions.one_job each corruption is its own job, the labels another: the same DAG otherwise."""
    workdir = copy_workflow(tmp_path)
    (workdir / "per_corruption.yaml").write_text("corruptions:\n  one_job: false\n")
    result = run(workdir, "--dry-run", "--forceall", "results/figures/damp_fig3.pdf", "--configfile", "config/demo.yaml",
                 "per_corruption.yaml")
    jobs = scheduled_jobs(result.stdout)
    assert jobs["corrupt_dataset"] == 19 and jobs["write_corrupted_labels"] == 1 and "corrupt_dataset_all" not in jobs


def test_preview_target_schedules_only_its_ancestors(tmp_path):
    workdir = copy_workflow(tmp_path)
    result = run(workdir, "--dry-run", "--forceall", "results/figures/corruptions_synthetic.pdf")
    assert scheduled_jobs(result.stdout) == {"prepare_dataset": 1, "plot_corruption_preview": 1}


def test_metz_figure_target_schedules_only_its_ancestors(tmp_path):
    workdir = copy_workflow(tmp_path)
    result = run(workdir, "--dry-run", "--forceall", "results/figures/metz2019_fig1c.pdf")
    assert scheduled_jobs(result.stdout) == {
        "prepare_dataset": 1, "lopt_theta0": 3, "lopt_outer_train": 5, "lopt_validate": 5, "lopt_select_seed": 3,
        "lopt_evaluate": 3,
        "lopt_adam": 2, "lopt_collect": 1, "plot_metz2019": 1,
    }
    result = run(workdir, "--dry-run", "--forceall", "results/figures/metz2019_fig1a.pdf")
    jobs = scheduled_jobs(result.stdout)
    assert jobs["lopt_progress"] == 2 and jobs["lopt_collect_progress"] == 1  # one per seed of the Gaussian objective


def test_sigma_sweep_figure_schedules_only_its_models(tmp_path):
    workdir = copy_workflow(tmp_path)
    result = run(workdir, "--dry-run", "--forceall", "results/figures/damp_fig2.pdf")
    assert scheduled_jobs(result.stdout) == {  # SGD, DAMP and DAAP at 3 sigmas each (the configured one reused), 2 seeds
        "prepare_dataset": 1, "corrupt_dataset_all": 1, "train_model": 14,
        "evaluate_model": 14, "table_damp_sigma_sweep": 1, "plot_damp_fig2": 1,
    }
    assert "damp_sigma0.05/seed1/model.pt" in result.stdout and "damp/seed1/model.pt" in result.stdout


def test_heatmap_target_schedules_only_its_ancestors(tmp_path):
    workdir = copy_workflow(tmp_path)
    result = run(workdir, "--dry-run", "--forceall", "results/figures/damp_heatmap_synthetic.pdf")
    assert scheduled_jobs(result.stdout) == {
        "prepare_dataset": 1, "corrupt_dataset_all": 1, "train_model": 12,
        "evaluate_model": 12, "collect_dataset_metrics": 1, "table_damp_corruption_error_of_dataset": 1,
        "plot_damp_heatmap": 1,
    }


def test_heatmap_under_another_papers_number_is_refused_by_name(tmp_path):
    workdir = copy_workflow(tmp_path)
    result = subprocess.run([*SNAKEMAKE, "--configfile", "config/demo.yaml", "--dry-run",
                             "results/figures/damp_fig4_synthetic.pdf"], cwd=workdir, capture_output=True, text=True)
    assert result.returncode != 0
    assert "the DAMP heatmap of synthetic is results/figures/damp_heatmap_synthetic.pdf" in result.stdout + result.stderr


MISSPELLED_KEYS = {"damp": "sigmaa: 0.1, sub_batches: 4", "asam": "rho: 0.5, etaa: 0.0"}


# Every method's misspelled key is named by the config check (tests/test_config.py); through Snakemake, two methods
# show the message reaches the user whole, without a traceback (each dry-run costs a workflow parse: CI time).
@pytest.mark.parametrize("method", ["asam", "damp"])
def test_a_misspelled_method_key_fails_the_dry_run_naming_it(method, tmp_path):
    workdir = copy_workflow(tmp_path)
    (workdir / "typo.yaml").write_text(f"methods: [{method}]\ntraining:\n  synthetic:\n    methods:\n"
                                       f"      {method}: {{{MISSPELLED_KEYS[method]}}}\n")
    result = subprocess.run([*SNAKEMAKE, "--configfile", "config/demo.yaml", "typo.yaml", "--dry-run"], cwd=workdir,
                            capture_output=True, text=True)
    output = result.stdout + result.stderr
    wrong = MISSPELLED_KEYS[method].split(",")[-1 if method == "asam" else 0].split(":")[0].strip()
    assert result.returncode != 0
    assert f"training.synthetic.methods.{method}: Additional properties are not allowed ('{wrong}' was unexpected)" in output
    assert "allowed keys: lr, weight_decay" in output and "Traceback" not in output
