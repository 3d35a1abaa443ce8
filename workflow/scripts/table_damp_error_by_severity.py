"""table_damp_error_by_severity: tidy metrics -> mean error per severity table (CSV, Markdown, LaTeX)."""

from robopt.evaluate import TIDY_COLUMNS, error_by_severity, read_tidy
from robopt.logs import log_to_file
from robopt.plots import provenance, write_table

log_to_file(snakemake.log[0])
summary = error_by_severity(read_tidy(snakemake.input[0], TIDY_COLUMNS))
caption = f"Error (%) per severity (0 = clean), mean over corruptions and seeds. Computed at: {snakemake.params.scale}."
write_table(summary, snakemake.output.csv, caption, provenance(snakemake.config))
