"""materialise_external: an external_models entry -> its module as TorchScript with its normalisation (no download)."""

from robopt.data import load_meta
from robopt.external.materialise import materialise
from robopt.logs import log_to_file

log_to_file(snakemake.log[0])
materialise(dict(snakemake.params.entry), snakemake.wildcards.name, load_meta(snakemake.input.meta),
            snakemake.output[0])
