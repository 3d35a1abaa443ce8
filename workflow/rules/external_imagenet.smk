# External models on ImageNet (external_models entries with dataset: imagenet; needs the imagenet block's root and
# test_sets.imagenet_c): materialised at 224 px, evaluated one job per test set under the entry's protocol
# (pipeline: all images, short side 256 + centre crop; robustbench: its 5,000 listed images, ImageNet-C resized to
# 224 x 224), then written in RobustBench's format with the protocol recorded. One target per model:
#   results/external/imagenet/<name>/robustbench.json
from robopt.data.robustbench_imagenet import protocol_resize, protocol_test_sets  # noqa: E402

EXTERNAL_IMAGENET = {name: entry for name, entry in EXTERNAL.items() if entry["dataset"] == "imagenet"}
EXTERNAL_IMAGENET_NAMES = "|".join(re.escape(name) for name in EXTERNAL_IMAGENET) or "no_external_model"


def external_imagenet_test_sets(name):
    return protocol_test_sets(EXTERNAL_IMAGENET[name]["protocol"], list(IMAGENET["test_sets"]))


def external_imagenet_evaluations(wildcards):
    return [
        f"results/external/imagenet/{wildcards.name}/evaluate/{test_set}.csv"
        for test_set in external_imagenet_test_sets(wildcards.name)
    ]


rule materialise_external_imagenet:
    input:
        meta="results/imagenet/meta.json",
        files=external_files,
    output:
        "results/external/imagenet/{name}/model.pt",
    log:
        "results/logs/materialise_external/imagenet/{name}.log",
    benchmark:
        "results/benchmarks/materialise_external/imagenet/{name}.tsv"
    wildcard_constraints:
        name=EXTERNAL_IMAGENET_NAMES,
    conda:
        ROBOPT_ENV
    params:
        entry=external_entry,
    script:
        "../scripts/materialise_external.py"


rule evaluate_external_imagenet:
    input:
        model="results/external/imagenet/{name}/model.pt",
        val="results/imagenet/val.index.pt",
    output:
        "results/external/imagenet/{name}/evaluate/{test_set}.csv",
    log:
        "results/logs/evaluate_external_imagenet/{name}/{test_set}.log",
    benchmark:
        "results/benchmarks/evaluate_external_imagenet/{name}/{test_set}.tsv"
    wildcard_constraints:
        name=EXTERNAL_IMAGENET_NAMES,
        test_set="|".join(["clean", *IMAGENET["test_sets"]]),
    conda:
        ROBOPT_ENV
    threads: IMAGENET["evaluation"]["workers"]
    resources:
        mem_mb=32000,
        runtime=12 * 60,
        gpu=gpus_for_tuning,
    params:
        root=lambda wildcards: IMAGENET["test_sets"].get(wildcards.test_set),
        protocol=lambda wildcards: EXTERNAL_IMAGENET[wildcards.name]["protocol"],
        resize=lambda wildcards: protocol_resize(EXTERNAL_IMAGENET[wildcards.name]["protocol"], wildcards.test_set),
        batch_size=IMAGENET["evaluation"]["batch_size"],
        workers=IMAGENET["evaluation"]["workers"],
        device=config["device"],
    script:
        "../scripts/evaluate_external_imagenet.py"


rule robustbench_json_imagenet:
    input:
        external_imagenet_evaluations,
    output:
        json="results/external/imagenet/{name}/robustbench.json",
        cells="results/external/imagenet/{name}/robustbench_cells.csv",
        metrics="results/external/imagenet/{name}/metrics.csv",
    log:
        "results/logs/robustbench_json/imagenet/{name}.log",
    benchmark:
        "results/benchmarks/robustbench_json/imagenet/{name}.tsv"
    wildcard_constraints:
        name=EXTERNAL_IMAGENET_NAMES,
    conda:
        ROBOPT_ENV
    params:
        entry=external_entry,
    script:
        "../scripts/robustbench_json_imagenet.py"
