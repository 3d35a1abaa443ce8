"""lopt_evaluate: inner-train with the selected learned optimizer on clean and noised data -> tidy losses."""

import torch

from robopt.data import load_split
from robopt.io import write_csv
from robopt.logs import log_to_file
from robopt.lopt.runs import evaluate_learned, inner_data
from robopt.runtime import make_deterministic, resolve_device

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
lopt = snakemake.params.lopt
device = resolve_device(lopt.get("device", "auto"))
data = inner_data(lopt, load_split(snakemake.input.train), device)
theta = torch.load(snakemake.input.theta, map_location="cpu", weights_only=False)["theta"]
table = evaluate_learned(lopt, snakemake.wildcards.experiment, theta, data, load_split(snakemake.input.test))
write_csv(table, snakemake.output[0])
