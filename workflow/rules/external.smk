# Models brought from outside (the external_models block): materialised once, evaluated by evaluate_model like a
# trained model (variant external_<name>, seed 0), then written in RobustBench's format. One target per model:
#   results/external/<dataset>/<name>/robustbench.json


rule materialise_external:
    input:
        meta="results/data/{dataset}/meta.json",
        files=external_files,
    output:
        "results/external/{dataset}/{name}/model.pt",
    log:
        "results/logs/materialise_external/{dataset}/{name}.log",
    benchmark:
        "results/benchmarks/materialise_external/{dataset}/{name}.tsv"
    conda:
        ROBOPT_ENV
    params:
        entry=external_entry,
    script:
        "../scripts/materialise_external.py"


rule robustbench_json:
    input:
        "results/evaluate/{dataset}/external_{name}/seed0/metrics.csv",
    output:
        json="results/external/{dataset}/{name}/robustbench.json",
        cells="results/external/{dataset}/{name}/robustbench_cells.csv",
    log:
        "results/logs/robustbench_json/{dataset}/{name}.log",
    benchmark:
        "results/benchmarks/robustbench_json/{dataset}/{name}.tsv"
    conda:
        ROBOPT_ENV
    params:
        entry=external_entry,
        name=lambda wildcards: wildcards.name,
    script:
        "../scripts/robustbench_json.py"


rule compare_corruption_sources:
    # Only where corruptions.official names the dataset's release: the model's metrics on it, beside the same model
    # on this pipeline's generated set.
    input:
        model="results/external/{dataset}/{name}/model.pt",
        test="results/data/{dataset}/test.pt",
        generated=generated_set_files,
        official="results/evaluate/{dataset}/external_{name}/seed0/metrics.csv",
    output:
        csv="results/external/{dataset}/{name}/generated_vs_official.csv",
        md="results/external/{dataset}/{name}/generated_vs_official.md",
        tex="results/external/{dataset}/{name}/generated_vs_official.tex",
        cells="results/external/{dataset}/{name}/generated_vs_official_cells.csv",
        generated="results/external/{dataset}/{name}/metrics_generated.csv",
    log:
        "results/logs/compare_corruption_sources/{dataset}/{name}.log",
    benchmark:
        "results/benchmarks/compare_corruption_sources/{dataset}/{name}.tsv"
    conda:
        ROBOPT_ENV
    threads: 2
    params:
        generated=lambda wildcards: f"results/corrupt/{wildcards.dataset}",
        corruptions=CORRUPTIONS,
        batch_size=config["evaluation"]["batch_size"],
        device=config["device"],
    script:
        "../scripts/compare_corruption_sources.py"


rule table_external_models:
    input:
        infos=[f"results/external/{e['dataset']}/{name}/robustbench.json" for name, e in EXTERNAL.items()],
        cells=[f"results/external/{e['dataset']}/{name}/robustbench_cells.csv" for name, e in EXTERNAL.items()],
    output:
        csv="results/tables/external_models.csv",
        md="results/tables/external_models.md",
        tex="results/tables/external_models.tex",
    log:
        "results/logs/table_external_models/table_external_models.log",
    benchmark:
        "results/benchmarks/table_external_models/table_external_models.tsv"
    conda:
        ROBOPT_ENV
    params:
        names=list(EXTERNAL),
        entries=EXTERNAL,
    script:
        "../scripts/table_external_models.py"
