"""Recording a finished run: per-seed numbers from hand-made metrics and histories, job seconds, the layered config."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from robopt.evaluate import TIDY_COLUMNS
from robopt.run_record import job_seconds, per_seed_table, record_run


def metrics() -> pd.DataFrame:
    rows = []
    for variant, clean, corrupted in (("sgd", 60.0, 40.0), ("mwnet", 65.0, 50.0)):
        base = {column: None for column in TIDY_COLUMNS}
        base.update(dataset="cifar10", model="resnet8", variant=variant, method=variant, train_corruption="none",
                    seed=0, n_images=100, nll=1.0, ece=0.1, corruption_source="generated")
        rows.append({**base, "corruption": "none", "severity": 0, "accuracy": clean / 100, "error": 100 - clean})
        for severity, value in ((1, corrupted + 5), (5, corrupted - 5)):
            rows.append({**base, "corruption": "fog", "severity": severity, "accuracy": value / 100,
                         "error": 100 - value})
    return pd.DataFrame(rows)[TIDY_COLUMNS]


def histories() -> pd.DataFrame:
    rows = []
    for variant in ("sgd", "mwnet"):
        for epoch, accuracy in ((1, 0.3), (2, 0.9)):
            common = {"dataset": "cifar10", "variant": variant, "method": variant, "train_corruption": "none",
                      "seed": 0, "epoch": epoch, "step": epoch}
            rows.append({**common, "split": "train", "metric": "accuracy", "value": accuracy})
            rows.append({**common, "split": "meta", "metric": "meta_accuracy", "value": accuracy / 2})
            if variant == "mwnet":
                rows.append({**common, "split": "train", "metric": "weight_clean", "value": 1.2})
                rows.append({**common, "split": "train", "metric": "weight_biased", "value": 0.6})
                for loss, value in ((0, 0.5 + 0.2 * epoch), (8, 0.5 - 0.2 * epoch)):
                    rows.append({**common, "split": "train", "metric": f"weight_at_loss_{loss}", "value": value})
    return pd.DataFrame(rows)


def test_per_seed_rows_hold_accuracies_last_epoch_metrics_weights_and_health():
    table = per_seed_table(metrics(), histories()).set_index("variant")
    assert table.loc["mwnet", "clean_accuracy"] == 65.0
    assert table.loc["mwnet", "corrupted_accuracy"] == 50.0  # mean of 55 and 45
    assert table.loc["sgd", "train_accuracy"] == pytest.approx(90.0)
    assert table.loc["sgd", "meta_accuracy"] == pytest.approx(45.0)
    assert table.loc["mwnet", "weight_biased"] == 0.6 and pd.isna(table.loc["sgd", "weight_biased"])
    assert table.loc["mwnet", "v_health"] == "learning" and pd.isna(table.loc["sgd", "v_health"])


def test_a_run_is_recorded_with_its_config_layers_and_job_seconds(tmp_path):
    results = tmp_path / "results"
    (results / "tables").mkdir(parents=True)
    (results / "figures").mkdir()
    metrics().to_csv(results / "tables" / "metrics.csv", index=False)
    for name in ("t.csv", "t.md"):
        (results / "tables" / name).write_text(name)
    (results / "figures" / "f.png").write_bytes(b"png")
    for variant, frame in histories().groupby("variant"):
        folder = results / "train" / "cifar10" / variant / "seed0"
        folder.mkdir(parents=True)
        frame.to_csv(folder / "history.csv", index=False)
    bench = results / "benchmarks" / "train_model" / "cifar10" / "sgd"
    bench.mkdir(parents=True)
    (bench / "seed0.tsv").write_text("s\th:m:s\n12.5\t0:00:12\n")
    base, overlay = tmp_path / "a.yaml", tmp_path / "b.yaml"
    base.write_text("training: {cifar10: {epochs: 3, lr: 0.1}}\nseeds: [0]\n")
    overlay.write_text("training: {cifar10: {epochs: 30}}\n")
    dest = tmp_path / "docs" / "run"
    record_run(results, dest, [str(base), str(overlay)], ["t"], ["f"])
    assert (dest / "t.md").read_text() == "t.md" and (dest / "f.png").read_bytes() == b"png"
    assert yaml.safe_load((dest / "config.yaml").read_text()) == {"training": {"cifar10": {"epochs": 30, "lr": 0.1}},
                                                                    "seeds": [0]}
    assert job_seconds(results).to_dict("records") == [{"rule": "train_model", "job": "cifar10/sgd/seed0",
                                                         "seconds": 12.5}]
    assert len(pd.read_csv(dest / "per_seed.csv")) == 2
