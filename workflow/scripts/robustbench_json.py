"""robustbench_json, robustbench_json_trained: a model's tidy metrics (external, or one trained seed) -> RobustBench's
model-info JSON and its 75 per-cell accuracies."""

from robopt.evaluate import TIDY_COLUMNS, read_tidy
from robopt.evaluate.robustbench import write_robustbench_result
from robopt.logs import log_to_file

log_to_file(snakemake.log[0])
write_robustbench_result(read_tidy(snakemake.input[0], TIDY_COLUMNS), snakemake.params.name,
                         snakemake.wildcards.dataset, snakemake.params.entry, snakemake.output.json,
                         snakemake.output.cells)
