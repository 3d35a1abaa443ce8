# Clean training images -> one trained model per (dataset, method, seed). Resumes from its checkpoint.


rule train_model:
    input:
        train="results/data/{dataset}/train.pt",
        meta="results/data/{dataset}/meta.json",
    output:
        model="results/train/{dataset}/{method}/seed{seed}/model.pt",
        history="results/train/{dataset}/{method}/seed{seed}/history.csv",
    params:
        settings=training_params,
        method=base_method,
        device=config["device"],
        checkpoint="results/checkpoints/train/{dataset}/{method}/seed{seed}/last.pt",
    threads: training_threads
    log:
        "results/logs/train_model/{dataset}/{method}/seed{seed}.log",
    benchmark:
        "results/benchmarks/train_model/{dataset}/{method}/seed{seed}.tsv"
    resources:
        mem_mb=16000,
        runtime=24 * 60,
        gpu=gpus_for_training,
    script:
        "../scripts/train_model.py"


rule tune_method:
    input:
        train="results/data/{dataset}/train.pt",
        meta="results/data/{dataset}/meta.json",
    output:
        sweep="results/tune/{dataset}/{method}/sweep.csv",
        choice="results/tune/{dataset}/{method}/choice.json",
    params:
        settings=training_params,
        tune=tune_grid,
        val_fraction=config["data"]["val_fraction"],
        val_seed=config["data"]["val_seed"],
        seed=SEEDS[0],
        device=config["device"],
    threads: training_threads
    log:
        "results/logs/tune_method/{dataset}/{method}.log",
    benchmark:
        "results/benchmarks/tune_method/{dataset}/{method}.tsv"
    resources:
        mem_mb=16000,
        runtime=24 * 60,
        gpu=gpus_for_training,
    script:
        "../scripts/tune_method.py"
