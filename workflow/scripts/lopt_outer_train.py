"""lopt_outer_train: outer-train one seed of one learned-optimizer experiment (resumes from its checkpoint)."""

from robopt.data import load_meta, load_split
from robopt.io import save_torch, write_csv
from robopt.logs import log_to_file
from robopt.lopt.runs import inner_data, outer_train
from robopt.lopt.settings import objective_noise, outer_settings
from robopt.runtime import make_deterministic, resolve_device

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
block = snakemake.params.lopt
experiment, seed = snakemake.wildcards.experiment, int(snakemake.wildcards.seed)
scale = load_meta(snakemake.input.meta)["corruption_scale"]
data = inner_data(block, load_split(snakemake.input.train), scale, resolve_device(block["device"]))
labels = {"experiment": experiment, "objective": block["experiments"][experiment]["objective"], "seed": seed}
theta, curve = outer_train(outer_settings(block, seed), objective_noise(block, experiment, scale), data,
                           snakemake.params.checkpoint, labels)
write_csv(curve, snakemake.output.curve)
save_torch({"theta": theta, "experiment": experiment, "seed": seed, "lopt": block}, snakemake.output.theta)
