"""plot_damp_fig2: DAMP vs DAAP over the noise level sigma, error per severity group (DAMP Fig. 2)."""

from robopt.evaluate import read_tidy
from robopt.logs import log_to_file
from robopt.plots import provenance
from robopt.plots.severity import plot_sigma_sweep

log_to_file(snakemake.log[0])
summary = read_tidy(snakemake.input[0], ["dataset", "method", "sigma", "group", "error_mean", "error_std", "n_seeds"])
plot_sigma_sweep(summary, snakemake.output.pdf, provenance(snakemake.config))
