"""table_damp_heatmap_vs_paper: our corruption error beside DAMP's published heatmap cells, with the difference."""

import pandas as pd

from robopt.evaluate.published import comparison_caption, heatmap_vs_paper, read_published_heatmaps
from robopt.logs import log_to_file
from robopt.plots import provenance, write_table

log_to_file(snakemake.log[0])
published = read_published_heatmaps()
table = heatmap_vs_paper(pd.read_csv(snakemake.input[0]), snakemake.params.scales, snakemake.params.stand_ins,
                         published)
write_table(table, snakemake.output.csv, comparison_caption(table, published), provenance(snakemake.config))
