"""plot_damp_fig3: tidy metrics -> error per severity, per dataset and method (PDF + PNG)."""

from robopt.evaluate import TIDY_COLUMNS, error_by_severity, read_tidy
from robopt.logs import log_to_file
from robopt.plots import plot_error_by_severity, provenance

log_to_file(snakemake.log[0])
summary = error_by_severity(read_tidy(snakemake.input[0], TIDY_COLUMNS))
plot_error_by_severity(summary, snakemake.output.pdf, provenance(snakemake.config))
