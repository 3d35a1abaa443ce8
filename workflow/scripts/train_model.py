"""train_model: clean training split -> model.pt + history.csv, resuming from the checkpoint after a kill."""

from robopt.data import load_meta, load_split
from robopt.io import prepend_columns, write_csv
from robopt.logs import log_to_file
from robopt.models import save_trained
from robopt.runtime import make_deterministic, resolve_device
from robopt.train import TrainSettings, fit

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
device = resolve_device(snakemake.params.device)
meta = load_meta(snakemake.input.meta)
settings = TrainSettings.from_config(dict(snakemake.params.settings), meta)
seed = int(snakemake.wildcards.seed)

model, history = fit(load_split(snakemake.input.train), settings, seed, snakemake.params.checkpoint, device)
prepend_columns(history, {"dataset": snakemake.wildcards.dataset, **snakemake.params.labels, "seed": seed})
save_trained(model, settings.model, meta["num_classes"], settings.mean, settings.std, snakemake.output.model)
write_csv(history, snakemake.output.history)
