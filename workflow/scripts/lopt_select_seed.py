"""lopt_select_seed: the best outer-training seed by final outer-train loss, with the reason, as the paper selects."""

import logging
import shutil
from pathlib import Path

import pandas as pd

from robopt.io import atomic_path, write_csv
from robopt.logs import log_to_file
from robopt.lopt.selection import select_seed

log_to_file(snakemake.log[0])
curves = pd.concat([pd.read_csv(path) for path in snakemake.input.curves], ignore_index=True)
selection = select_seed(curves)
selection.insert(0, "experiment", snakemake.wildcards.experiment)
best = int(selection.loc[selection["selected"], "seed"].iloc[0])
chosen = next(path for path in snakemake.input.thetas if Path(path).parent.name == f"seed{best}")
with atomic_path(snakemake.output.theta) as tmp:
    shutil.copyfile(chosen, tmp)
write_csv(selection, snakemake.output.selection)
write_csv(curves, snakemake.output.curves)
logging.info("selected seed %d: %s", best, selection.loc[selection["selected"], "reason"].iloc[0])
