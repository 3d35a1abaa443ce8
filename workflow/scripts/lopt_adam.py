"""lopt_adam: the Adam learning-rate grid inner-trained on clean and on noised data -> tidy losses."""

from robopt.data import load_split
from robopt.io import write_csv
from robopt.logs import log_to_file
from robopt.lopt.runs import evaluate_adam, inner_data
from robopt.runtime import make_deterministic, resolve_device

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
lopt = snakemake.params.lopt
device = resolve_device(lopt.get("device", "auto"))
data = inner_data(lopt, load_split(snakemake.input.train), device)
sigmas = [spec.get("sigma", 0.05) for spec in lopt["experiments"].values() if spec["objective"] == "gaussian"]
table = evaluate_adam(lopt, snakemake.wildcards.noise, data, load_split(snakemake.input.test), (sigmas or [0.05])[0])
write_csv(table, snakemake.output[0])
