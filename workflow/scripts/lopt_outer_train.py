"""lopt_outer_train: outer-train one seed of one learned-optimizer experiment (resumes from its checkpoint)."""

from robopt.data import load_split
from robopt.io import save_torch, write_csv
from robopt.logs import log_to_file
from robopt.lopt.runs import inner_data, outer_train
from robopt.runtime import make_deterministic, resolve_device

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
lopt = snakemake.params.lopt
device = resolve_device(lopt.get("device", "auto"))
data = inner_data(lopt, load_split(snakemake.input.train), device)
experiment, seed = snakemake.wildcards.experiment, int(snakemake.wildcards.seed)
theta, curve = outer_train(lopt, experiment, seed, data, snakemake.params.checkpoint)
write_csv(curve, snakemake.output.curve)
save_torch({"theta": theta, "experiment": experiment, "seed": seed, "lopt": lopt}, snakemake.output.theta)
