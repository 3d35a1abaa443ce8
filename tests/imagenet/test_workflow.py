"""ImageNet through the DAG on the fixture: the paper-scale config plans exactly Table 1's ResNet-50 jobs for its
table, and the reduced recipes render both tables from really trained and evaluated models."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from robopt.evaluate.published_imagenet import published_table
from tests.imagenet.fixture import fixture_overlay, write_imagenet_fixture
from tests.workflow.test_demo_dag import REPO
from tests.workflow.test_kill_resume import workdir

pytestmark = pytest.mark.slow


def job_counts(output: str) -> dict[str, int]:
    table = output[output.index("Job stats:"):]
    return {name: int(count) for name, count in re.findall(r"^(\w+)\s+(\d+)$", table, re.MULTILINE)}


def test_the_paper_config_schedules_only_table_1s_jobs(tmp_path):
    overlay = tmp_path / "fixture.yaml"
    overlay.write_text(fixture_overlay(tmp_path, write_imagenet_fixture(tmp_path)))
    folder = workdir(tmp_path / "wf")
    result = subprocess.run([sys.executable, "-m", "snakemake", "-n", "results/tables/damp_table1.csv",
                             "--configfile", "config/imagenet.yaml", str(overlay)], cwd=folder, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    # 4 methods x 3 seeds; 9 test sets each (clean, FGSM and the seven shifted sets)
    assert job_counts(result.stdout) == {"index_imagenet": 1, "train_imagenet": 12, "evaluate_imagenet": 108,
                                         "table_damp_imagenet": 1, "total": 122}
    assert "vit_s16" not in result.stdout and "results/imagenet/train/resnet50/damp/seed2/model.pt" in result.stdout


def test_a_missing_imagenet_fails_before_any_job_naming_the_key(tmp_path):
    folder = workdir(tmp_path / "wf")
    result = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--configfile", "config/imagenet.yaml"],
                            cwd=folder, capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "imagenet.root = resources/imagenet: train/, val/ missing" in message and "train/<wnid>/*.JPEG" in message


def test_the_tables_render_from_a_fixture_run(tmp_path):
    sets = write_imagenet_fixture(tmp_path)
    overlay = tmp_path / "fixture.yaml"
    overlay.write_text(fixture_overlay(tmp_path, {name: sets[name] for name in ("imagenet_c", "imagenet_a")}))
    folder = workdir(tmp_path / "wf")
    reduced = yaml.safe_load((REPO / "tests/imagenet/reduced.yaml").read_text())
    for recipe in reduced["imagenet"]["recipes"].values():  # SAM / ASAM train in test_training.py: CI time
        recipe["methods"] = {method: recipe["methods"][method] for method in ("dropout", "damp")}
    (folder / "tests" / "imagenet").mkdir()
    (folder / "tests" / "imagenet" / "reduced.yaml").write_text(yaml.safe_dump(reduced))
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "results/tables/damp_table1.csv",
               "results/tables/damp_table2.csv", "--configfile", "tests/imagenet/reduced.yaml", str(overlay)]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stderr[-5000:]
    for table in ("table1", "table2"):
        frame = pd.read_csv(folder / f"results/tables/damp_{table}.csv")
        assert sorted(frame["method"].unique()) == ["damp", "dropout"]
        assert list(frame.columns) == ["method", "source", "epochs", "seeds", "Clean", "FGSM", "IN-A", "IN-C", "Avg"]
        ours = frame[frame["source"] == "ours"].set_index("method")
        paper = frame[frame["source"] == "paper"].set_index("method")
        difference = frame[frame["source"] == "ours - paper"].set_index("method")
        assert ours[["Clean", "FGSM", "IN-A", "IN-C"]].apply(lambda c: c.between(0, 100)).all().all()
        printed = published_table(table).sort_values("epochs").groupby("method").last()
        assert (paper["Clean"] == printed.loc[paper.index, "clean"]).all()
        pd.testing.assert_series_equal(difference["IN-C"], ours["IN-C"] - paper["IN-C"], check_names=False)
        assert (folder / f"results/tables/damp_{table}.md").read_text().startswith(f"DAMP Table {table[-1]}")
        assert "\\begin{tabular}" in (folder / f"results/tables/damp_{table}.tex").read_text()
    evaluation = pd.read_csv(folder / "results/imagenet/evaluate/resnet50/damp/seed0/imagenet_c.csv")
    assert len(evaluation) == 75 and set(evaluation["severity"]) == {1, 2, 3, 4, 5}
