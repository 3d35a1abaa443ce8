"""train_model: clean training split -> model.pt + history.csv, resuming from the checkpoint after a kill."""

import json

from robopt.data import load_split
from robopt.io import save_torch, write_csv
from robopt.logs import log_to_file
from robopt.runtime import make_deterministic, resolve_device
from robopt.train import TrainSettings, fit

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
device = resolve_device(snakemake.params.device)
meta = json.loads(open(snakemake.input.meta).read())
settings = TrainSettings.from_config(dict(snakemake.params.settings), meta)
dataset, method, seed = snakemake.wildcards.dataset, snakemake.wildcards.method, int(snakemake.wildcards.seed)

model, history = fit(load_split(snakemake.input.train), settings, snakemake.params.method, seed,
                     snakemake.params.checkpoint, device)
history.insert(0, "seed", seed)
history.insert(0, "method", method)
history.insert(0, "dataset", dataset)
save_torch({"model": settings.model, "num_classes": meta["num_classes"], "mean": settings.mean, "std": settings.std,
            "state_dict": model.state_dict()}, snakemake.output.model)
write_csv(history, snakemake.output.history)
