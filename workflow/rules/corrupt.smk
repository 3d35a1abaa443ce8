# Clean test set -> <dataset>-C: one job per (dataset, corruption) writing all five severities (or, with
# corruptions.one_job, one job per dataset writing them all).


if config["corruptions"]["one_job"]:

    rule corrupt_dataset_all:
        # Demo scale: every corruption of the set and labels.npy in one job (each is seconds, start-up dominates);
        # the same bytes as one job per corruption.
        input:
            test="results/data/{dataset}/test.pt",
            meta="results/data/{dataset}/meta.json",
        output:
            corrupted=expand("results/corrupt/{{dataset}}/{corruption}.npy", corruption=CORRUPTIONS),
            labels="results/corrupt/{dataset}/labels.npy",
        log:
            "results/logs/corrupt_dataset_all/{dataset}.log",
        benchmark:
            "results/benchmarks/corrupt_dataset_all/{dataset}.tsv"
        conda:
            ROBOPT_ENV
        resources:
            mem_mb=8000,
            runtime=60,
        params:
            corruptions=CORRUPTIONS,
            n_images=config["corruptions"]["n_test_images"],
            seed=config["corruptions"]["seed"],
        script:
            "../scripts/corrupt_dataset.py"

else:

    rule corrupt_dataset:
        input:
            test="results/data/{dataset}/test.pt",
            meta="results/data/{dataset}/meta.json",
        output:
            "results/corrupt/{dataset}/{corruption}.npy",
        log:
            "results/logs/corrupt_dataset/{dataset}/{corruption}.log",
        benchmark:
            "results/benchmarks/corrupt_dataset/{dataset}/{corruption}.tsv"
        conda:
            ROBOPT_ENV
        resources:
            mem_mb=8000,
            runtime=30,
        params:
            corruptions=lambda wildcards: [wildcards.corruption],
            n_images=config["corruptions"]["n_test_images"],
            seed=config["corruptions"]["seed"],
        script:
            "../scripts/corrupt_dataset.py"

    rule write_corrupted_labels:
        input:
            test="results/data/{dataset}/test.pt",
        output:
            "results/corrupt/{dataset}/labels.npy",
        log:
            "results/logs/write_corrupted_labels/{dataset}.log",
        benchmark:
            "results/benchmarks/write_corrupted_labels/{dataset}.tsv"
        conda:
            ROBOPT_ENV
        params:
            n_images=config["corruptions"]["n_test_images"],
        script:
            "../scripts/write_corrupted_labels.py"


rule plot_corruption_preview:
    input:
        test="results/data/{dataset}/test.pt",
        meta="results/data/{dataset}/meta.json",
    output:
        pdf=report(
            "results/figures/corruptions_{dataset}.pdf",
            caption="../report/corruption_preview.rst",
            category="Corruptions",
            labels=provenance_labels,
        ),
        png="results/figures/corruptions_{dataset}.png",
    log:
        "results/logs/plot_corruption_preview/{dataset}.log",
    benchmark:
        "results/benchmarks/plot_corruption_preview/{dataset}.tsv"
    conda:
        ROBOPT_ENV
    params:
        corruptions=CORRUPTIONS,
        seed=config["corruptions"]["seed"],
        image_index=0,
    script:
        "../scripts/plot_corruption_preview.py"


rule export_corrupted_tree:
    # On demand: <dataset>-C as JPEG folders (quality 85), the layout of the published Tiny-ImageNet-C / ImageNet-C.
    input:
        corrupted="results/corrupt/{dataset}/{corruption}.npy",
        test="results/data/{dataset}/test.pt",
    output:
        directory("results/corrupt_jpeg/{dataset}/{corruption}"),
    log:
        "results/logs/export_corrupted_tree/{dataset}/{corruption}.log",
    benchmark:
        "results/benchmarks/export_corrupted_tree/{dataset}/{corruption}.tsv"
    conda:
        ROBOPT_ENV
    params:
        class_ids=class_ids,
    script:
        "../scripts/export_corrupted_tree.py"
