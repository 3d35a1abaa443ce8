"""collect_metrics: per-model metric CSVs -> one tidy results/tables/metrics.csv."""

from robopt.evaluate import collect
from robopt.io import write_csv
from robopt.logs import log_to_file

log_to_file(snakemake.log[0])
write_csv(collect(snakemake.input), snakemake.output[0])
