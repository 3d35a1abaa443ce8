"""write_corrupted_labels: the test labels repeated for the five severities (labels.npy of the -C set)."""

from robopt.corruptions.sets import write_labels
from robopt.data import load_split
from robopt.logs import log_to_file

log_to_file(snakemake.log[0])
labels = load_split(snakemake.input.test).labels
write_labels(labels[: snakemake.params.n_images or len(labels)], snakemake.output[0])
