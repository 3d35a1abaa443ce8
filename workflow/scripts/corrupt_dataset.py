"""corrupt_dataset(_all): clean test split -> <corruption>.npy with severities 1..5 stacked (CIFAR-10-C layout), for
each corruption of the job, and labels.npy where the job writes it."""

import logging

from robopt.corruptions import corrupt_all_severities, write_corrupted
from robopt.corruptions.sets import write_labels
from robopt.data import load_meta, load_split
from robopt.logs import log_to_file
from robopt.runtime import make_deterministic

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
meta = load_meta(snakemake.input.meta)
test = load_split(snakemake.input.test)
count = snakemake.params.n_images or len(test)
outputs = snakemake.output.corrupted if "corrupted" in snakemake.output.keys() else snakemake.output
for name, path in zip(snakemake.params.corruptions, outputs, strict=True):
    stacked = corrupt_all_severities(test.images[:count], name, meta["corruption_scale"], snakemake.params.seed)
    write_corrupted(stacked, path)
    logging.info("wrote %s: %s", path, tuple(stacked.shape))
if "labels" in snakemake.output.keys():
    write_labels(test.labels[:count], snakemake.output.labels)
