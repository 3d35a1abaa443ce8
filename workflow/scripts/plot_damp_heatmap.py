"""plot_damp_heatmap: corruption error relative to SGD per method and test corruption (DAMP Figs. 1, 4, 5)."""

import pandas as pd

from robopt.logs import log_to_file
from robopt.plots import provenance
from robopt.plots.heatmap import plot_corruption_error_heatmap

log_to_file(snakemake.log[0])
table = pd.read_csv(snakemake.input[0])
plot_corruption_error_heatmap(table, snakemake.wildcards.dataset, len(snakemake.params.seeds), snakemake.output.pdf,
                              provenance(snakemake.config))
