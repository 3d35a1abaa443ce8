"""prepare_dataset: raw dataset -> results/data/{dataset}/{train,test}.pt + meta.json."""

import logging

from robopt.data import prepare_dataset
from robopt.logs import log_to_file

log_to_file(snakemake.log[0])
meta = prepare_dataset(snakemake.wildcards.dataset, dict(snakemake.params.source), snakemake.output.train.rsplit("/", 1)[0])
logging.info("prepared %s: %s", meta["dataset"], meta["splits"])
