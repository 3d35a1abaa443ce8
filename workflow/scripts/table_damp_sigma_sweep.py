"""table_damp_sigma_sweep: metrics of SGD and the swept DAMP / DAAP models -> error per severity group (DAMP Fig. 2)."""

from robopt.evaluate import collect, sigma_sweep_summary
from robopt.logs import log_to_file
from robopt.plots import provenance, write_table

log_to_file(snakemake.log[0])
table = sigma_sweep_summary(collect(snakemake.input))
caption = ("Error (%) of SGD, DAMP and DAAP at each noise level sigma: clean (none), severities 1-3 (mild) and 4-5 "
           f"(severe), averaged over corruptions; mean and std over seeds. Computed at: {snakemake.params.scale}.")
write_table(table, snakemake.output.csv, caption, provenance(snakemake.config), column_formats={"sigma": "{:g}"})
