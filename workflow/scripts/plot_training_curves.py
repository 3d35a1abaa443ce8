"""plot_training_curves: every model's history.csv on one dataset -> loss, accuracy and learning rate per epoch."""

from robopt.evaluate.aggregate import read_histories
from robopt.logs import log_to_file
from robopt.plots import provenance
from robopt.plots.curves import plot_training_curves

log_to_file(snakemake.log[0])
plot_training_curves(read_histories(snakemake.input), snakemake.wildcards.dataset, snakemake.output.pdf,
                     provenance(snakemake.config))
