"""robustbench_json_imagenet: an external model's ImageNet evaluations -> its tidy metrics in one file, RobustBench's
model-info JSON (protocol in the footnote, mCE against AlexNet) and its 75 per-cell accuracies."""

import pandas as pd

from robopt.evaluate.robustbench import imagenet_robustbench_metrics, write_robustbench_result
from robopt.io import write_csv
from robopt.logs import log_to_file

log_to_file(snakemake.log[0])
rows = pd.concat([pd.read_csv(path) for path in snakemake.input], ignore_index=True)
write_csv(rows, snakemake.output.metrics)
write_robustbench_result(imagenet_robustbench_metrics(rows), snakemake.wildcards.name, "imagenet",
                         snakemake.params.entry, snakemake.output.json, snakemake.output.cells)
