"""The end-of-run summary: per-model errors, the learned optimizer against Adam, and where the outputs are."""

from __future__ import annotations

import pandas as pd
import pytest

from robopt.summary import error_summary, learned_vs_adam, objective_sigma, summarize
from tests.evaluate.test_aggregate import tidy
from tests.plots.frames import evaluation_table


def metrics() -> pd.DataFrame:
    rows = []
    for variant, method, corruption, base in (("sgd", "sgd", "none", 10.0), ("sgd_aug_fog", "sgd", "fog", 12.0)):
        for seed in (0, 1):
            rows.append({"variant": variant, "method": method, "train_corruption": corruption, "seed": seed,
                         "corruption": "clean", "severity": 0, "error": base + seed})
            rows += [{"variant": variant, "method": method, "train_corruption": corruption, "seed": seed,
                      "corruption": name, "severity": severity, "error": base + 10 * severity}
                     for name in ("fog", "snow") for severity in range(1, 6)]
    return tidy(rows)


def test_errors_are_clean_and_the_mean_over_every_corruption_and_severity():
    table = error_summary(metrics()).set_index("variant")
    assert table.loc["sgd", "clean"] == pytest.approx(10.5) and table.loc["sgd", "corrupted"] == pytest.approx(40.0)
    assert table.loc["sgd_aug_fog", "train_corruption"] == "fog" and (table["seeds"] == 2).all()


def test_learned_optimizer_beside_adam_at_the_objective_noise():
    evaluation = evaluation_table()
    assert objective_sigma(evaluation) == 0.05
    table = learned_vs_adam(evaluation, 0.05).set_index("optimizer")
    assert list(table.index) == ["lopt_noisy", "adam_gaussian"] and table.loc["adam_gaussian", "lr"] == 0.001
    assert table.loc["lopt_noisy", "loss"] == pytest.approx(2.3 - 1 + 0.05)


def test_summary_text_names_numbers_and_paths(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "figures").mkdir()
    metrics().to_csv(tmp_path / "tables" / "metrics.csv", index=False)
    evaluation_table().to_csv(tmp_path / "tables" / "lopt_evaluation.csv", index=False)
    (tmp_path / "figures" / "damp_fig3.pdf").write_bytes(b"%PDF")
    (tmp_path / "report.html").write_text("<html>")
    text = summarize(tmp_path)
    assert "sgd_aug_fog" in text and "clean  12.5" in text and "corrupted  42.0" in text
    assert "Gaussian noise 0.05" in text and "adam_gaussian (lr 0.001): 1.350" in text
    assert f"Report: {tmp_path / 'report.html'}" in text and "damp_fig3.pdf" in text
    assert summarize(tmp_path / "absent").startswith("nothing to summarize")


def test_summary_states_the_verdict_and_the_selected_optimizer(tmp_path):
    from robopt.evaluate.verdict import per_seed_errors, verdict

    (tmp_path / "tables").mkdir()
    table = metrics().assign(dataset="cifar10")
    damp = table[table["variant"] == "sgd"].assign(variant="damp", method="damp", error=lambda f: f["error"] - 1)
    verdict(per_seed_errors(pd.concat([table, damp]))).to_csv(tmp_path / "tables" / "damp_verdict.csv", index=False)
    pd.DataFrame([{"experiment": "gaussian", "candidate": "theta0", "selected": True, "reason": "no seed beat it"},
                  {"experiment": "gaussian", "candidate": "seed 0", "selected": False, "reason": "worse"}]).to_csv(
        tmp_path / "tables" / "lopt_selection.csv", index=False)
    text = summarize(tmp_path)
    assert "damp" in text and "-1.00" in text and "sgd_aug_fog" in text
    assert "Learned optimizer of gaussian: theta0 (no seed beat it)" in text
