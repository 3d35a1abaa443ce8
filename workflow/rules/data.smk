# Raw dataset (official layout, download, or generated) -> cached uint8 tensors + meta.json.


rule prepare_dataset:
    output:
        train="results/data/{dataset}/train.pt",
        test="results/data/{dataset}/test.pt",
        meta="results/data/{dataset}/meta.json",
    log:
        "results/logs/prepare_dataset/{dataset}.log",
    benchmark:
        "results/benchmarks/prepare_dataset/{dataset}.tsv"
    conda:
        ROBOPT_ENV
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        source=dataset_source,
    script:
        "../scripts/prepare_dataset.py"
