"""index_imagenet: the user's ILSVRC-2012 copy -> results/imagenet/{train,val}.index.pt + meta.json."""

import logging

from robopt.data.imagenet import write_imagenet_index
from robopt.logs import log_to_file

log_to_file(snakemake.log[0])
meta = write_imagenet_index(snakemake.params.root, snakemake.output.train, snakemake.output.val, snakemake.output.meta)
logging.info("indexed ImageNet at %s: %s", meta["root"], meta["splits"])
