"""lopt_validate: score one outer-training seed's last theta snapshots (and, for the experiment's first seed, the
initial rule theta0) on meta-validation, for the selection."""

import torch

from robopt.io import prepend_columns, write_csv
from robopt.logs import log_to_file
from robopt.lopt.runs import load_inner_data, scored_iterations, validate_snapshots
from robopt.lopt.settings import selection_settings
from robopt.runtime import make_deterministic

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
block, experiment, seed = snakemake.params.lopt, snakemake.wildcards.experiment, int(snakemake.wildcards.seed)
data, _ = load_inner_data(block, snakemake.input.train, snakemake.input.meta)
saved = torch.load(snakemake.input.theta, map_location="cpu", weights_only=True)
iterations = saved["iterations"].tolist()
keep = scored_iterations(iterations, block["selection"]["last_snapshots"], snakemake.params.initial)
index = [iterations.index(iteration) for iteration in keep]
table = validate_snapshots(torch.tensor(keep), saved["snapshots"][index], selection_settings(block, experiment), data)
labels = {"experiment": experiment, "objective": block["experiments"][experiment]["objective"], "seed": seed}
write_csv(prepend_columns(table, labels), snakemake.output[0])
