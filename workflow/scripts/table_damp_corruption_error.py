"""table_damp_corruption_error: tidy metrics -> corruption error relative to SGD (CSV, Markdown, LaTeX)."""

from robopt.evaluate import TIDY_COLUMNS, corruption_error, read_tidy
from robopt.logs import log_to_file
from robopt.plots import provenance, write_table

log_to_file(snakemake.log[0])
table = corruption_error(read_tidy(snakemake.input[0], TIDY_COLUMNS), baseline="sgd")
caption = f"Corruption error relative to SGD (lower is better; none = clean). Computed at: {snakemake.params.scale}."
write_table(table, snakemake.output.csv, caption, provenance(snakemake.config))
