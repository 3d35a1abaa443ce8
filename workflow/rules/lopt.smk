# Learned optimizers (Metz et al. 2019): outer-train one job per (experiment, seed), pick the best seed,
# inner-train with it and with the tuned Adam baselines -> tidy CSVs for the Metz figures.
# Included by the Snakefile only when the config has an `lopt` block.
from robopt.lopt.settings import figure_params, noise_kinds, stage_params  # noqa: E402
from robopt.report import lopt_scale_note as lopt_scale_words  # noqa: E402

LOPT = config["lopt"]  # validated and checked in common.smk
LOPT_DATASET = LOPT["dataset"]
LOPT_EXPERIMENTS = list(LOPT["experiments"])
LOPT_NOISES = noise_kinds(LOPT)


def lopt_seed_outputs(wildcards):
    """Curves and meta-parameters of every outer-training seed of one experiment."""
    if wildcards.experiment not in LOPT["experiments"]:
        raise ValueError(f"unknown lopt experiment {wildcards.experiment!r}; configured: {', '.join(LOPT_EXPERIMENTS)}")
    seeds = LOPT["experiments"][wildcards.experiment]["seeds"]
    return {
        "curves": [f"results/lopt/{wildcards.experiment}/seed{seed}/curve.csv" for seed in seeds],
        "thetas": [f"results/lopt/{wildcards.experiment}/seed{seed}/theta.pt" for seed in seeds],
    }


def lopt_job_params(stage):
    """Params of a learned-optimizer job: only the keys its stage reads (robopt.lopt.settings.stage_params)."""

    def params(wildcards):
        return stage_params(LOPT, stage, wildcards.noise if stage == "adam" else wildcards.experiment)

    return params


def lopt_gpus(wildcards):
    return 0 if LOPT["device"] == "cpu" else 1


def lopt_targets():
    """The learned-optimizer tables and the Metz figures the configured experiments support."""
    objectives = {spec["objective"] for spec in LOPT["experiments"].values()}
    figures = ["fig1a", "fig1b", "fig1c"] if "gaussian" in objectives else []
    figures += ["fig2", "appB"] if "corruption" in objectives else []
    tables = ["results/tables/lopt_evaluation.csv", "results/tables/lopt_outer_curves.csv"]
    return tables + [f"results/figures/metz2019_{name}.pdf" for name in figures]


def lopt_figure_params(wildcards):
    return figure_params(LOPT)


def lopt_scale_note(wildcards=None):
    """The scale of the learned-optimizer numbers: outer-training and evaluation sizes."""
    return lopt_scale_words(LOPT)


wildcard_constraints:
    experiment="[a-z][a-z0-9_]*",


rule lopt_outer_train:
    input:
        train=f"results/data/{LOPT_DATASET}/train.pt",
        meta=f"results/data/{LOPT_DATASET}/meta.json",
    output:
        theta="results/lopt/{experiment}/seed{seed}/theta.pt",
        curve="results/lopt/{experiment}/seed{seed}/curve.csv",
    params:
        lopt=lopt_job_params("outer"),
        checkpoint="results/checkpoints/lopt/{experiment}/seed{seed}/outer.pt",
    threads: 2
    log:
        "results/logs/lopt_outer_train/{experiment}/seed{seed}.log",
    benchmark:
        "results/benchmarks/lopt_outer_train/{experiment}/seed{seed}.tsv"
    resources:
        mem_mb=16000,
        runtime=4320,
        gpu=lopt_gpus,
    script:
        "../scripts/lopt_outer_train.py"


rule lopt_select_seed:
    input:
        unpack(lopt_seed_outputs),
    output:
        selection="results/lopt/{experiment}/selection.csv",
        theta="results/lopt/{experiment}/selected.pt",
        curves="results/lopt/{experiment}/curves.csv",
    log:
        "results/logs/lopt_select_seed/{experiment}.log",
    benchmark:
        "results/benchmarks/lopt_select_seed/{experiment}.tsv"
    script:
        "../scripts/lopt_select_seed.py"


rule lopt_evaluate:
    input:
        theta="results/lopt/{experiment}/selected.pt",
        train=f"results/data/{LOPT_DATASET}/train.pt",
        meta=f"results/data/{LOPT_DATASET}/meta.json",
        test=f"results/data/{LOPT_DATASET}/test.pt",
    output:
        "results/lopt/{experiment}/evaluation.csv",
    params:
        lopt=lopt_job_params("evaluate"),
    threads: 2
    log:
        "results/logs/lopt_evaluate/{experiment}.log",
    benchmark:
        "results/benchmarks/lopt_evaluate/{experiment}.tsv"
    resources:
        mem_mb=16000,
        runtime=1440,
        gpu=lopt_gpus,
    script:
        "../scripts/lopt_evaluate.py"


rule lopt_adam:
    input:
        train=f"results/data/{LOPT_DATASET}/train.pt",
        meta=f"results/data/{LOPT_DATASET}/meta.json",
        test=f"results/data/{LOPT_DATASET}/test.pt",
    output:
        "results/lopt/adam/{noise}.csv",
    params:
        lopt=lopt_job_params("adam"),
    wildcard_constraints:
        noise="gaussian|corruption",
    threads: 2
    log:
        "results/logs/lopt_adam/{noise}.log",
    benchmark:
        "results/benchmarks/lopt_adam/{noise}.tsv"
    resources:
        mem_mb=16000,
        runtime=1440,
        gpu=lopt_gpus,
    script:
        "../scripts/lopt_adam.py"


rule lopt_collect:
    input:
        evaluations=expand("results/lopt/{experiment}/evaluation.csv", experiment=LOPT_EXPERIMENTS),
        adam=expand("results/lopt/adam/{noise}.csv", noise=LOPT_NOISES),
        curves=expand("results/lopt/{experiment}/curves.csv", experiment=LOPT_EXPERIMENTS),
    output:
        evaluation="results/tables/lopt_evaluation.csv",
        curves="results/tables/lopt_outer_curves.csv",
    log:
        "results/logs/lopt_collect/lopt_collect.log",
    benchmark:
        "results/benchmarks/lopt_collect/lopt_collect.tsv"
    script:
        "../scripts/lopt_collect.py"
