"""robustbench_json: an external model's tidy metrics -> RobustBench's model-info JSON and its 75 per-cell accuracies."""

from robopt.evaluate import TIDY_COLUMNS, read_tidy
from robopt.evaluate.robustbench import model_info, robustbench_cells, write_model_info
from robopt.io import write_csv
from robopt.logs import log_to_file

log_to_file(snakemake.log[0])
metrics = read_tidy(snakemake.input[0], TIDY_COLUMNS)
entry = snakemake.params.entry
known = {"architecture": entry["architecture"]} if entry.get("architecture") else {}
write_model_info(model_info(metrics, snakemake.wildcards.name, snakemake.wildcards.dataset, **known),
                 snakemake.output.json)
write_csv(robustbench_cells(metrics)[["corruption", "severity", "accuracy", "n_images"]], snakemake.output.cells)
