"""table_external_models: every external model's RobustBench-format result -> one table, beside the stored
leaderboard values of the same RobustBench model where there is one."""

import json
from pathlib import Path

from robopt.evaluate import TIDY_COLUMNS, read_tidy
from robopt.evaluate.robustbench import beside_leaderboard, robustbench_cells
from robopt.logs import log_to_file
from robopt.plots import provenance, write_table

log_to_file(snakemake.log[0])
results = []
for name, info_path, metrics_path in zip(snakemake.params.names, snakemake.input.infos, snakemake.input.metrics,
                                         strict=True):
    info = json.loads(Path(info_path).read_text())
    metrics = read_tidy(metrics_path, TIDY_COLUMNS)
    entry = snakemake.params.entries[name]
    results.append({"model": name, "source": entry["source"], "dataset": entry["dataset"],
                    "clean_acc": info["clean_acc"], "corruptions_acc": info["corruptions_acc"],
                    "n_images": int(robustbench_cells(metrics)["n_images"].iloc[0]),
                    "corruption_source": metrics["corruption_source"].iloc[0]})
write_table(beside_leaderboard(results), snakemake.output.csv,
            "External models in RobustBench's format (clean accuracy; corruption accuracy = unweighted mean over its 15 "
            "corruptions x 5 severities, %), with the images used (n_images per cell, generated or official -C), beside "
            "RobustBench's published values of the same model (its commit given) where stored.",
            provenance(snakemake.config))
