"""table_damp_verdict: tidy metrics -> per-method errors over seeds, paired differences to SGD and a verdict."""

from robopt.evaluate import TIDY_COLUMNS, read_tidy
from robopt.evaluate.verdict import per_seed_errors, verdict, verdict_markdown_frame
from robopt.io import write_csv
from robopt.logs import log_to_file
from robopt.plots import provenance, write_table

log_to_file(snakemake.log[0])
per_seed = per_seed_errors(read_tidy(snakemake.input[0], TIDY_COLUMNS))
table = verdict(per_seed, baseline="sgd")
caption = ("Does each method beat SGD? Clean error and mean corruption error (the paper's 15 heatmap corruptions x "
           "severities 1-5) in %, mean +- std over seeds; paired difference to SGD per seed, its mean and 95% "
           "Student-t interval; better / worse only when the interval excludes 0. "
           f"Computed at: {snakemake.params.scale}.")
write_table(table, snakemake.output.csv, caption, provenance(snakemake.config), display=verdict_markdown_frame(table))
write_csv(per_seed, snakemake.output.per_seed)
