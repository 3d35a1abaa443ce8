"""Plot and table writers render from small hand-made tidy tables."""

from __future__ import annotations

import pandas as pd
from PIL import Image

from robopt.evaluate import sigma_sweep_summary
from robopt.plots import plot_error_by_severity, provenance
from robopt.plots.severity import plot_sigma_sweep
from tests.plots.frames import summary


def test_error_by_severity_figure(tmp_path):
    meta = provenance({"seed": 0})
    axes = plot_error_by_severity(summary(), tmp_path / "fig.pdf", meta)
    assert (tmp_path / "fig.pdf").stat().st_size > 1000
    assert len(axes) == 2 and axes[0].get_title() == "CIFAR-10" and axes[1].get_title() == "CIFAR-100"
    assert axes[0].get_xlabel() == "error (%)" and axes[0].get_ylabel().startswith("severity")
    assert len(axes[0].containers) >= 2  # one bar group per method (error bars add containers too)
    assert len(axes[0].patches) == 2 * 6
    labels = [text.get_text() for text in axes[-1].figure.legends[0].get_texts()]
    assert labels == ["SGD (3 seeds)", "DAMP (3 seeds)"]  # paper order, not alphabetical
    png = Image.open(tmp_path / "fig.png")
    assert "commit=" in png.info["Description"] and "device=" in png.info["Description"]


def sweep_metrics() -> pd.DataFrame:
    """Tidy metrics of SGD, DAMP at two sigmas (one of them the main model) and DAAP at one, 2 seeds."""
    models = {("sgd", "sgd", None): 20.0, ("damp", "damp", 0.2): 15.0, ("damp_sigma0.4", "damp", 0.4): 17.0,
              ("daap_sigma0.02", "daap", 0.02): 19.0}
    rows = []
    for (variant, method, sigma), base_error in models.items():
        labels = {"dataset": "cifar10", "variant": variant, "method": method, "train_corruption": "none",
                  "sigma": sigma}
        for seed in (0, 1):
            rows.append({**labels, "seed": seed, "corruption": "clean", "severity": 0, "error": base_error - 10 + seed})
            for corruption in ("fog", "snow"):
                for severity in range(1, 6):
                    rows.append({**labels, "seed": seed, "corruption": corruption, "severity": severity,
                                 "error": base_error + 2 * severity + seed})
    return pd.DataFrame(rows)


def test_sigma_sweep_summary_groups_severities():
    summary = sigma_sweep_summary(sweep_metrics())
    assert list(summary.columns) == ["dataset", "method", "sigma", "group", "error_mean", "error_std", "n_seeds"]
    damp = summary[(summary["method"] == "damp") & (summary["sigma"] == 0.2)].set_index("group")
    assert list(damp.index) == ["none", "mild", "severe"]
    assert damp.loc["none", "error_mean"] == 5.5  # clean error 5 and 6 over the two seeds
    assert damp.loc["mild", "error_mean"] == 15.0 + 4 + 0.5  # severities 1-3: 2 * mean(1, 2, 3)
    assert damp.loc["severe", "error_mean"] == 15.0 + 9 + 0.5  # severities 4-5
    assert summary["n_seeds"].eq(2).all() and summary[summary["method"] == "sgd"]["sigma"].isna().all()
    assert summary[["method", "sigma"]].drop_duplicates().fillna(0).values.tolist() == [
        ["daap", 0.02], ["damp", 0.2], ["damp", 0.4], ["sgd", 0]]


def test_sigma_sweep_figure(tmp_path):
    axes = plot_sigma_sweep(sigma_sweep_summary(sweep_metrics()), tmp_path / "fig2.pdf", provenance())
    assert (tmp_path / "fig2.png").stat().st_size > 1000
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["None", "Mild (1-3)", "Severe (4-5)"]
    labels = [text.get_text() for text in axes[-1].figure.legends[0].get_texts()]
    assert labels == ["SGD (2 seeds)", "DAMP σ=0.2 (2 seeds)", "DAMP σ=0.4 (2 seeds)", "DAAP σ=0.02 (2 seeds)"]
    assert len(axes[0].patches) == 4 * 3 and axes[0].get_xlabel() == "error (%)"


def test_sgd_and_sgd_with_augmentation_look_different_and_are_named_in_words(tmp_path):
    rows = summary()
    augmented = rows[rows["variant"] == "sgd"].assign(variant="sgd_aug_gaussian_noise",
                                                      train_corruption="gaussian_noise")
    axes = plot_error_by_severity(pd.concat([rows, augmented]), tmp_path / "fig.pdf", provenance({"seed": 0}))
    legend = axes[-1].figure.legends[0]
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels == ["SGD (3 seeds)", "DAMP (3 seeds)", "SGD + Gaussian aug. (3 seeds)"]
    assert "standard deviation over seeds" in legend.get_title().get_text()
    sgd, augmented_bar = axes[0].patches[0], axes[0].patches[2 * 6]
    assert sgd.get_facecolor() != augmented_bar.get_facecolor() and sgd.get_hatch() != augmented_bar.get_hatch()
    width, height = Image.open(tmp_path / "fig.png").size
    assert width > height / 2  # the panels use the canvas: no legend column beside a narrow plot
