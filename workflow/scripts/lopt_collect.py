"""lopt_collect: every learned-optimizer and Adam evaluation, and every outer-training curve, in two tidy tables."""

import pandas as pd

from robopt.io import write_csv
from robopt.logs import log_to_file

log_to_file(snakemake.log[0])
frames = [pd.read_csv(path) for path in [*snakemake.input.evaluations, *snakemake.input.adam]]
write_csv(pd.concat(frames, ignore_index=True), snakemake.output.evaluation)
write_csv(pd.concat([pd.read_csv(p) for p in snakemake.input.curves], ignore_index=True), snakemake.output.curves)
