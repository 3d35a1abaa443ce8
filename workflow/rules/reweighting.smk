# Meta-reweighting (L2RW, Meta-Weight-Net) on a biased training set: the accuracy table with paired differences to
# noisy SGD, the published numbers beside ours, the weights of noisy vs clean examples, MW-Net's weighting function.

REWEIGHTING_CATEGORY = "Meta-reweighting (L2RW, Meta-Weight-Net)"


rule table_reweighting:
    input:
        metrics="results/tables/metrics_{dataset}.csv",
        histories=training_histories,
    output:
        csv=report(
            "results/tables/reweighting_{dataset}.csv",
            caption="../report/reweighting_table.rst",
            category=REWEIGHTING_CATEGORY,
            labels=provenance_labels,
        ),
        md="results/tables/reweighting_{dataset}.md",
        tex="results/tables/reweighting_{dataset}.tex",
        paper="results/tables/reweighting_vs_paper_{dataset}.csv",
    log:
        "results/logs/table_reweighting/{dataset}.log",
    benchmark:
        "results/benchmarks/table_reweighting/{dataset}.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
        setting=bias_setting,
    script:
        "../scripts/table_reweighting.py"


rule plot_example_weights:
    input:
        training_histories,
    output:
        pdf=report(
            "results/figures/reweighting_weights_{dataset}.pdf",
            caption="../report/reweighting_weights.rst",
            category=REWEIGHTING_CATEGORY,
            labels=provenance_labels,
        ),
        png="results/figures/reweighting_weights_{dataset}.png",
    log:
        "results/logs/plot_example_weights/{dataset}.log",
    benchmark:
        "results/benchmarks/plot_example_weights/{dataset}.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
    script:
        "../scripts/plot_example_weights.py"


rule plot_weight_function:
    input:
        mwnet_histories,
    output:
        pdf=report(
            "results/figures/mwnet_weight_function_{dataset}.pdf",
            caption="../report/mwnet_weight_function.rst",
            category=REWEIGHTING_CATEGORY,
            labels=provenance_labels,
        ),
        png="results/figures/mwnet_weight_function_{dataset}.png",
    log:
        "results/logs/plot_weight_function/{dataset}.log",
    benchmark:
        "results/benchmarks/plot_weight_function/{dataset}.tsv"
    conda:
        ROBOPT_ENV
    params:
        scale=scale_note,
    script:
        "../scripts/plot_weight_function.py"
