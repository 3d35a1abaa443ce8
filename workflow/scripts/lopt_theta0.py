"""lopt_theta0: the initial rule of one experiment's outer-training, normalised Adam at the step size that scores
best on meta-validation."""

from robopt.io import prepend_columns, save_torch, write_csv
from robopt.logs import log_to_file
from robopt.lopt.initial import choose_initial
from robopt.lopt.runs import load_inner_data
from robopt.lopt.settings import selection_settings
from robopt.runtime import make_deterministic

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
block, experiment = snakemake.params.lopt, snakemake.wildcards.experiment
data, _ = load_inner_data(block, snakemake.input.train, snakemake.input.meta)
chosen, table = choose_initial(block["theta0"]["step_sizes"], selection_settings(block, experiment), data)
labels = {"experiment": experiment, "objective": block["experiments"][experiment]["objective"]}
save_torch(chosen, snakemake.output.theta0)
write_csv(prepend_columns(table, labels), snakemake.output.scores)
