"""corrupt_dataset: clean test split -> <corruption>.npy with severities 1..5 stacked (CIFAR-10-C layout)."""

import logging

from robopt.corruptions import corrupt_all_severities, write_corrupted
from robopt.data import load_meta, load_split
from robopt.logs import log_to_file
from robopt.runtime import make_deterministic

log_to_file(snakemake.log[0])
make_deterministic(snakemake.threads)
meta = load_meta(snakemake.input.meta)
test = load_split(snakemake.input.test)
images = test.images[: snakemake.params.n_images] if snakemake.params.n_images else test.images
stacked = corrupt_all_severities(images, snakemake.wildcards.corruption, meta["corruption_scale"], snakemake.params.seed)
write_corrupted(stacked, snakemake.output[0])
logging.info("wrote %s: %s", snakemake.output[0], tuple(stacked.shape))
