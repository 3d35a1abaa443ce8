"""lopt_collect_progress: the progress runs of every Gaussian-objective seed (Fig. 1a) in one tidy table."""

import pandas as pd

from robopt.io import write_csv
from robopt.logs import log_to_file

log_to_file(snakemake.log[0])
write_csv(pd.concat([pd.read_csv(path) for path in snakemake.input], ignore_index=True), snakemake.output[0])
