"""lopt_progress: inner-train every theta snapshot of one outer-training seed as the evaluation runs do (Fig. 1a)."""

import torch

from robopt.io import prepend_columns, write_csv
from robopt.logs import log_to_file
from robopt.lopt.runs import evaluate_progress, load_inner_data, load_inner_test
from robopt.lopt.settings import progress_settings
from robopt.runtime import make_deterministic

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
block, experiment, seed = snakemake.params.lopt, snakemake.wildcards.experiment, int(snakemake.wildcards.seed)
data, _ = load_inner_data(block, snakemake.input.train, snakemake.input.meta)
saved = torch.load(snakemake.input.theta, map_location="cpu", weights_only=True)
table = evaluate_progress(saved["iterations"], saved["snapshots"], progress_settings(block, experiment), data,
                          load_inner_test(block, snakemake.input.test))
labels = {"experiment": experiment, "objective": block["experiments"][experiment]["objective"], "seed": seed}
write_csv(prepend_columns(table, labels), snakemake.output[0])
