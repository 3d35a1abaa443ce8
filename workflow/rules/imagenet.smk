# DAMP's ImageNet Tables 1 and 2 (included when the config has an `imagenet` block; config/imagenet.yaml):
#   results/imagenet/{train,val}.index.pt, meta.json          the user's ILSVRC-2012 copy, indexed once
#   results/imagenet/train/{recipe}/{method}/seed{seed}/      model.pt + history.csv (streamed JPEGs, torchrun ranks)
#   results/imagenet/evaluate/{recipe}/{method}/seed{seed}/{test_set}.csv   one job per test set
#   results/tables/damp_table{1,2}.{csv,md,tex}               ours beside the paper's numbers
from robopt.imagenet_protocol import TRAIN_SIZE  # noqa: E402
from robopt.report import imagenet_scale_note  # noqa: E402
from robopt.variants import imagenet_training_job, imagenet_variants  # noqa: E402

IMAGENET = config["imagenet"]  # validated and checked (dataset and test-set folders exist) in common.smk
IMAGENET_RECIPES = {recipe: imagenet_variants(config, recipe) for recipe in IMAGENET["recipes"]}
IMAGENET_TITLES = {"damp_table1": "Table 1 (ResNet-50)", "damp_table2": "Table 2 (ViT-S/16)"}


def imagenet_test_sets():
    """clean, fgsm (when configured), then every configured shifted set."""
    return ["clean"] + (["fgsm"] if IMAGENET["fgsm"] else []) + list(IMAGENET["test_sets"])


def imagenet_table_inputs(wildcards):
    """Every evaluation of the table's recipe: each method, seed and test set."""
    table = IMAGENET["tables"][wildcards.table]
    return [
        f"results/imagenet/evaluate/{table['recipe']}/{method}/seed{seed}/{test_set}.csv"
        for method in IMAGENET_RECIPES[table["recipe"]]
        for seed in table["seeds"]
        for test_set in imagenet_test_sets()
    ]


def imagenet_targets():
    return [f"results/tables/{table}.{ext}" for table in IMAGENET["tables"] for ext in ("csv", "md", "tex")]


def imagenet_settings(wildcards):
    return imagenet_training_job(config, wildcards.recipe, wildcards.method)


def imagenet_epochs(wildcards):
    return imagenet_settings(wildcards)["epochs"]


def imagenet_image_size(wildcards):
    return IMAGENET["recipes"][wildcards.recipe].get("image_size", TRAIN_SIZE)


def imagenet_labels(wildcards):
    """The tidy columns of a training history: recipe, epochs and the variant's."""
    variant = IMAGENET_RECIPES[wildcards.recipe][wildcards.method]
    return {"dataset": "imagenet", "recipe": wildcards.recipe, "epochs": imagenet_epochs(wildcards), **variant.labels()}


def imagenet_training_threads(wildcards):
    """Decoding threads per rank (4) on each of the node's ranks."""
    return 4 * IMAGENET["distributed"]["devices"]


def gpus_for_imagenet(wildcards):
    return job_gpus(IMAGENET["distributed"], config["device"])


rule index_imagenet:
    output:
        train="results/imagenet/train.index.pt",
        val="results/imagenet/val.index.pt",
        meta="results/imagenet/meta.json",
    log:
        "results/logs/index_imagenet/index_imagenet.log",
    benchmark:
        "results/benchmarks/index_imagenet/index_imagenet.tsv"
    conda:
        ROBOPT_ENV
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        root=IMAGENET["root"],
    script:
        "../scripts/index_imagenet.py"


rule train_imagenet:
    input:
        train="results/imagenet/train.index.pt",
        meta="results/imagenet/meta.json",
    output:
        model="results/imagenet/train/{recipe}/{method}/seed{seed}/model.pt",
        history="results/imagenet/train/{recipe}/{method}/seed{seed}/history.csv",
    log:
        "results/logs/train_imagenet/{recipe}/{method}/seed{seed}.log",
    benchmark:
        "results/benchmarks/train_imagenet/{recipe}/{method}/seed{seed}.tsv"
    wildcard_constraints:
        recipe="|".join(IMAGENET["recipes"]) or "^$",
        method="|".join({m for table in IMAGENET_RECIPES.values() for m in table}) or "^$",
    conda:
        ROBOPT_ENV
    threads: imagenet_training_threads
    resources:
        **multi_node_resources(IMAGENET["distributed"], config["device"]),
        mem_mb=64000,
        runtime=7 * 24 * 60,
        gpu=gpus_for_imagenet,
    params:
        settings=imagenet_settings,
        labels=imagenet_labels,
        device=config["device"],
        ranks=IMAGENET["distributed"],
        checkpoint="results/checkpoints/imagenet/{recipe}/{method}/seed{seed}/last.pt",
    script:
        "../scripts/train_model.py"


rule evaluate_imagenet:
    input:
        model="results/imagenet/train/{recipe}/{method}/seed{seed}/model.pt",
        val="results/imagenet/val.index.pt",
    output:
        "results/imagenet/evaluate/{recipe}/{method}/seed{seed}/{test_set}.csv",
    log:
        "results/logs/evaluate_imagenet/{recipe}/{method}/seed{seed}/{test_set}.log",
    benchmark:
        "results/benchmarks/evaluate_imagenet/{recipe}/{method}/seed{seed}/{test_set}.tsv"
    wildcard_constraints:
        recipe="|".join(IMAGENET["recipes"]) or "^$",
        method="|".join({m for table in IMAGENET_RECIPES.values() for m in table}) or "^$",
        test_set="|".join(imagenet_test_sets()),
    conda:
        ROBOPT_ENV
    threads: IMAGENET["evaluation"]["workers"]
    resources:
        mem_mb=32000,
        runtime=12 * 60,
        gpu=gpus_for_tuning,
    params:
        root=lambda wildcards: IMAGENET["test_sets"].get(wildcards.test_set),
        epochs=imagenet_epochs,
        image_size=imagenet_image_size,
        batch_size=IMAGENET["evaluation"]["batch_size"],
        workers=IMAGENET["evaluation"]["workers"],
        device=config["device"],
    script:
        "../scripts/evaluate_imagenet.py"


rule table_damp_imagenet:
    input:
        imagenet_table_inputs,
    output:
        csv=report(
            "results/tables/{table}.csv",
            caption="../report/damp_imagenet_table.rst",
            category=DAMP_CATEGORY,
            labels=provenance_labels,
        ),
        md="results/tables/{table}.md",
        tex="results/tables/{table}.tex",
    log:
        "results/logs/table_damp_imagenet/{table}.log",
    benchmark:
        "results/benchmarks/table_damp_imagenet/{table}.tsv"
    wildcard_constraints:
        table="|".join(IMAGENET["tables"]) or "^$",
    conda:
        ROBOPT_ENV
    params:
        title=lambda wildcards: IMAGENET_TITLES[wildcards.table],
        scale=lambda wildcards: imagenet_scale_note(config, IMAGENET["tables"][wildcards.table]["recipe"]),
    script:
        "../scripts/table_damp_imagenet.py"
