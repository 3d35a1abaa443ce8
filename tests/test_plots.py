"""Plot and table writers render from small hand-made tidy tables."""

from __future__ import annotations

import pandas as pd
import pytest
from PIL import Image

from robopt.errors import RoboptError
from robopt.evaluate import sigma_sweep_summary
from robopt.plots import plot_error_by_severity, provenance, write_table
from robopt.plots.curves import plot_training_curves, read_histories
from robopt.plots.severity import plot_sigma_sweep
from robopt.plots.style import read_provenance


def summary() -> pd.DataFrame:
    rows = []
    for dataset in ("cifar10", "cifar100"):
        for method in ("sgd", "damp"):
            for severity in range(6):
                rows.append({"dataset": dataset, "method": method, "severity": severity,
                             "error_mean": 10.0 + 5 * severity, "error_std": 1.0, "n_seeds": 3})
    return pd.DataFrame(rows)


def test_error_by_severity_figure(tmp_path):
    meta = provenance({"seed": 0})
    axes = plot_error_by_severity(summary(), tmp_path / "fig.pdf", meta)
    assert (tmp_path / "fig.pdf").stat().st_size > 1000
    assert len(axes) == 2 and axes[0].get_title() == "CIFAR-10" and axes[1].get_title() == "CIFAR-100"
    assert axes[0].get_xlabel() == "error (%)" and axes[0].get_ylabel().startswith("severity")
    assert len(axes[0].containers) >= 2  # one bar group per method (error bars add containers too)
    assert len(axes[0].patches) == 2 * 6
    labels = [text.get_text() for text in axes[-1].get_legend().get_texts()]
    assert labels == ["SGD (3 seeds)", "DAMP (3 seeds)"]  # paper order, not alphabetical
    png = Image.open(tmp_path / "fig.png")
    assert "commit=" in png.info["Description"] and "device=" in png.info["Description"]


def test_table_in_three_formats(tmp_path):
    write_table(summary(), tmp_path / "t.csv", "Caption at demo scale.")
    assert pd.read_csv(tmp_path / "t.csv").shape == (24, 6)
    markdown = (tmp_path / "t.md").read_text()
    assert markdown.startswith("Caption at demo scale.") and "| cifar10" in markdown
    assert "\\begin{tabular}" in (tmp_path / "t.tex").read_text()


def sweep_metrics() -> tuple[pd.DataFrame, dict]:
    """Tidy metrics of SGD, DAMP at two sigmas (one of them the main model's id) and DAAP at one, 2 seeds."""
    ids = {"sgd": 20.0, "damp": 15.0, "damp_sigma0.4": 17.0, "daap_sigma0.02": 19.0}
    rows = []
    for method, base_error in ids.items():
        for seed in (0, 1):
            rows.append({"dataset": "cifar10", "method": method, "seed": seed, "corruption": "clean", "severity": 0,
                         "error": base_error - 10 + seed})
            for corruption in ("fog", "snow"):
                for severity in range(1, 6):
                    rows.append({"dataset": "cifar10", "method": method, "seed": seed, "corruption": corruption,
                                 "severity": severity, "error": base_error + 2 * severity + seed})
    models = {"cifar10": [("sgd", "sgd", None), ("damp", "damp", 0.2), ("damp_sigma0.4", "damp", 0.4),
                          ("daap_sigma0.02", "daap", 0.02)]}
    return pd.DataFrame(rows), models


def test_sigma_sweep_summary_groups_severities():
    metrics, models = sweep_metrics()
    summary = sigma_sweep_summary(metrics, models)
    assert list(summary.columns) == ["dataset", "method", "sigma", "group", "error_mean", "error_std", "n_seeds"]
    damp = summary[(summary["method"] == "damp") & (summary["sigma"] == 0.2)].set_index("group")
    assert list(damp.index) == ["none", "mild", "severe"]
    assert damp.loc["none", "error_mean"] == 5.5  # clean error 5 and 6 over the two seeds
    assert damp.loc["mild", "error_mean"] == 15.0 + 4 + 0.5  # severities 1-3: 2 * mean(1, 2, 3)
    assert damp.loc["severe", "error_mean"] == 15.0 + 9 + 0.5  # severities 4-5
    assert summary["n_seeds"].eq(2).all() and summary[summary["method"] == "sgd"]["sigma"].isna().all()
    with pytest.raises(RoboptError, match="damp_sigma0.4"):
        sigma_sweep_summary(metrics[metrics["method"] != "damp_sigma0.4"], models)


def test_sigma_sweep_figure(tmp_path):
    metrics, models = sweep_metrics()
    axes = plot_sigma_sweep(sigma_sweep_summary(metrics, models), tmp_path / "fig2.pdf", provenance())
    assert (tmp_path / "fig2.png").stat().st_size > 1000
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["None", "Mild (1-3)", "Severe (4-5)"]
    labels = [text.get_text() for text in axes[-1].get_legend().get_texts()]
    assert labels == ["SGD (2 seeds)", "DAMP σ=0.2 (2 seeds)", "DAMP σ=0.4 (2 seeds)", "DAAP σ=0.02 (2 seeds)"]
    assert len(axes[0].patches) == 4 * 3 and axes[0].get_xlabel() == "error (%)"


def histories() -> pd.DataFrame:
    rows = []
    for method in ("sgd", "damp", "sgd_aug_fog"):
        for seed in (0, 1):
            for epoch in range(1, 5):
                for metric, value in (("loss", 2.0 / epoch + seed), ("accuracy", 0.2 * epoch), ("lr", 0.1 / epoch)):
                    rows.append({"dataset": "cifar10", "method": method, "seed": seed, "epoch": epoch, "step": epoch,
                                 "split": "train", "metric": metric, "value": value})
    return pd.DataFrame(rows)


def test_training_curves_figure(tmp_path):
    axes = plot_training_curves(histories(), "cifar10", tmp_path / "curves.pdf", provenance())
    assert [ax.get_ylabel() for ax in axes] == ["training loss", "training accuracy (%)", "learning rate"]
    assert axes[2].get_yscale() == "log" and all(ax.get_xlabel() == "epoch" for ax in axes)
    assert len(axes[0].get_lines()) == 3 and len(axes[0].collections) == 3  # a line and a seed band per method
    assert max(axes[1].get_lines()[0].get_ydata()) == pytest.approx(80.0)
    labels = [text.get_text() for text in axes[-1].get_legend().get_texts()]
    assert labels == ["SGD (2 seeds)", "DAMP (2 seeds)", "SGD + fog aug. (2 seeds)"]
    with pytest.raises(ValueError, match="cifar100"):
        plot_training_curves(histories(), "cifar100", tmp_path / "none.pdf", provenance())


def test_history_without_a_column_is_named(tmp_path):
    histories().drop(columns="epoch").to_csv(tmp_path / "history.csv", index=False)
    with pytest.raises(RoboptError, match=r"history.csv lacks column\(s\) epoch"):
        read_histories([tmp_path / "history.csv"])


def test_provenance_round_trips_through_figures_and_tables(tmp_path):
    meta = provenance({"note": "a; b=c"})
    plot_error_by_severity(summary(), tmp_path / "fig.pdf", meta)
    write_table(summary(), tmp_path / "t.csv", "Caption.", meta)
    for path in (tmp_path / "fig.pdf", tmp_path / "t.csv"):
        assert read_provenance(path) == meta
    assert (tmp_path / "t.tex").read_text().startswith("% commit=")
    write_table(summary(), tmp_path / "plain.csv", "No provenance.")
    assert read_provenance(tmp_path / "plain.csv") == {}
