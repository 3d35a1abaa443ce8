"""lopt_outer_train: outer-train one seed of one learned-optimizer experiment (resumes from its checkpoint)."""

from robopt.io import save_torch, write_csv
from robopt.logs import log_to_file
from robopt.lopt.runs import load_inner_data, outer_train
from robopt.lopt.settings import objective_noise, outer_settings
from robopt.runtime import make_deterministic

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
block = snakemake.params.lopt
experiment, seed = snakemake.wildcards.experiment, int(snakemake.wildcards.seed)
data, scale = load_inner_data(block, snakemake.input.train, snakemake.input.meta)
labels = {"experiment": experiment, "objective": block["experiments"][experiment]["objective"], "seed": seed}
result, curve = outer_train(outer_settings(block, seed), objective_noise(block, experiment, scale), data,
                           snakemake.params.checkpoint, labels)
write_csv(curve, snakemake.output.curve)
save_torch({**result, "experiment": experiment, "seed": seed, "lopt": block}, snakemake.output.theta)
