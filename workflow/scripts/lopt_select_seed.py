"""lopt_select_seed: the learned optimizer to evaluate, chosen on meta-validation among the outer-trained seeds'
final thetas and the initial rule theta0, with the reason."""

import logging
import shutil
from pathlib import Path

import pandas as pd

from robopt.io import atomic_path, save_torch, write_csv
from robopt.logs import log_to_file
from robopt.lopt.selection import THETA0, select_candidate

log_to_file(snakemake.log[0])
curves = pd.concat([pd.read_csv(path) for path in snakemake.input.curves], ignore_index=True)
validation = pd.concat([pd.read_csv(path) for path in snakemake.input.validations], ignore_index=True)
selection = select_candidate(validation, curves, snakemake.params.last_snapshots)
selection.insert(0, "experiment", snakemake.wildcards.experiment)
best = selection.iloc[0]
saved = {Path(path).parent.name: path for path in snakemake.input.thetas}
if best["candidate"] == THETA0:  # iteration 0 of any seed: the same initial rule
    import torch  # only here: a seed's theta.pt is copied as it is

    first = torch.load(next(iter(saved.values())), map_location="cpu", weights_only=True)
    save_torch({"theta": first["snapshots"][list(first["iterations"]).index(0)], "candidate": THETA0},
               snakemake.output.theta)
else:
    with atomic_path(snakemake.output.theta) as tmp:
        shutil.copyfile(saved[f"seed{int(best['seed'])}"], tmp)
write_csv(selection, snakemake.output.selection)
write_csv(curves, snakemake.output.curves)
logging.info("selected %s: %s", best["candidate"], best["reason"])
