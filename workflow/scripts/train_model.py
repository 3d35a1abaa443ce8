"""train_model, train_imagenet: clean training split (or ImageNet index) -> model.pt + history.csv, resuming from the checkpoint after a kill; on
``distributed.training`` devices x nodes ranks (torchrun) when the config asks for more than one."""

from robopt.distributed.launch import run_configured_job
from robopt.logs import log_to_file
from robopt.train.job import train_to_files

log_to_file(snakemake.log[0])
ranks = snakemake.params.ranks
run_configured_job(
    train_to_files,
    {
        "train": snakemake.input.train,
        "meta": snakemake.input.meta,
        "block": dict(snakemake.params.settings),
        "seed": int(snakemake.wildcards.seed),
        "checkpoint": snakemake.params.checkpoint,
        "device": snakemake.params.device,
        "threads": max(1, snakemake.threads // ranks["devices"]),
        "labels": dict(snakemake.params.labels),
        "model_path": snakemake.output.model,
        "history_path": snakemake.output.history,
    },
    ranks,
    snakemake.threads,
    snakemake.params.checkpoint,
)
