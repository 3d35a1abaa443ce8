"""lopt_outer_train: outer-train one seed of one learned-optimizer experiment (resumes from its checkpoint); its
pairs sharded over ``distributed.outer_training`` devices x nodes ranks (torchrun) when the config asks for more."""

from robopt.distributed.launch import run_configured_job
from robopt.logs import log_to_file
from robopt.lopt.job import outer_train_to_files

log_to_file(snakemake.log[0])
ranks = snakemake.params.ranks
run_configured_job(
    outer_train_to_files,
    {
        "block": dict(snakemake.params.lopt),
        "experiment": snakemake.wildcards.experiment,
        "seed": int(snakemake.wildcards.seed),
        "train": snakemake.input.train,
        "meta": snakemake.input.meta,
        "theta0": snakemake.input.theta0,
        "checkpoint": snakemake.params.checkpoint,
        "threads": max(1, snakemake.threads // ranks["devices"]),
        "curve_path": snakemake.output.curve,
        "theta_path": snakemake.output.theta,
    },
    ranks,
    snakemake.threads,
    snakemake.params.checkpoint,
)
