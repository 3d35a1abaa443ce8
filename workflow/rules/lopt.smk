# Learned optimizers (Metz et al. 2019): outer-train one job per (experiment, seed), pick the best seed,
# inner-train with it and with the tuned Adam baselines -> tidy CSVs for the Metz figures.
# Included by the Snakefile only when the config has an `lopt` block.


include: "lopt_common.smk"


wildcard_constraints:
    experiment="[a-z][a-z0-9_]*",


rule lopt_theta0:
    # The initial rule: normalised Adam at the lopt.theta0.step_sizes entry that scores best on meta-validation.
    input:
        train=f"results/data/{LOPT_DATASET}/train.pt",
        meta=f"results/data/{LOPT_DATASET}/meta.json",
    output:
        theta0="results/lopt/{experiment}/theta0.pt",
        scores="results/lopt/{experiment}/theta0.csv",
    log:
        "results/logs/lopt_theta0/{experiment}.log",
    benchmark:
        "results/benchmarks/lopt_theta0/{experiment}.tsv"
    conda:
        ROBOPT_ENV
    threads: 1
    resources:
        mem_mb=16000,
        runtime=1440,
        gpu=lopt_gpus,
    params:
        lopt=lopt_job_params("theta0"),
    script:
        "../scripts/lopt_theta0.py"


rule lopt_outer_train:
    input:
        train=f"results/data/{LOPT_DATASET}/train.pt",
        meta=f"results/data/{LOPT_DATASET}/meta.json",
        theta0="results/lopt/{experiment}/theta0.pt",
    output:
        theta="results/lopt/{experiment}/seed{seed}/theta.pt",
        curve="results/lopt/{experiment}/seed{seed}/curve.csv",
    log:
        "results/logs/lopt_outer_train/{experiment}/seed{seed}.log",
    benchmark:
        "results/benchmarks/lopt_outer_train/{experiment}/seed{seed}.tsv"
    conda:
        ROBOPT_ENV
    threads: outer_training_threads
    resources:
        **multi_node_resources(config["distributed"]["outer_training"], LOPT["device"]),
        mem_mb=16000,
        runtime=4320,
        gpu=outer_training_gpus,
    params:
        lopt=lopt_job_params("outer"),
        ranks=config["distributed"]["outer_training"],
        checkpoint="results/checkpoints/lopt/{experiment}/seed{seed}/outer.pt",
    script:
        "../scripts/lopt_outer_train.py"


rule lopt_progress:
    input:
        theta="results/lopt/{experiment}/seed{seed}/theta.pt",
        train=f"results/data/{LOPT_DATASET}/train.pt",
        meta=f"results/data/{LOPT_DATASET}/meta.json",
        test=f"results/data/{LOPT_DATASET}/test.pt",
    output:
        "results/lopt/{experiment}/seed{seed}/progress.csv",
    log:
        "results/logs/lopt_progress/{experiment}/seed{seed}.log",
    benchmark:
        "results/benchmarks/lopt_progress/{experiment}/seed{seed}.tsv"
    conda:
        ROBOPT_ENV
    threads: 1
    resources:
        mem_mb=16000,
        runtime=1440,
        gpu=lopt_gpus,
    params:
        lopt=lopt_job_params("evaluate"),
    script:
        "../scripts/lopt_progress.py"


rule lopt_validate:
    # Meta-validation of one seed: its last theta snapshots (and theta0, for the experiment's first seed) inner-trained
    # from scratch from lopt.selection.inits initialisations, scored by the objective's loss on the validation images.
    input:
        theta="results/lopt/{experiment}/seed{seed}/theta.pt",
        train=f"results/data/{LOPT_DATASET}/train.pt",
        meta=f"results/data/{LOPT_DATASET}/meta.json",
    output:
        "results/lopt/{experiment}/seed{seed}/validation.csv",
    log:
        "results/logs/lopt_validate/{experiment}/seed{seed}.log",
    benchmark:
        "results/benchmarks/lopt_validate/{experiment}/seed{seed}.tsv"
    conda:
        ROBOPT_ENV
    threads: 1
    resources:
        mem_mb=16000,
        runtime=1440,
        gpu=lopt_gpus,
    params:
        lopt=lopt_job_params("select"),
        initial=scores_theta0,
    script:
        "../scripts/lopt_validate.py"


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
    conda:
        ROBOPT_ENV
    params:
        last_snapshots=LOPT["selection"]["last_snapshots"],
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
    log:
        "results/logs/lopt_evaluate/{experiment}.log",
    benchmark:
        "results/benchmarks/lopt_evaluate/{experiment}.tsv"
    conda:
        ROBOPT_ENV
    threads: lopt_threads
    resources:
        mem_mb=16000,
        runtime=1440,
        gpu=lopt_gpus,
    params:
        lopt=lopt_job_params("evaluate"),
    script:
        "../scripts/lopt_evaluate.py"


rule lopt_verdict:
    # theta0, the selected theta and tuned Adam from lopt.evaluation.inits initialisations (Gaussian objectives).
    input:
        theta0="results/lopt/{experiment}/theta0.pt",
        selected="results/lopt/{experiment}/selected.pt",
        train=f"results/data/{LOPT_DATASET}/train.pt",
        meta=f"results/data/{LOPT_DATASET}/meta.json",
        test=f"results/data/{LOPT_DATASET}/test.pt",
    output:
        losses="results/lopt/{experiment}/verdict_losses.csv",
        table="results/tables/lopt_verdict_{experiment}.csv",
        markdown="results/tables/lopt_verdict_{experiment}.md",
    log:
        "results/logs/lopt_verdict/{experiment}.log",
    benchmark:
        "results/benchmarks/lopt_verdict/{experiment}.tsv"
    conda:
        ROBOPT_ENV
    threads: 1
    resources:
        mem_mb=16000,
        runtime=1440,
        gpu=lopt_gpus,
    params:
        lopt=lopt_job_params("verdict"),
    script:
        "../scripts/lopt_verdict.py"


rule lopt_adam:
    input:
        train=f"results/data/{LOPT_DATASET}/train.pt",
        meta=f"results/data/{LOPT_DATASET}/meta.json",
        test=f"results/data/{LOPT_DATASET}/test.pt",
    output:
        "results/lopt/adam/{noise}.csv",
    log:
        "results/logs/lopt_adam/{noise}.log",
    benchmark:
        "results/benchmarks/lopt_adam/{noise}.tsv"
    wildcard_constraints:
        noise="gaussian|corruption",
    conda:
        ROBOPT_ENV
    threads: lopt_threads
    resources:
        mem_mb=16000,
        runtime=1440,
        gpu=lopt_gpus,
    params:
        lopt=lopt_job_params("adam"),
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
    conda:
        ROBOPT_ENV
    script:
        "../scripts/lopt_collect.py"


rule lopt_collect_progress:
    input:
        lopt_progress_outputs(),
    output:
        "results/tables/lopt_progress.csv",
    log:
        "results/logs/lopt_collect_progress/lopt_collect_progress.log",
    benchmark:
        "results/benchmarks/lopt_collect_progress/lopt_collect_progress.tsv"
    conda:
        ROBOPT_ENV
    script:
        "../scripts/lopt_collect_progress.py"
