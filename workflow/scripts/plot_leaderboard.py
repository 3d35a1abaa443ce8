"""plot_leaderboard: the leaderboard table -> clean against corruption accuracy, one marker per model."""

import pandas as pd

from robopt.logs import log_to_file
from robopt.plots import provenance
from robopt.plots.leaderboard import plot_leaderboard

log_to_file(snakemake.log[0])
plot_leaderboard(pd.read_csv(snakemake.input[0]), snakemake.output.pdf, provenance(snakemake.config),
                 snakemake.params.scale)
