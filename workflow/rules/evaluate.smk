# Trained model -> accuracy / error / NLL / ECE on clean test data and every (corruption, severity).


rule evaluate_model:
    input:
        model=model_file,
        test="results/data/{dataset}/test.pt",
        meta="results/data/{dataset}/meta.json",
        corrupted=corrupted_files,
        choice=tuned_choice,
    output:
        "results/evaluate/{dataset}/{variant}/seed{seed}/metrics.csv",
    log:
        "results/logs/evaluate_model/{dataset}/{variant}/seed{seed}.log",
    benchmark:
        "results/benchmarks/evaluate_model/{dataset}/{variant}/seed{seed}.tsv"
    conda:
        ROBOPT_ENV
    threads: evaluation_threads
    resources:
        mem_mb=16000,
        runtime=60,
    params:
        labels=variant_labels,
        tuned=tuned_parameter,
        corruptions=CORRUPTIONS,
        folder=corrupted_folder_of,
        corruption_source=corruption_source_of,
        class_ids=class_ids,
        batch_size=config["evaluation"]["batch_size"],
        device=config["device"],
    script:
        "../scripts/evaluate_model.py"


rule collect_dataset_metrics:
    input:
        dataset_metric_targets,
    output:
        "results/tables/metrics_{dataset}.csv",
    log:
        "results/logs/collect_dataset_metrics/{dataset}.log",
    benchmark:
        "results/benchmarks/collect_dataset_metrics/{dataset}.tsv"
    conda:
        ROBOPT_ENV
    script:
        "../scripts/collect_metrics.py"


rule collect_metrics:
    input:
        expand("results/tables/metrics_{dataset}.csv", dataset=DATASETS),
    output:
        "results/tables/metrics.csv",
    log:
        "results/logs/collect_metrics/collect_metrics.log",
    benchmark:
        "results/benchmarks/collect_metrics/collect_metrics.tsv"
    conda:
        ROBOPT_ENV
    script:
        "../scripts/collect_metrics.py"


rule robustbench_json_trained:
    # a trained model (one seed) in RobustBench's format, as external models are
    input:
        "results/evaluate/{dataset}/{variant}/seed{seed}/metrics.csv",
    output:
        json="results/evaluate/{dataset}/{variant}/seed{seed}/robustbench.json",
        cells="results/evaluate/{dataset}/{variant}/seed{seed}/robustbench_cells.csv",
    log:
        "results/logs/robustbench_json_trained/{dataset}/{variant}/seed{seed}.log",
    benchmark:
        "results/benchmarks/robustbench_json_trained/{dataset}/{variant}/seed{seed}.tsv"
    conda:
        ROBOPT_ENV
    params:
        entry=lambda wildcards: {"architecture": config["training"][wildcards.dataset]["model"]},
        name=lambda wildcards: f"{wildcards.variant} (seed {wildcards.seed})",
    script:
        "../scripts/robustbench_json.py"
