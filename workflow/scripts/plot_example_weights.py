"""plot_example_weights: training histories -> mean weight of noisy and clean examples per epoch, per method."""

from robopt.evaluate.aggregate import read_histories
from robopt.logs import log_to_file
from robopt.plots import provenance
from robopt.plots.reweighting import plot_example_weights

log_to_file(snakemake.log[0])
plot_example_weights(read_histories(snakemake.input), snakemake.output.pdf, provenance(snakemake.config),
                     snakemake.params.scale)
