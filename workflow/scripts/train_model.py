"""train_model, train_imagenet: clean training split (or ImageNet index) -> model.pt + history.csv, resuming from the
checkpoint after a kill; a tuned key (sigma/rho) takes its sweep's choice; on
``distributed.training`` devices x nodes ranks (torchrun) when the config asks for more than one."""

from robopt.distributed.launch import run_configured_job
from robopt.logs import log_to_file
from robopt.train.job import train_to_files
from robopt.variants import read_choice, tuned_labels, tuned_settings

log_to_file(snakemake.log[0])
ranks = snakemake.params.ranks
block, labels = dict(snakemake.params.settings), dict(snakemake.params.labels)
tuned = getattr(snakemake.params, "tuned", None)  # the ImageNet rule has no tuned keys
if tuned:
    value = read_choice(snakemake.input.choice, block["method"], tuned)
    block, labels = tuned_settings(block, tuned, value), tuned_labels(labels, tuned, value)
run_configured_job(
    train_to_files,
    {
        "train": snakemake.input.train,
        "meta": snakemake.input.meta,
        "block": block,
        "seed": int(snakemake.wildcards.seed),
        "checkpoint": snakemake.params.checkpoint,
        "device": snakemake.params.device,
        "threads": max(1, snakemake.threads // ranks["devices"]),
        "labels": labels,
        "model_path": snakemake.output.model,
        "history_path": snakemake.output.history,
    },
    ranks,
    snakemake.threads,
    snakemake.params.checkpoint,
)
