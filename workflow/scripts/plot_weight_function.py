"""plot_weight_function: Meta-Weight-Net's training histories -> its learned weighting function V(loss)."""

from robopt.evaluate.aggregate import read_histories
from robopt.logs import log_to_file
from robopt.plots import provenance
from robopt.plots.reweighting import plot_weight_function

log_to_file(snakemake.log[0])
plot_weight_function(read_histories(snakemake.input), snakemake.output.pdf, provenance(snakemake.config),
                     snakemake.params.scale)
