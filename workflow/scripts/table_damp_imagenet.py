"""table_damp_imagenet: one recipe's ImageNet evaluations -> DAMP Table 1 or 2 beside the paper (CSV, Markdown,
LaTeX)."""

import pandas as pd

from robopt.evaluate.imagenet_tables import damp_imagenet_table
from robopt.logs import log_to_file
from robopt.plots import provenance, write_table

log_to_file(snakemake.log[0])
metrics = pd.concat([pd.read_csv(path) for path in snakemake.input], ignore_index=True)
table = damp_imagenet_table(metrics, snakemake.wildcards.table.removeprefix("damp_"))
caption = (f"DAMP {snakemake.params.title}: top-1 error (%) of ours (mean over seeds) beside the paper's, and the "
           f"difference; Avg = mean over the shifted sets computed here. Computed at: {snakemake.params.scale}.")
write_table(table, snakemake.output.csv, caption, provenance(snakemake.config))
