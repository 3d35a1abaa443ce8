"""tune_method: sweep one hyperparameter on the seeded stratified hold-out split; write the sweep and the choice."""

from robopt.data import load_meta, load_split
from robopt.io import write_csv, write_json
from robopt.logs import log_to_file
from robopt.runtime import make_deterministic, resolve_device
from robopt.train import TrainSettings, sweep

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
settings = TrainSettings.from_config(dict(snakemake.params.settings), load_meta(snakemake.input.meta))
table, choice = sweep(
    load_split(snakemake.input.train), settings, snakemake.params.tune["parameter"],
    list(snakemake.params.tune["grid"]), snakemake.params.val_fraction, snakemake.params.val_seed,
    snakemake.params.seed, resolve_device(snakemake.params.device),
)
table.insert(0, "dataset", snakemake.wildcards.dataset)
write_csv(table, snakemake.output.sweep)
write_json({"dataset": snakemake.wildcards.dataset, **choice}, snakemake.output.choice)
