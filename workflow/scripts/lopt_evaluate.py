"""lopt_evaluate: inner-train with the selected learned optimizer on clean and noised data -> tidy losses."""

import torch

from robopt.io import prepend_columns, write_csv
from robopt.logs import log_to_file
from robopt.lopt.runs import evaluate_learned, load_inner_data, load_inner_test
from robopt.lopt.settings import eval_settings, train_noise
from robopt.runtime import make_deterministic

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
block, experiment = snakemake.params.lopt, snakemake.wildcards.experiment
data, scale = load_inner_data(block, snakemake.input.train, snakemake.input.meta)
noise = train_noise(block, experiment, scale)
theta = torch.load(snakemake.input.theta, map_location="cpu", weights_only=True)["theta"]
table = evaluate_learned(theta, eval_settings(block, noise), noise, data, load_inner_test(block, snakemake.input.test))
labels = {"optimizer": f"lopt_{experiment}", "objective": block["experiments"][experiment]["objective"]}
write_csv(prepend_columns(table, labels), snakemake.output[0])
