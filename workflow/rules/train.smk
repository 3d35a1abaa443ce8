# Clean training images -> one trained model per (dataset, variant, seed). Resumes from its checkpoint.


rule train_model:
    input:
        train="results/data/{dataset}/train.pt",
        meta="results/data/{dataset}/meta.json",
        choice=tuned_choice,
    output:
        model="results/train/{dataset}/{variant}/seed{seed}/model.pt",
        history="results/train/{dataset}/{variant}/seed{seed}/history.csv",
    log:
        "results/logs/train_model/{dataset}/{variant}/seed{seed}.log",
    benchmark:
        "results/benchmarks/train_model/{dataset}/{variant}/seed{seed}.tsv"
    conda:
        ROBOPT_ENV
    threads: training_threads
    resources:
        **multi_node_resources(config["distributed"]["training"], config["device"]),
        mem_mb=16000,
        runtime=24 * 60,
        gpu=gpus_for_training,
    params:
        settings=training_settings,
        labels=training_labels,
        tuned=tuned_parameter,
        device=config["device"],
        ranks=config["distributed"]["training"],
        checkpoint="results/checkpoints/train/{dataset}/{variant}/seed{seed}/last.pt",
    script:
        "../scripts/train_model.py"


rule tune_method:
    input:
        train="results/data/{dataset}/train.pt",
        meta="results/data/{dataset}/meta.json",
    output:
        sweep="results/tune/{dataset}/{method}/sweep.csv",
        choice="results/tune/{dataset}/{method}/choice.json",
    log:
        "results/logs/tune_method/{dataset}/{method}.log",
    benchmark:
        "results/benchmarks/tune_method/{dataset}/{method}.tsv"
    conda:
        ROBOPT_ENV
    threads: tuning_threads
    resources:
        mem_mb=16000,
        runtime=24 * 60,
        gpu=gpus_for_tuning,
    params:
        settings=tuning_settings,
        tune=tune_params,
        val_fraction=config["data"]["val_fraction"],
        val_seed=config["data"]["val_seed"],
        seed=SEEDS[0],
        device=config["device"],
    script:
        "../scripts/tune_method.py"
